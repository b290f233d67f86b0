package engine

import (
	"io"
	"testing"
	"unsafe"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/capture"
)

func ringFlow(r *ring, id uint64) *Flow {
	f := &Flow{ring: r}
	f.info.ID = id
	return f
}

// The ring returns a flow's newest packets in order along the flow's chain, drops what was
// overwritten (records and arena bytes), snaps long packets, and adding does not allocate.
func TestRing(t *testing.T) {
	r := &ring{arena: make([]byte, 1000), recs: make([]ringRec, 8), snap: 100}
	a, b := ringFlow(r, 1), ringFlow(r, 2)
	for i := 0; i < 6; i++ {
		r.add(a, int64(i), 1, []byte{byte(i), 1, 2, 3}, 4, 0, 0)
		r.add(b, int64(i), 1, make([]byte, 300), 300, 0, 0)
	}
	got := a.Packets(nil, 10)
	// 8 record slots: the last 4 of each flow survive in the ring, and the flow's first 4
	// beside it (their bytes are still in the arena): all six, in order.
	if len(got) != 6 || got[0].TS != 0 || got[5].TS != 5 || got[5].Data[0] != 5 {
		t.Fatalf("flow 1: %+v", got)
	}
	for i := range got {
		if got[i].TS != int64(i) || got[i].Data[0] != byte(i) {
			t.Fatalf("flow 1 packet %d: %+v", i, got[i])
		}
	}
	if got := a.Packets(nil, 2); len(got) != 2 || got[0].TS != 4 || got[1].TS != 5 {
		t.Fatalf("flow 1, newest 2: %+v", got)
	}
	gb := b.Packets(nil, 10)
	// flow 2's 300-byte frames are snapped
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
	// Its record is reused; the packet is still its first, whose bytes the arena holds.
	if got := d.Packets(nil, 10); len(got) != 1 || got[0].TS != 200 || got[0].Data[0] != 9 {
		t.Fatalf("flow 4 after its record was reused: %+v", got)
	}
	d.evFirstLen = 0 // and without it, nothing
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

// A ring sizes itself by its first packet: the whole budget in records when packets are read
// back from a file, a sixth of it beside an arena of the budget when they are copied; the
// arena comes only with the first copied packet.
func TestRingSizing(t *testing.T) {
	byRef := newRing(1<<20, 384)
	byRef.add(ringFlow(byRef, 1), 1, 1, make([]byte, 60), 60, 1, 4096)
	if len(byRef.recs) != 1<<20/32 || byRef.arena != nil {
		t.Fatalf("file-backed ring: %d records, arena %d bytes", len(byRef.recs), len(byRef.arena))
	}
	byRef.add(ringFlow(byRef, 2), 2, 1, make([]byte, 60), 60, 0, 0) // a compressed file after it
	if len(byRef.arena) != 1<<20 {
		t.Fatalf("no arena for the first copied packet: %d bytes", len(byRef.arena))
	}
	copied := newRing(1<<20, 384)
	copied.add(ringFlow(copied, 1), 1, 1, make([]byte, 60), 60, 0, 0)
	if len(copied.recs) != 1<<20/192 || len(copied.arena) != 1<<20 {
		t.Fatalf("copying ring: %d records, arena %d bytes", len(copied.recs), len(copied.arena))
	}
}

// memStore is a capture file in memory.
type memStore []byte

func (m memStore) ReadAt(b []byte, off int64) error {
	if off < 0 || off+int64(len(b)) > int64(len(m)) {
		return io.ErrUnexpectedEOF
	}
	copy(b, m[off:])
	return nil
}
func (memStore) Close() error { return nil }

// A flow whose packets the ring has long overwritten (an unanswered connection attempt that
// times out minutes later) still has its first packets as evidence, read back from the file;
// a flow with more recent packets in the ring has those after its first ones.
func TestRingFirstPackets(t *testing.T) {
	file := make(memStore, 1<<16)
	for i := range file {
		file[i] = byte(i / 64) // packet i (64 bytes at offset 64*i) is all byte(i)
	}
	r := &ring{recs: make([]ringRec, 16), snap: 384, stores: []capture.Store{file}}
	pkt := func(f *Flow, i int) { r.add(f, int64(i), 1, file[64*i:64*i+64], 64, 1, int64(64*i)) }
	syn := ringFlow(r, 1)
	busy := ringFlow(r, 2)
	pkt(syn, 0)
	pkt(syn, 1)
	pkt(syn, 2)
	for i := 3; i < 100; i++ {
		pkt(busy, i)
	}
	got := syn.Packets(nil, 32)
	if len(got) != 3 {
		t.Fatalf("attempt: %d packets, want its 3", len(got))
	}
	for i, p := range got {
		if p.TS != int64(i) || p.Data[0] != byte(i) || len(p.Data) != 64 {
			t.Fatalf("attempt packet %d: ts %d first byte %d", i, p.TS, p.Data[0])
		}
	}
	// busy: its first 4 (3..6), then the ring's last 16 (84..99), oldest first.
	got = busy.Packets(nil, 32)
	if len(got) != 20 || got[0].TS != 3 || got[3].TS != 6 || got[4].TS != 84 || got[19].TS != 99 {
		t.Fatalf("busy flow: %d packets, %d %d %d %d", len(got), got[0].TS, got[3].TS, got[4].TS, got[len(got)-1].TS)
	}
	// No room: the most recent ones win.
	if got = busy.Packets(nil, 5); len(got) != 5 || got[0].TS != 95 {
		t.Fatalf("busy flow, 5 packets: first %d", got[0].TS)
	}
	// A file cut short since (packets 90 on are gone): those packets are left out, the rest kept.
	r.stores[0] = file[:64*90]
	if got = busy.Packets(nil, 32); len(got) != 10 || got[9].TS != 89 {
		t.Fatalf("busy flow from a truncated file: %d packets, last %d", len(got), got[len(got)-1].TS)
	}
	// After the run its files are closed: no packets, no panic.
	r.stores = nil
	if got = busy.Packets(nil, 32); len(got) != 0 {
		t.Fatalf("busy flow after the run: %d packets", len(got))
	}
}

// TestPrefetchPacket: prefetchPacket takes no address outside a packet of any length (an index
// past the end would panic: an empty packet, one shorter than a cache line, one of exactly one
// line, one just over) and allocates nothing.
func TestPrefetchPacket(t *testing.T) {
	buf := make([]byte, 200)
	for _, n := range []int{0, 1, 63, 64, 65, 128, 200} {
		prefetchPacket(buf[:n:n])
	}
	prefetchPacket(nil)
	if a := testing.AllocsPerRun(100, func() { prefetchPacket(buf[:100]) }); a != 0 {
		t.Fatalf("prefetchPacket allocates %v times", a)
	}
}
