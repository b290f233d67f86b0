package engine

import "github.com/quietwire/quietwire/dissect"

// ring keeps each worker's most recent packets (up to snap bytes each) so that an alert can
// carry the packets around its trigger. It is a circular byte arena plus a circular record
// index; a record is valid while its bytes have not been overwritten.
type ring struct {
	arena   []byte
	recs    []ringRec
	next    int   // next record slot
	written int64 // total bytes ever written (absolute position of arena end)
	off     int   // written modulo len(arena), kept to avoid a division per packet
	snap    int
}

type ringRec struct {
	flow uint64
	ts   int64
	pos  int64 // absolute position of the first byte
	n    int32
	wire int32
	lt   uint16
}

func newRing(bytes, records, snap int) *ring {
	return &ring{arena: make([]byte, bytes), recs: make([]ringRec, records), snap: snap}
}

func (r *ring) add(flow uint64, ts int64, lt uint16, data []byte, wire int) {
	n := min(len(data), r.snap)
	if r.off+n > len(r.arena) { // do not split a record across the end: skip to the start
		r.written += int64(len(r.arena) - r.off)
		r.off = 0
	}
	copy(r.arena[r.off:], data[:n])
	r.recs[r.next] = ringRec{flow: flow, ts: ts, pos: r.written, n: int32(n), wire: int32(wire), lt: lt}
	r.written += int64(n)
	r.off += n
	r.next++
	if r.next == len(r.recs) {
		r.next = 0
	}
}

// Packets implements dissect.Evidence.
func (r *ring) Packets(f *dissect.FlowInfo, max int) []dissect.EvidencePacket {
	if f == nil || max <= 0 {
		return nil
	}
	size := int64(len(r.arena))
	var out []dissect.EvidencePacket
	i := r.next
	for k := 0; k < len(r.recs) && len(out) < max; k++ {
		i--
		if i < 0 {
			i = len(r.recs) - 1
		}
		rc := r.recs[i]
		if rc.n == 0 && rc.ts == 0 {
			break
		}
		if r.written-rc.pos > size {
			break // older records are overwritten too
		}
		if rc.flow != f.ID {
			continue
		}
		off := rc.pos % size
		out = append(out, dissect.EvidencePacket{TS: rc.ts, LinkType: rc.lt, WireLen: int(rc.wire), Data: append([]byte(nil), r.arena[off:off+int64(rc.n)]...)})
	}
	for a, b := 0, len(out)-1; a < b; a, b = a+1, b-1 {
		out[a], out[b] = out[b], out[a]
	}
	return out
}

// evidenceSnap is how many bytes of each packet the evidence ring keeps: the headers and the
// industrial PDUs in full (they are short), the first part of bulk transfers. Copying every
// byte of every frame would cost the pipeline more than the whole detection engine.
const evidenceSnap = 384
