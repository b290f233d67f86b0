package engine

import (
	"fmt"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/decode"
)

// startProbing marks the factories that may claim the flow.
func (w *worker) startProbing(f *Flow, udp bool) {
	t := 0
	tr := dissect.TCP
	if udp {
		t, tr = 1, dissect.UDP
	}
	var cands []*dissect.Factory
	seen := [2]uint64{}
	add := func(i int) {
		if seen[i/64]&(1<<(i%64)) != 0 {
			return
		}
		seen[i/64] |= 1 << (i % 64)
		cands = append(cands, w.e.facs[i])
	}
	for _, i := range w.e.byPort[t][f.info.Resp.Port] {
		add(i)
	}
	for _, i := range w.e.byPort[t][f.info.Orig.Port] {
		add(i)
	}
	for i, fac := range w.e.facs {
		if fac.Transport&tr != 0 && !fac.PortOnly {
			add(i)
		}
	}
	if len(cands) > 0 {
		f.cands = cands
		f.probing = true
	}
}

// deliver hands in-order payload bytes of direction d to the flow's parser, or to the probes.
func (w *worker) deliver(f *Flow, d dissect.Dir, data []byte) {
	if f.parser != nil {
		w.feed(f, d, data)
		return
	}
	if f.probing {
		w.probe(f, d, data)
	}
}

func (w *worker) probe(f *Flow, d dissect.Dir, data []byte) {
	udp := f.info.Proto == 17
	room := dissect.ProbeDepth - f.probeLen[d]
	if room <= 0 {
		return
	}
	keep := data
	if len(keep) > room && !udp {
		keep = keep[:room]
	}
	// The bytes of d so far, contiguous, for the probes to look at.
	var view []byte
	if udp {
		view = data
	} else {
		view = w.probeView(f, d, keep)
	}
	matched := -1
	n := 0
	for i, fac := range f.cands {
		switch fac.Probe(d, view) {
		case dissect.Match:
			matched = i
		case dissect.NoMatch:
			continue
		}
		if matched >= 0 {
			break
		}
		f.cands[n] = fac
		n++
	}
	if matched >= 0 {
		fac := f.cands[matched]
		w.attach(f, fac)
		chunks := f.probeBuf
		f.probeBuf = nil
		f.probing = false
		if udp {
			w.feed(f, d, data)
			return
		}
		for _, c := range chunks {
			if f.parser == nil {
				return
			}
			if c.dir != d || len(c.data) > 0 {
				w.feed(f, c.dir, c.data)
			}
		}
		if f.parser != nil && len(keep) < len(data) {
			w.feed(f, d, data[len(keep):])
		}
		return
	}
	f.cands = f.cands[:n]
	if n == 0 {
		f.probing = false
		f.probeBuf = nil
		return
	}
	if udp {
		// Datagrams are self-contained: keep the first few so a later match on the other
		// direction can still see the request.
		if len(f.probeBuf) < 4 {
			f.probeBuf = append(f.probeBuf, probeChunk{dir: d, data: append([]byte(nil), data...)})
		}
		f.probeLen[d]++
		if f.probeLen[0]+f.probeLen[1] >= 16 {
			f.probing, f.probeBuf = false, nil
		}
		return
	}
	if f.probeLen[0] >= dissect.ProbeDepth && f.probeLen[1] >= dissect.ProbeDepth {
		f.probing, f.probeBuf = false, nil
	}
}

// probeView appends keep to d's probe buffer and returns all of d's buffered bytes.
func (w *worker) probeView(f *Flow, d dissect.Dir, keep []byte) []byte {
	f.probeBuf = append(f.probeBuf, probeChunk{dir: d, data: append([]byte(nil), keep...)})
	f.probeLen[d] += len(keep)
	var view []byte
	for _, c := range f.probeBuf {
		if c.dir == d {
			view = append(view, c.data...)
		}
	}
	return view
}

func (w *worker) attach(f *Flow, fac *dissect.Factory) {
	// The Env lives in the Flow, which the worker recycles: no fresh memory per flow.
	f.envMem = dissect.Env{Flow: &f.info, Name: fac.Name, Site: w.e.cfg.Site, TS: w.now, Out: w.tee, Runs: w.e.runs}
	env := &f.envMem
	f.env = env
	f.fac = fac
	f.cands = nil
	var p dissect.Parser
	if !w.call(f, func() { p = fac.New(env) }) || p == nil {
		return
	}
	f.parser = p
	if f.info.Proto == 17 {
		// UDP flows: a replay of datagrams kept while probing, other direction first.
		chunks := f.probeBuf
		f.probeBuf = nil
		for _, c := range chunks {
			if f.parser != nil {
				w.parse(f, c.dir, c.data)
			}
		}
	}
}

