package engine

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

// The ring returns a flow's newest packets in order, drops what was overwritten, snaps long
// packets, and adding does not allocate.
func TestRing(t *testing.T) {
	r := newRing(1000, 8, 100)
	a, b := &dissect.FlowInfo{ID: 1}, &dissect.FlowInfo{ID: 2}
	for i := 0; i < 6; i++ {
		r.add(1, int64(i), 1, []byte{byte(i), 1, 2, 3}, 4)
		r.add(2, int64(i), 1, make([]byte, 300), 300)
	}
	got := r.Packets(a, 10)
	// 8 record slots: the last 4 of each flow survive; flow 2's 300-byte frames are snapped.
	if len(got) != 4 || got[0].TS != 2 || got[3].TS != 5 || got[3].Data[0] != 5 {
		t.Fatalf("flow 1: %+v", got)
	}
	gb := r.Packets(b, 10)
	if len(gb) == 0 || len(gb[0].Data) != 100 || gb[0].WireLen != 300 {
		t.Fatalf("flow 2: %d packets, first %d bytes", len(gb), len(gb[0].Data))
	}
	// Bytes overwritten by the arena wrapping are not returned as evidence.
	for i := 0; i < 20; i++ {
		r.add(3, 100+int64(i), 1, make([]byte, 90), 90)
	}
	if got := r.Packets(a, 10); len(got) != 0 {
		t.Fatalf("overwritten packets returned: %d", len(got))
	}
	frame := make([]byte, 200)
	if n := testing.AllocsPerRun(1000, func() { r.add(4, 1, 1, frame, 200) }); n != 0 {
		t.Fatalf("%v allocs per add", n)
	}
}
