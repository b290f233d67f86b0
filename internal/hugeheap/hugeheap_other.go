//go:build !linux

package hugeheap

import "errors"

// Mode is "" where the system has no transparent huge pages.
func Mode() string { return "" }

// Reserve does nothing where the system has no transparent huge pages.
func Reserve(n int) (Span, error) {
	return Span{}, errors.New("hugeheap: transparent huge pages are a Linux feature")
}
