package dissect

import "testing"

func TestOutstanding(t *testing.T) {
	q := NewOutstanding[uint32](3)
	for _, v := range []uint32{1, 2, 3} {
		if q.Add(v) {
			t.Fatalf("flood reported at %d of 3", v)
		}
	}
	if !q.Add(4) {
		t.Fatal("first drop not reported")
	}
	if q.Add(5) {
		t.Fatal("flood reported twice")
	}
	// 1 and 2 were dropped, oldest first; 3, 4, 5 remain in order.
	if _, ok := q.Take(func(v uint32) bool { return v == 1 }); ok {
		t.Fatal("a dropped request was taken")
	}
	if v, ok := q.Take(func(v uint32) bool { return v >= 4 }); !ok || v != 4 {
		t.Fatalf("took %d %v, want the oldest match 4", v, ok)
	}
	if q.Len() != 2 {
		t.Fatalf("%d outstanding, want 2", q.Len())
	}
	key := uint32(5)
	if n := testing.AllocsPerRun(100, func() {
		q.Add(key)
		q.Take(func(v uint32) bool { return v == key })
	}); n != 0 {
		t.Fatalf("%v allocs per add and take", n)
	}
}
