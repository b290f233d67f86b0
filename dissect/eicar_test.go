package dissect

import "testing"

// IsEICAR matches the test file at the start of a buffer, with anything after it, and
// allocates nothing (the HTTP and SMB parsers call it on their per-message paths).
func TestIsEICAR(t *testing.T) {
	if len(EICAR) != 68 {
		t.Fatalf("EICAR is %d bytes, want 68", len(EICAR))
	}
	file := []byte(EICAR + "\r\n")
	for _, tc := range []struct {
		b    []byte
		want bool
	}{{file, true}, {file[:68], true}, {file[:67], false}, {append([]byte(" "), file...), false}, {nil, false}} {
		if got := IsEICAR(tc.b); got != tc.want {
			t.Errorf("IsEICAR(%q) = %v", tc.b, got)
		}
	}
	if n := testing.AllocsPerRun(100, func() { IsEICAR(file) }); n != 0 {
		t.Errorf("IsEICAR: %v allocations", n)
	}
}
