package dissect

// Outstanding is a bounded first-in first-out list of requests awaiting their responses, for
// parsers that pair them by a key (sequence number, invoke id, serial). Past its bound the
// oldest request is dropped: a peer that never answers cannot grow a flow's state.
type Outstanding[T any] struct {
	items   []T
	max     int
	flooded bool
}

// NewOutstanding returns a list of at most max requests.
func NewOutstanding[T any](max int) Outstanding[T] {
	return Outstanding[T]{items: make([]T, 0, min(max, 8)), max: max}
}

// Add appends v, dropping the oldest request when the list is full. It returns true on the
// first drop only, for the parser to report the flood once per flow.
func (q *Outstanding[T]) Add(v T) (firstFlood bool) {
	if len(q.items) >= q.max {
		firstFlood = !q.flooded
		q.flooded = true
		copy(q.items, q.items[1:])
		q.items = q.items[:len(q.items)-1]
	}
	q.items = append(q.items, v)
	return firstFlood
}

// Take removes and returns the oldest request that match accepts.
func (q *Outstanding[T]) Take(match func(T) bool) (T, bool) {
	for i, v := range q.items {
		if match(v) {
			copy(q.items[i:], q.items[i+1:])
			q.items = q.items[:len(q.items)-1]
			return v, true
		}
	}
	var zero T
	return zero, false
}

// Len returns how many requests are outstanding.
func (q *Outstanding[T]) Len() int { return len(q.items) }
