//go:build linux

package hugeheap

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// anonHugeKiB sums AnonHugePages over the mappings of /proc/self/smaps that overlap s.
func anonHugeKiB(t *testing.T, s Span) int {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skipf("no /proc/self/smaps: %v", err)
	}
	defer f.Close()
	total, in := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) > 0 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			lo, hi, _ := strings.Cut(fields[0], "-")
			a, err1 := strconv.ParseUint(lo, 16, 64)
			b, err2 := strconv.ParseUint(hi, 16, 64)
			in = err1 == nil && err2 == nil && uintptr(a) < s.End && uintptr(b) > s.Start
			continue
		}
		if in && strings.HasPrefix(line, "AnonHugePages:") {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			total += kb
		}
	}
	return total
}

// The heap's next allocations land in the advised span and fault in as huge pages.
func TestReserveBacksNextAllocationsWithHugePages(t *testing.T) {
	switch Mode() {
	case "never", "":
		t.Skipf("transparent huge pages are %q on this system", Mode())
	case "always":
		t.Skip("transparent huge pages are \"always\" here: the kernel backs the heap without advice")
	}
	s, err := Reserve(64 << 20)
	if err != nil {
		t.Fatal(err)
	}
	if s.Len() < 60<<20 || s.Start%hugePage != 0 || s.End%hugePage != 0 {
		t.Fatalf("span %#x-%#x (%d bytes): want about 64 MiB on 2 MiB boundaries", s.Start, s.End, s.Len())
	}
	var bufs [][]byte
	inside := 0
	for i := 0; i < 16; i++ {
		b := make([]byte, 1<<20)
		for j := range b {
			b[j] = byte(j)
		}
		if p := uintptr(unsafe.Pointer(unsafe.SliceData(b))); p >= s.Start && p+uintptr(len(b)) <= s.End {
			inside++
		}
		bufs = append(bufs, b)
	}
	if inside < 8 {
		t.Fatalf("%d of 16 new 1 MiB buffers are in the advised span: the heap did not reuse it", inside)
	}
	if kb := anonHugeKiB(t, s); kb < 2048 {
		t.Fatalf("AnonHugePages over the span: %d KiB, want at least one 2 MiB page", kb)
	}
	if len(bufs) != 16 {
		t.Fatal("buffers lost")
	}
	// Only the first call in a process advises: a second one (analyze run twice in one
	// process, as the command's tests do) gives the same span and costs nothing.
	if s2, err := Reserve(128 << 20); err != nil || s2 != s {
		t.Fatalf("second Reserve: %#x-%#x, %v; want the first span %#x-%#x", s2.Start, s2.End, err, s.Start, s.End)
	}
}

func TestReserveRefusesLessThanTwoHugePages(t *testing.T) {
	if Mode() != "madvise" {
		t.Skipf("transparent huge pages are %q here, not madvise", Mode())
	}
	if _, err := reserve(3 << 20); err == nil || !strings.Contains(err.Error(), "less than two huge pages") {
		t.Fatalf("reserve(3 MiB): %v", err)
	}
}

func TestMode(t *testing.T) {
	m := Mode()
	if _, err := os.Stat("/sys/kernel/mm/transparent_hugepage/enabled"); err != nil {
		if m != "" {
			t.Fatalf("Mode() = %q without the sysfs file", m)
		}
		t.Skip("no /sys/kernel/mm/transparent_hugepage/enabled")
	}
	if m != "always" && m != "madvise" && m != "never" {
		t.Fatalf("Mode() = %q", m)
	}
}
