//go:build linux

package hugeheap

import (
	"fmt"
	"os"
	"runtime/debug"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

const hugePage = 2 << 20

// madvHugepage is MADV_HUGEPAGE (14 on every Linux architecture).
const madvHugepage = 14

// Mode reports the system's transparent huge page setting ("always", "madvise", "never"), or
// "" where it cannot be read.
func Mode() string {
	b, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil {
		return ""
	}
	s := string(b)
	if i := strings.IndexByte(s, '['); i >= 0 {
		if j := strings.IndexByte(s[i:], ']'); j > 0 {
			return s[i+1 : i+j]
		}
	}
	return ""
}

var once struct {
	sync.Once
	span Span
	err  error
}

// Reserve advises the next n bytes of heap address space (rounded down to whole 2 MiB huge
// pages) for transparent huge pages. Call it early, before the heap has grown: the advised
// span is where the next allocations go. It costs one GC cycle and no resident memory. Only
// the first call in a process does anything; later ones return its result. An error says
// why nothing was advised (ErrUnavailable where the system has huge pages off); the program
// runs the same without it.
func Reserve(n int) (Span, error) {
	once.Do(func() { once.span, once.err = reserve(n) })
	return once.span, once.err
}

func reserve(n int) (Span, error) {
	switch Mode() {
	case "never", "":
		return Span{}, ErrUnavailable
	case "always":
		return Span{}, nil // the kernel already backs the heap with huge pages
	}
	// Under strict overcommit (vm.overcommit_memory=2) the reservation is charged in full,
	// and a refused heap mapping is fatal to a Go program: do not risk it.
	if b, err := os.ReadFile("/proc/sys/vm/overcommit_memory"); err == nil && strings.TrimSpace(string(b)) == "2" {
		return Span{}, fmt.Errorf("hugeheap: strict overcommit (vm.overcommit_memory=2): not reserving %d MiB", n>>20)
	}
	if n < 2*hugePage {
		return Span{}, fmt.Errorf("hugeheap: %d bytes is less than two huge pages", n)
	}
	// A large object gets fresh pages from the OS that nothing has touched; its address
	// range becomes free heap once it is collected.
	block := make([]byte, n)
	base := uintptr(unsafe.Pointer(unsafe.SliceData(block)))
	s := Span{Start: (base + hugePage - 1) &^ (hugePage - 1), End: (base + uintptr(n)) &^ (hugePage - 1)}
	_, _, errno := syscall.Syscall(syscall.SYS_MADVISE, s.Start, s.End-s.Start, madvHugepage)
	// Collect the block and return its pages to the OS as released memory: the advice
	// stays on the mapping, the runtime reuses the range lowest address first.
	debug.FreeOSMemory()
	if errno != 0 {
		return Span{}, fmt.Errorf("hugeheap: madvise(MADV_HUGEPAGE) on %#x-%#x: %v", s.Start, s.End, errno)
	}
	return s, nil
}
