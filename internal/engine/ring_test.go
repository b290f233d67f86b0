package engine

import (
	"testing"
	"unsafe"

	"github.com/quietwire/quietwire/dissect"
)

func ringFlow(r *ring, id uint64) *Flow {
	f := &Flow{ring: r}
	f.info.ID = id
	return f
}

// The ring returns a flow's newest packets in order along the flow's chain, drops what was
// overwritten (records and arena bytes), snaps long packets, and adding does not allocate.
func TestRing(t *testing.T) {
	r := newRing(1000, 8, 100)
	a, b := ringFlow(r, 1), ringFlow(r, 2)
	for i := 0; i < 6; i++ {
		r.add(a, int64(i), 1, []byte{byte(i), 1, 2, 3}, 4, 0, 0)
		r.add(b, int64(i), 1, make([]byte, 300), 300, 0, 0)
	}
	got := a.Packets(nil, 10)
	// 8 record slots: the last 4 of each flow survive; flow 2's 300-byte frames are snapped.
	if len(got) != 4 || got[0].TS != 2 || got[3].TS != 5 || got[3].Data[0] != 5 {
		t.Fatalf("flow 1: %+v", got)
	}
	if got := a.Packets(nil, 2); len(got) != 2 || got[0].TS != 4 || got[1].TS != 5 {
		t.Fatalf("flow 1, newest 2: %+v", got)
	}
	gb := b.Packets(nil, 10)
	if len(gb) == 0 || len(gb[0].Data) != 100 || gb[0].WireLen != 300 {
		t.Fatalf("flow 2: %d packets, first %d bytes", len(gb), len(gb[0].Data))
	}
	// Bytes overwritten by the arena wrapping are not returned as evidence.
	c := ringFlow(r, 3)
	for i := 0; i < 20; i++ {
		r.add(c, 100+int64(i), 1, make([]byte, 90), 90, 0, 0)
	}
	if got := a.Packets(nil, 10); len(got) != 0 {
		t.Fatalf("overwritten packets returned: %d", len(got))
	}
	// A flow whose chain runs into records since reused by another flow stops there.
	d := ringFlow(r, 4)
	r.add(d, 200, 1, []byte{9}, 1, 0, 0)
	for i := 0; i < 7; i++ {
		r.add(c, 300+int64(i), 1, []byte{1}, 1, 0, 0)
	}
	if got := d.Packets(nil, 10); len(got) != 1 || got[0].TS != 200 {
		t.Fatalf("flow 4: %+v", got)
	}
	r.add(c, 400, 1, []byte{1}, 1, 0, 0)
	if got := d.Packets(nil, 10); len(got) != 0 {
		t.Fatalf("flow 4 after its record was reused: %+v", got)
	}
	frame := make([]byte, 200)
	e := ringFlow(r, 5)
	if n := testing.AllocsPerRun(1000, func() { r.add(e, 1, 1, frame, 200, 0, 0) }); n != 0 {
		t.Fatalf("%v allocs per add (copied)", n)
	}
	if n := testing.AllocsPerRun(1000, func() { r.add(e, 1, 1, frame, 200, 1, 4096) }); n != 0 {
		t.Fatalf("%v allocs per add (by reference)", n)
	}
	var _ dissect.Evidence = e
	if n := unsafe.Sizeof(ringRec{}); n != 32 {
		t.Fatalf("ring records are %d bytes, not 32 (two to a cache line)", n)
	}
}
