//go:build !linux

package hugeheap

// Mode is "" where the system has no transparent huge pages.
func Mode() string { return "" }

// Reserve does nothing where the system has no transparent huge pages.
func Reserve(n int) (Span, error) {
	return Span{}, ErrUnavailable
}
