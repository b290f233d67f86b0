package decode

// fragTable reassembles IP datagrams. It holds at most max datagrams of at most 64 KiB each;
// a datagram waiting longer than timeout (packet time) is dropped and counted.
type fragTable struct {
	ents        []fragEnt
	timeout     int64
	out         []byte
	reassembled uint64
	expired     uint64
}

type fragEnt struct {
	used     bool
	v6       bool
	src, dst [16]byte
	id       uint32
	proto    uint8
	first    int64
	buf      []byte // 64 KiB, allocated once per slot
	have     [32][2]int
	nhave    int
	total    int // -1 until the last fragment is seen
}

func (t *fragTable) init(max int, timeout int64) {
	t.ents = make([]fragEnt, max)
	t.timeout = timeout
	t.out = make([]byte, 0, 65536)
}

// add stores a fragment of p's datagram; when the datagram is complete it returns its payload.
func (t *fragTable) add(p *Packet, id uint32, off int, more bool, data []byte) ([]byte, Reason) {
	if off+len(data) > 65535 {
		return nil, DropFragBad
	}
	var e *fragEnt
	free := -1
	for i := range t.ents {
		x := &t.ents[i]
		if !x.used {
			if free < 0 {
				free = i
			}
			continue
		}
		if p.TS-x.first > t.timeout || x.first-p.TS > t.timeout {
			x.used = false
			t.expired++
			if free < 0 {
				free = i
			}
			continue
		}
		if x.id == id && x.proto == p.Proto && x.src == p.SrcIP && x.dst == p.DstIP && x.v6 == (p.IPVersion == 6) {
			e = x
			break
		}
	}
	if e == nil {
		if free < 0 {
			return nil, DropFragOverflow
		}
		e = &t.ents[free]
		if e.buf == nil {
			e.buf = make([]byte, 65536)
		}
		e.used, e.v6, e.src, e.dst, e.id, e.proto, e.first = true, p.IPVersion == 6, p.SrcIP, p.DstIP, id, p.Proto, p.TS
		e.nhave, e.total = 0, -1
	}
	copy(e.buf[off:], data)
	if !more {
		e.total = off + len(data)
	}
	// Merge the new range into the sorted coverage list.
	lo, hi := off, off+len(data)
	n := 0
	var merged [32][2]int
	inserted := false
	for i := 0; i < e.nhave; i++ {
		r := e.have[i]
		if r[1] < lo {
			merged[n] = r
			n++
			continue
		}
		if r[0] > hi {
			if !inserted {
				merged[n] = [2]int{lo, hi}
				n++
				inserted = true
			}
			if n == len(merged) {
				e.used = false
				return nil, DropFragOverflow
			}
			merged[n] = r
			n++
			continue
		}
		lo, hi = min(lo, r[0]), max(hi, r[1])
	}
	if !inserted {
		if n == len(merged) {
			e.used = false
			return nil, DropFragOverflow
		}
		merged[n] = [2]int{lo, hi}
		n++
	}
	e.have, e.nhave = merged, n
	if e.total >= 0 && e.nhave == 1 && e.have[0][0] == 0 && e.have[0][1] >= e.total {
		t.out = append(t.out[:0], e.buf[:e.total]...)
		e.used = false
		t.reassembled++
		return t.out, OK
	}
	return nil, FragHeld
}