// feed gives data to the parser, keeping what it leaves unconsumed (TCP) for next time.
func (w *worker) feed(f *Flow, d dissect.Dir, data []byte) {
	if f.info.Proto != 6 {
		w.parse(f, d, data)
		return
	}
	ds := &f.dirs[d]
	if len(ds.pending) == 0 {
		n := w.parse(f, d, data)
		if f.parser == nil {
			return
		}
		if n < len(data) {
			ds.pending = append(ds.pending[:0], data[n:]...)
		}
	} else {
		ds.pending = append(ds.pending, data...)
		n := w.parse(f, d, ds.pending)
		if f.parser == nil {
			ds.pending = ds.pending[:0]
			return
		}
		m := copy(ds.pending, ds.pending[n:])
		ds.pending = ds.pending[:m]
	}
	if len(ds.pending) > w.e.cfg.MaxPending {
		w.ctr[CtrPendingCap]++
		lost := len(ds.pending)
		ds.pending = ds.pending[:0]
		w.call(f, func() { f.parser.Gap(d, lost) })
	}
}

// parse runs Parse with panic recovery and contract checks; it returns bytes consumed.
func (w *worker) parse(f *Flow, d dissect.Dir, b []byte) (n int) {
	env := f.env
	env.TS = w.now
	defer func() {
		if r := recover(); r != nil {
			w.ctr[CtrParserPanic]++
			env.Weird(f.fac.Name+"_parser_panic", fmt.Sprint(r))
			w.collect(f)
			f.parser = nil
			n = len(b)
		}
	}()
	n, err := f.parser.Parse(d, b)
	if n < 0 || n > len(b) {
		w.ctr[CtrParserBadN]++
		n = len(b)
	}
	if n > 0 {
		f.parsed[d] = true
	}
	if f.service == "" && env.PDUs > 0 {
		f.service = f.fac.Name
	}
	if err != nil {
		w.ctr[CtrParserError]++
		w.collect(f)
		f.parser.Close()
		f.parser = nil
		return len(b)
	}
	return n
}

// l2frame hands non-IP frames to Ethertype dissectors, one pseudo-flow per MAC pair and type.
func (w *worker) l2frame(p *decode.Packet) {
	idx := w.e.etherLists[w.e.etherIdx[p.EtherType]]
	payload := p.L2Payload
	et := p.EtherType
	if p.LLC {
		// 802.2 LLC: DSAP, SSAP, control (1 byte for U frames, 2 for I/S); SNAP adds OUI + PID.
		b := p.L2Payload
		if len(b) < 3 {
			w.l2Unhandled++
			return
		}
		hl := 3
		if b[2]&0x03 != 0x03 {
			hl = 4
		}
		if b[0] == 0xaa && len(b) >= 8 {
			snap := uint64(b[3])<<32 | uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
			idx = w.e.bySNAP[snap]
			payload = b[8:]
			et = uint16(snap)
		} else if len(b) >= hl {
			idx = w.e.bySAP[b[0]]
			payload = b[hl:]
			et = uint16(b[0])
		}
	}
	if len(idx) == 0 {
		w.l2Unhandled++
		return
	}
	// The layer-2 flow's key: MACs, ethertype (or SAP/SNAP id), first VLAN, LLC or not.
	var k key
	copy(k.a[:6], p.Src[:])
	copy(k.b[:6], p.Dst[:])
	k.pa = et
	if p.LLC {
		k.pb = 1
	}
	if p.NVLAN > 0 {
		k.vlan = p.VLANs[0]
	}
	// Most layer-2 frames are the cyclic I/O of a few flows: a direct-mapped cache of recent
	// ones, in front of the table, saves hashing their keys.
	c := &w.l2c[(k.a[5]^k.b[5]^byte(et)^byte(k.vlan))%uint8(len(w.l2c))]
	f := c.f
	var h uint64
	if f == nil || c.k != k {
		h = k.hash()
		f = w.l2.get(&k, h)
		c.k, c.f = k, f
	}
	if f == nil {
		f = &Flow{}
		f.info = dissect.FlowInfo{
			Orig: dissect.Endpoint{MAC: p.Src}, Resp: dissect.Endpoint{MAC: p.Dst},
			EtherType: et, VLAN: k.vlan,
		}
		f.key = k
		uk := key{a: k.a, b: k.b, pa: et} // the uid does not depend on the VLAN and LLC
		f.info.UID = makeUID(&uk, p.TS)
		w.nextID++
		f.info.ID = uint64(w.id)<<48 | w.nextID
		if w.ring != nil {
			f.ring, f.info.Evidence = w.ring, f
		}
		f.first = p.TS
		for _, i := range idx {
			fac := w.e.facs[i]
			if fac.Probe(dissect.Orig, payload) == dissect.Match {
				w.attach(f, fac)
				break
			}
		}
		if w.l2.len() < 65536 {
			w.l2.put(f, h) // h is set: a new flow was a cache miss
			c.f = f
		}
	}
	f.last = p.TS
	f.dirs[0].pkts++
	if w.ring != nil {
		w.ring.add(f, p.TS, w.curLT, w.curData, w.curWire, w.curSrc, w.curPos)
	}
	if f.parser != nil {
		w.parse(f, dissect.Orig, payload)
	}
}
