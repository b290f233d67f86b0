package engine

import (
	"slices"
	"unsafe"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/capture"
)

// ring keeps each worker's most recent packets so that an alert can carry the packets of its
// flow around its trigger. It is a circular index of records, each linked to the previous
// record of the same flow, so a flow's evidence is found by following its chain instead of
// scanning the ring.
//
// A record's bytes are where the packet came from when that place can be read again: a
// capture file (the records of an uncompressed file name the file and the packet's offset
// in it, and the bytes are read back only for an alert: nothing is copied per packet). Other
// packets (live capture, compressed files) are copied, up to snap bytes each, into a
// circular byte arena, where a record is valid while its bytes have not been overwritten.
//
// The ring spends its budget (--evidence-ring-mib) on what it holds: with the first packet it
// sizes its records for the source, all of the budget in 32-byte records for a capture file
// (131,072 packets for 4 MiB), a sixth of it beside an arena of the whole budget for copied
// packets (the arena holds about that many packets of an industrial mix). The arena is
// allocated when the first packet has to be copied.
type ring struct {
	budget int
	recs   []ringRec
	seq    uint64 // records ever added; record s lives in recs[s % len(recs)]
	snap   int

	arena   []byte
	written int64 // total bytes ever copied into the arena (absolute position of its end)
	off     int   // written modulo len(arena), kept to avoid a division per packet

	// stores[i-1] reads the packets of records with src i (see capture.Store).
	stores []capture.Store
}

// ringRec is 32 bytes: two records to a cache line. It needs no flow id: a chain only
// reaches records of its own flow, and a record whose seq is within the ring is intact.
type ringRec struct {
	ts   int64
	pos  int64  // src 0: absolute arena position of the first byte; else the data's file offset
	prev uint32 // how many records back the flow's previous one is (0: none, or overwritten)
	wire uint32
	n    uint16
	lt   uint16
	src  uint16
}

func newRing(budget, snap int) *ring {
	return &ring{budget: budget, snap: min(snap, 1<<16-1)}
}

// size allocates the records for a ring whose first packet is copied (copied) or not.
func (r *ring) size(copied bool) {
	n := r.budget / int(unsafe.Sizeof(ringRec{}))
	if copied {
		n = r.budget / 192
	}
	r.recs = make([]ringRec, max(n, 16))
}

// add records the packet being processed for flow f: by reference when src (the index of
// its capture file's store, 1-based) is not 0, else by copying data.
func (r *ring) add(f *Flow, ts int64, lt uint16, data []byte, wire int, src uint16, pos int64) {
	if r.recs == nil {
		r.size(src == 0)
	}
	n := min(len(data), r.snap)
	var back uint32
	if f.evLast != 0 && r.seq-(f.evLast-1) < uint64(len(r.recs)) {
		back = uint32(r.seq - (f.evLast - 1))
	}
	rc := &r.recs[r.seq%uint64(len(r.recs))]
	*rc = ringRec{ts: ts, pos: pos, prev: back, n: uint16(n), wire: uint32(wire), lt: lt, src: src}
	if src == 0 {
		if r.arena == nil {
			r.arena = make([]byte, max(r.budget, 4*r.snap))
		}
		if r.off+n > len(r.arena) { // do not split a record across the end: skip to the start
			r.written += int64(len(r.arena) - r.off)
			r.off = 0
		}
		copy(r.arena[r.off:], data[:n])
		rc.pos = r.written
		r.written += int64(n)
		r.off += n
	}
	if f.evFirstLen < evFirstN {
		f.evFirst[f.evFirstLen] = *rc
		f.evFirstLen++
	}
	r.seq++
	f.evLast = r.seq
}

// evFirstN is how many of its first packets a flow keeps the records of beside the ring: the
// evidence of a flow that ends long after its last packet (an unanswered connection attempt
// that times out after minutes) is its first packets, read back from the capture file.
const evFirstN = 4

// read returns the packet of rc, and false when its bytes are gone (overwritten in the arena,
// or the run's files closed) or cannot be read.
func (r *ring) read(rc *ringRec) (dissect.EvidencePacket, bool) {
	ep := dissect.EvidencePacket{TS: rc.ts, LinkType: rc.lt, WireLen: int(rc.wire)}
	if rc.src == 0 {
		size := int64(len(r.arena))
		if size == 0 || r.written-rc.pos > size {
			return ep, false
		}
		off := rc.pos % size
		ep.Data = append([]byte(nil), r.arena[off:off+int64(rc.n)]...)
		return ep, true
	}
	if int(rc.src) > len(r.stores) {
		return ep, false
	}
	ep.Data = make([]byte, rc.n)
	if err := r.stores[rc.src-1].ReadAt(ep.Data, rc.pos); err != nil {
		return ep, false // the file changed under us: leave the packet out
	}
	return ep, true
}

// packets returns up to max of f's packets, oldest first, as copies: its most recent ones
// along its chain in the ring and, room permitting, those of its first packets that the chain
// no longer reaches.
func (r *ring) packets(f *Flow, max int) []dissect.EvidencePacket {
	var out []dissect.EvidencePacket
	type ref struct {
		src uint16
		pos int64
	}
	var seen []ref // the chain's records, read or not
	for s := f.evLast; s != 0 && len(out) < max; {
		s-- // the record's seq
		if r.seq-s > uint64(len(r.recs)) {
			break // overwritten, and so is everything older
		}
		rc := &r.recs[s%uint64(len(r.recs))]
		seen = append(seen, ref{rc.src, rc.pos})
		ep, ok := r.read(rc)
		if !ok && rc.src == 0 {
			break // the arena wrapped over it, and over everything older
		}
		if ok {
			out = append(out, ep)
		}
		if rc.prev == 0 {
			break // the flow's first record, or its previous one is overwritten
		}
		s = s - uint64(rc.prev) + 1 // seq+1 of the flow's previous record
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	var first []dissect.EvidencePacket
	for i := 0; i < int(f.evFirstLen) && len(out)+len(first) < max; i++ {
		rc := &f.evFirst[i]
		if slices.Contains(seen, ref{rc.src, rc.pos}) {
			break // the chain reaches back to it, and to the ones after it
		}
		if ep, ok := r.read(rc); ok {
			first = append(first, ep)
		}
	}
	return append(first, out...)
}

// Packets implements dissect.Evidence for a flow: its worker's ring, read along its chain.
func (f *Flow) Packets(_ *dissect.FlowInfo, max int) []dissect.EvidencePacket {
	if f.ring == nil || max <= 0 {
		return nil
	}
	return f.ring.packets(f, max)
}

// evidenceSnap is how many bytes of each packet the evidence ring keeps: the headers and the
// industrial PDUs in full (they are short), the first part of bulk transfers. Copying every
// byte of every frame would cost the pipeline more than the whole detection engine.
const evidenceSnap = 384

// maxStores bounds the capture files a run keeps open to read evidence from; the packets of
// later files are copied instead.
const maxStores = 64
