package engine

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"net/netip"
	"slices"
	"sync/atomic"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/decode"
	"github.com/quietwire/quietwire/internal/logs"
)

const (
	classTCP = iota
	classUDP
	classOther
	numClasses
)

type worker struct {
	e    *Engine
	id   int
	dec  *decode.Decoder
	out  *logs.Writer
	tee  *tee
	sum  FlowSummary
	ring *ring
	// the frame being processed, for the evidence ring
	curLT   uint16
	curData []byte
	curWire int
	curSrc  uint16 // store of the source the frame came from (1-based; 0: copy it)
	curPos  int64  // its data's offset in that source
	nextID  uint64
	flows   *flowTable
	l2      *flowTable // layer-2 flows (PROFINET RT, GOOSE, SV, LLDP…), by MACs and ethertype
	l2c     [64]l2slot // a direct-mapped cache of l2 (see l2frame)
	lrus    [numClasses]lru

	now                  int64
	firstTS              int64
	lastSweep            int64
	decoded              uint64
	drops                [decode.NumReasons]uint64
	ctr                  map[string]uint64
	pdus                 map[string]uint64
	weirds               map[string]uint64
	flowsSeen            uint64
	reasmMem             int64
	connEnv              dissect.Env
	free                 []*Flow
	pubDecoded, pubFlows atomic.Uint64 // published counters for Live
	// hot counters kept out of the ctr map
	l2Unhandled uint64
	// the flow of the previous packet: consecutive packets of one flow skip the map lookup
	lastKey  key
	lastFlow *Flow
}

type l2slot struct {
	k key
	f *Flow
}

func newWorker(e *Engine, id int) *worker {
	w := &worker{
		e: e, id: id, dec: decode.New(decode.Config{VerifyChecksums: e.cfg.VerifyChecksums}), out: e.logs.Writer(),
		flows: newFlowTable(1024), l2: newFlowTable(64),
		ctr: map[string]uint64{}, pdus: map[string]uint64{}, weirds: map[string]uint64{},
	}
	w.connEnv = dissect.Env{Name: "conn", Site: e.cfg.Site, Out: w.out}
	w.tee = &tee{w: w.out, obs: e.cfg.Observer}
	if e.cfg.EvidenceBytes > 0 {
		w.ring = newRing(e.cfg.EvidenceBytes, evidenceSnap)
	}
	return w
}

func (w *worker) packet(lt uint16, data []byte, ts int64, wire int) {
	w.curLT, w.curData, w.curWire = lt, data, wire
	p, r := w.dec.Decode(lt, data, ts, wire)
	if r != decode.OK && r != decode.FragHeld {
		w.drops[r]++
		return
	}
	w.decoded++
	if ts > w.now {
		w.now = ts
	}
	if w.firstTS == 0 {
		w.firstTS = ts
	}
	if w.now-w.lastSweep >= 1e9 {
		w.sweep()
		w.lastSweep = w.now
	}
	if r == decode.FragHeld {
		return
	}
	if p.IPVersion == 0 {
		w.l2frame(p)
		return
	}
	switch p.Proto {
	case decode.ProtoTCP, decode.ProtoUDP, decode.ProtoICMP, decode.ProtoICMPv6:
		w.ipPacket(p)
	default:
		w.ipPacket(p) // other IP protocols: a flow without ports, as Zeek's unknown_transport
	}
}

// icmpCounterpart maps ICMP request/reply types onto each other (Zeek's counterpart types).
func icmpCounterpart(v6 bool, t uint8) (uint8, bool) {
	if !v6 {
		switch t {
		case 8:
			return 0, true
		case 0:
			return 8, true
		case 13:
			return 14, true
		case 14:
			return 13, true
		case 15:
			return 16, true
		case 16:
			return 15, true
		case 17:
			return 18, true
		case 18:
			return 17, true
		case 10:
			return 9, true
		case 9:
			return 10, true
		}
		return 0, false
	}
	switch t {
	case 128:
		return 129, true
	case 129:
		return 128, true
	case 133:
		return 134, true
	case 134:
		return 133, true
	case 135:
		return 136, true
	case 136:
		return 135, true
	case 130:
		return 131, true
	case 131:
		return 130, true
	case 139:
		return 140, true
	case 140:
		return 139, true
	case 144:
		return 145, true
	case 145:
		return 144, true
	case 146:
		return 147, true
	case 147:
		return 146, true
	}
	return 0, false
}

func isBroadcastOrMulticast(a [16]byte, v6 bool) bool {
	if v6 {
		return a[0] == 0xff
	}
	return a[0] >= 224 || (a[3] == 255)
}

func (w *worker) ipPacket(p *decode.Packet) {
	v6 := p.IPVersion == 6
	sp, dp := p.SrcPort, p.DstPort
	isICMP := p.Proto == decode.ProtoICMP || p.Proto == decode.ProtoICMPv6
	if isICMP {
		sp = uint16(p.ICMPType)
		if c, ok := icmpCounterpart(v6, p.ICMPType); ok {
			dp = uint16(c)
		} else {
			dp = uint16(p.ICMPCode)
		}
	} else if p.Proto != decode.ProtoTCP && p.Proto != decode.ProtoUDP {
		sp, dp = 0, 0
	}
	var k key
	k.proto, k.v6 = p.Proto, v6
	if p.NVLAN > 0 && !w.e.cfg.IgnoreVLAN {
		k.vlan = p.VLANs[0]
	}
	srcIsA := lessEP(p.SrcIP, sp, p.DstIP, dp)
	if srcIsA {
		k.a, k.pa, k.b, k.pb = p.SrcIP, sp, p.DstIP, dp
	} else {
		k.a, k.pa, k.b, k.pb = p.DstIP, dp, p.SrcIP, sp
	}
	var f *Flow
	if w.lastFlow != nil && w.lastKey == k {
		f = w.lastFlow
	} else {
		f = w.flows.get(&k, k.hash())
	}
	if f != nil && p.TS-f.last > w.timeout(f) {
		// Idle past its timeout (the periodic sweep runs once a second of packet time).
		w.end(f)
		f = nil
	}
	if f != nil && f.closed && p.Proto == decode.ProtoTCP && p.Flags&(decode.SYN|decode.ACK) == decode.SYN {
		// A new connection on a closed 5-tuple: finish the old one first.
		w.end(f)
		f = nil
	}
	if f == nil {
		f = w.newFlow(k, p, srcIsA, sp, dp)
	}
	w.lastKey, w.lastFlow = k, f
	var d dissect.Dir
	if srcIsA != f.origA {
		d = dissect.Resp
	}
	f.last = p.TS
	if p.TS-f.queued >= lruStep {
		// Moved to the front at most once per lruStep of packet time: the list stays ordered
		// by queued, and a flow's last packet is less than lruStep after it, so the sweep
		// (once a second) finds idle flows at the tail as an exact LRU would, a sweep late at
		// most, without relinking the list on every packet.
		w.lrus[f.class].touch(f)
		f.queued = p.TS
	}
	if w.ring != nil {
		w.ring.add(f, p.TS, w.curLT, w.curData, w.curWire, w.curSrc, w.curPos)
	}
	ds := &f.dirs[d]
	ds.pkts++
	ds.ipBytes += uint64(p.IPLen)
	if f.info.Orig.MAC == ([6]byte{}) || f.info.Resp.MAC == ([6]byte{}) {
		if p.HasEth {
			if d == dissect.Orig {
				f.info.Orig.MAC = p.Src
			} else {
				f.info.Resp.MAC = p.Src
			}
			if p.Dst != ([6]byte{}) {
				if d == dissect.Orig {
					f.info.Resp.MAC = p.Dst
				} else {
					f.info.Orig.MAC = p.Dst
				}
			}
		}
	}
	switch p.Proto {
	case decode.ProtoTCP:
		w.tcp(f, d, p)
	case decode.ProtoUDP:
		ds.state = stEstablished
		if len(p.Payload) > 0 {
			f.addHist(d, hData, 'd')
			ds.bytes += uint64(len(p.Payload))
			w.deliver(f, d, p.Payload)
		}
	default:
		ds.state = stEstablished
		ds.bytes += uint64(len(p.Payload))
	}
	if w.e.cfg.ActiveTimeout > 0 && f.last-f.first > w.e.cfg.ActiveTimeout {
		w.end(f)
	}
}

func lessEP(a [16]byte, pa uint16, b [16]byte, pb uint16) bool {
	for i := 0; i < 16; i++ {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return pa <= pb
}

func (w *worker) newFlow(k key, p *decode.Packet, srcIsA bool, sp, dp uint16) *Flow {
	if w.flows.len() >= w.e.cfg.MaxFlows {
		// Evict the least recently active flow of the biggest class.
		var victim *Flow
		for c := range w.lrus {
			if t := w.lrus[c].tail; t != nil && (victim == nil || t.last < victim.last) {
				victim = t
			}
		}
		if victim != nil {
			w.ctr[CtrFlowsEvicted]++
			w.end(victim)
		}
	}
	var f *Flow
	if n := len(w.free); n > 0 {
		f = w.free[n-1]
		w.free = w.free[:n-1]
		hist := f.hist[:0]
		pend := [2][]byte{f.dirs[0].pending[:0], f.dirs[1].pending[:0]}
		*f = Flow{}
		f.hist = hist
		f.dirs[0].pending, f.dirs[1].pending = pend[0], pend[1]
	} else {
		f = &Flow{hist: make([]byte, 0, 16)}
	}
	f.key = k
	f.first, f.last = p.TS, p.TS
	v6 := p.IPVersion == 6
	flip := false
	switch p.Proto {
	case decode.ProtoTCP:
		switch {
		case p.Flags&(decode.SYN|decode.FIN|decode.RST) != decode.SYN:
			// No clean handshake start (midstream, or a SYN mixed with FIN/RST): guess the
			// server by its port, as Zeek does when it missed the handshake.
			flip = w.e.likely[sp] && !w.e.likely[dp] && !isBroadcastOrMulticast(p.DstIP, v6)
		case p.Flags&decode.ACK != 0:
			flip = true // SYN-ACK first: the sender is the responder
		}
		f.class = classTCP
	case decode.ProtoUDP:
		flip = w.e.likely[sp] && !w.e.likely[dp] && !isBroadcastOrMulticast(p.DstIP, v6)
		f.class = classUDP
	default:
		f.class = classOther
	}
	// orig is the source unless flipped.
	f.origA = srcIsA != flip
	if flip {
		f.hist = append(f.hist, '^')
	}
	oIP, oP, rIP, rP := p.SrcIP, sp, p.DstIP, dp
	if flip {
		oIP, oP, rIP, rP = rIP, rP, oIP, oP
	}
	f.info = dissect.FlowInfo{
		Orig:  dissect.Endpoint{IP: addrFrom(oIP, v6), Port: oP},
		Resp:  dissect.Endpoint{IP: addrFrom(rIP, v6), Port: rP},
		Proto: p.Proto,
	}
	if p.NVLAN > 0 {
		f.info.VLAN = p.VLANs[0]
	}
	f.info.UID = makeUID(&k, p.TS)
	w.nextID++
	f.info.ID = uint64(w.id)<<48 | w.nextID
	if w.ring != nil {
		f.ring, f.info.Evidence = w.ring, f
	}
	f.hash = k.hash()
	w.flows.put(f, f.hash)
	w.lrus[f.class].pushFront(f)
	f.queued = p.TS
	w.flowsSeen++
	if p.Proto == decode.ProtoTCP || p.Proto == decode.ProtoUDP {
		w.startProbing(f, p.Proto == decode.ProtoUDP)
	}
	return f
}

// makeUID derives a Zeek-style uid ("C" + base62) from the flow key and its first packet
// time, so that a capture always gives the same uids whatever the worker count.
func makeUID(k *key, ts int64) string {
	h1 := uint64(ts) ^ 0x9e3779b97f4a7c15
	for i := 0; i < 16; i += 8 {
		h1 = mix(h1 ^ binary.LittleEndian.Uint64(k.a[i:]))
		h1 = mix(h1 ^ binary.LittleEndian.Uint64(k.b[i:]))
	}
	h1 = mix(h1 ^ uint64(k.pa)<<32 ^ uint64(k.pb)<<16 ^ uint64(k.proto)<<8 ^ uint64(k.vlan)<<40)
	h2 := mix(h1 ^ 0x51afd7ed558ccd)
	const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	var b [18]byte
	b[0] = 'C'
	n := 1
	for _, h := range [2]uint64{h1, h2 >> 16} {
		for i := 0; i < 8 && n < len(b); i++ {
			b[n] = digits[h%62]
			h /= 62
			n++
		}
	}
	return string(b[:n])
}

func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

func (w *worker) tcp(f *Flow, d dissect.Dir, p *decode.Packet) {
	ds, peer := &f.dirs[d], &f.dirs[d^1]
	fl := p.Flags
	if fl&decode.SYN != 0 {
		if fl&decode.ACK != 0 {
			f.addHist(d, hSynAck, 'h')
		} else {
			f.addHist(d, hSyn, 's')
		}
	}
	if fl&decode.FIN != 0 {
		f.addHist(d, hFin, 'f')
	}
	if fl&decode.RST != 0 {
		f.addHist(d, hRst, 'r')
	}
	if len(p.Payload) > 0 {
		f.addHist(d, hData, 'd')
	} else if fl&decode.ACK != 0 && fl&(decode.SYN|decode.FIN|decode.RST) == 0 {
		f.addHist(d, hAck, 'a')
	}
	if p.Win == 0 && fl&(decode.SYN|decode.FIN|decode.RST) == 0 && fl&decode.ACK != 0 {
		f.addHist(d, hZeroWin, 'w')
	}
	switch {
	case fl&decode.RST != 0:
		ds.state = stReset
	case fl&decode.FIN != 0:
		if ds.state != stReset {
			ds.state = stClosed
		}
	case fl&decode.SYN != 0 && fl&decode.ACK == 0:
		if ds.state == stInactive {
			ds.state = stSynSent
		}
	case fl&decode.SYN != 0:
		if ds.state == stInactive || ds.state == stPartial {
			ds.state = stSynAckSent
		}
	default:
		switch ds.state {
		case stInactive:
			ds.state = stPartial
		case stSynSent:
			if peer.state == stSynAckSent || peer.state == stEstablished {
				ds.state, peer.state = stEstablished, stEstablished
			}
		case stSynAckSent:
			if peer.state == stSynSent || peer.state == stEstablished {
				ds.state, peer.state = stEstablished, stEstablished
			}
		}
	}
	if (ds.state == stReset || ds.state == stClosed) && (peer.state == stReset || peer.state == stClosed || ds.state == stReset) {
		f.closed = true
	}

	seq := p.Seq
	if fl&decode.SYN != 0 && fl&(decode.FIN|decode.RST) != 0 {
		// SYN with FIN or RST: no TCP stack accepts such a segment, so its sequence number
		// and payload do not start a stream (scanners and fuzzers send them).
		return
	}
	if fl&decode.SYN != 0 {
		if !ds.seqInit || ds.bytes == 0 {
			ds.seqInit = true
			ds.next = seq + 1
		}
		seq++
	}
	if len(p.Payload) > 0 {
		if !ds.seqInit {
			if len(p.Payload) == 1 && fl&(decode.PSH|decode.SYN|decode.FIN) == 0 {
				// Picked up midstream on a 1-byte segment without PSH: a TCP keep-alive
				// (one byte already acknowledged, sent one below the real sequence). Starting
				// the stream on it would put a stray byte before the first real PDU.
				return
			}
			ds.seqInit = true
			ds.next = seq
		}
		w.segment(f, d, seq, p.Payload)
	}
	// The peer acknowledged bytes we never saw: skip the hole instead of waiting for it.
	if fl&decode.ACK != 0 && peer.seqInit {
		if ahead := int32(p.Ack - peer.next); ahead > 0 {
			fin := peer.state == stClosed || peer.state == stReset
			if !(fin && ahead == 1) && (peer.oooLen > 0 || peer.bytes > 0) {
				w.skipTo(f, d^1, p.Ack)
			}
		}
	}
}

func (w *worker) segment(f *Flow, d dissect.Dir, seq uint32, data []byte) {
	ds := &f.dirs[d]
	diff := int32(seq - ds.next)
	if diff < 0 {
		if int(-diff) >= len(data) {
			f.addHist(d, hRetrans, 't')
			return
		}
		data = data[-diff:]
		seq = ds.next
		diff = 0
	}
	if diff == 0 {
		ds.next += uint32(len(data))
		ds.bytes += uint64(len(data))
		w.deliver(f, d, data)
		if len(ds.ooo) > 0 {
			w.drain(f, d)
		}
		return
	}
	// Out of order: keep a copy, within the caps.
	cfg := &w.e.cfg
	if ds.oooLen+len(data) > cfg.StreamDepth || w.reasmMem+int64(len(data)) > cfg.ReassemblyMem {
		if ds.oooLen+len(data) > cfg.StreamDepth {
			w.ctr[CtrStreamCap]++
		} else {
			w.ctr[CtrReasmMemCap]++
		}
		// Skip to the earliest byte we hold (or this segment) and carry on.
		to := seq
		if len(ds.ooo) > 0 && int32(ds.ooo[0].seq-to) < 0 {
			to = ds.ooo[0].seq
		}
		w.gap(f, d, int(to-ds.next))
		ds.next = to
		w.drain(f, d)
		w.segment(f, d, seq, data)
		return
	}
	c := make([]byte, len(data))
	copy(c, data)
	i := len(ds.ooo)
	for i > 0 && int32(ds.ooo[i-1].seq-seq) > 0 {
		i--
	}
	ds.ooo = append(ds.ooo, seg{})
	copy(ds.ooo[i+1:], ds.ooo[i:])
	ds.ooo[i] = seg{seq: seq, data: c}
	ds.oooLen += len(c)
	w.reasmMem += int64(len(c))
}

// drain delivers buffered segments that are now in order.
func (w *worker) drain(f *Flow, d dissect.Dir) {
	ds := &f.dirs[d]
	for len(ds.ooo) > 0 {
		s := ds.ooo[0]
		diff := int32(s.seq - ds.next)
		if diff > 0 {
			return
		}
		ds.ooo = ds.ooo[1:]
		ds.oooLen -= len(s.data)
		w.reasmMem -= int64(len(s.data))
		if int(-diff) < len(s.data) {
			b := s.data[-diff:]
			ds.next += uint32(len(b))
			ds.bytes += uint64(len(b))
			w.deliver(f, d, b)
		}
	}
	if len(ds.ooo) == 0 {
		ds.ooo = nil
	}
}

// skipTo declares everything before seq in d's stream either delivered (from the buffer) or lost.
func (w *worker) skipTo(f *Flow, d dissect.Dir, to uint32) {
	ds := &f.dirs[d]
	for len(ds.ooo) > 0 && int32(ds.ooo[0].seq-to) < 0 {
		if gap := int32(ds.ooo[0].seq - ds.next); gap > 0 {
			w.gap(f, d, int(gap))
			ds.next = ds.ooo[0].seq
		}
		w.drain(f, d)
	}
	if gap := int32(to - ds.next); gap > 0 {
		w.gap(f, d, int(gap))
		ds.next = to
	}
}

func (w *worker) gap(f *Flow, d dissect.Dir, n int) {
	if n <= 0 {
		return
	}
	ds := &f.dirs[d]
	ds.missed += uint64(n)
	ds.bytes += uint64(n)
	f.addHist(d, hGap, 'g')
	ds.pending = ds.pending[:0]
	if f.parser != nil {
		w.call(f, func() { f.parser.Gap(d, n) })
	} else if f.probing {
		// A hole while probing: what was buffered for d no longer lines up; start d afresh.
		n := 0
		for _, c := range f.probeBuf {
			if c.dir != d {
				f.probeBuf[n] = c
				n++
			}
		}
		f.probeBuf = f.probeBuf[:n]
		f.probeLen[d] = 0
	}
}

func (w *worker) timeout(f *Flow) int64 {
	cfg := &w.e.cfg
	switch {
	case f.closed:
		return cfg.ClosedLinger
	case f.class == classTCP:
		return cfg.TCPTimeout
	case f.class == classUDP:
		return cfg.UDPTimeout
	}
	return cfg.OtherTimeout
}

// publish makes the worker's counters visible to Engine.Live (another goroutine).
func (w *worker) publish() {
	w.pubDecoded.Store(w.decoded)
	w.pubFlows.Store(w.flowsSeen)
}

func (w *worker) sweep() {
	w.publish()
	cfg := &w.e.cfg
	timeouts := [numClasses]int64{cfg.TCPTimeout, cfg.UDPTimeout, cfg.OtherTimeout}
	for c := range w.lrus {
		l := &w.lrus[c]
		for l.tail != nil {
			f := l.tail
			to := timeouts[c]
			if f.closed {
				to = cfg.ClosedLinger
			}
			if w.now-f.last <= to {
				// Closed flows are not ordered separately: stop at the first live one.
				break
			}
			w.end(f)
		}
	}
}

// end finishes a flow: closes its parser, writes conn.log, frees it.
func (w *worker) end(f *Flow) {
	for d := dissect.Orig; d <= dissect.Resp; d++ {
		// Bytes above a hole that no acknowledgement ever covered are not delivered (as in
		// Zeek): nothing shows the receiver got them, and a parser would read them out of
		// context. They count as missed.
		ds := &f.dirs[d]
		for _, s := range ds.ooo {
			ds.missed += uint64(len(s.data))
			w.reasmMem -= int64(len(s.data))
		}
		ds.ooo, ds.oooLen = nil, 0
	}
	if f.parser != nil {
		w.setTS(f)
		w.call(f, f.parser.Close)
		w.collect(f)
	}
	if !w.e.cfg.NoConnLog {
		w.connLog(f)
	}
	if obs := w.e.cfg.Observer; obs != nil {
		s := &w.sum
		*s = FlowSummary{Info: &f.info, First: f.first, Last: f.last,
			OrigPkts: f.dirs[0].pkts, RespPkts: f.dirs[1].pkts, OrigBytes: f.dirs[0].ipBytes, RespBytes: f.dirs[1].ipBytes,
			OrigPayload: f.dirs[0].bytes - f.dirs[0].missed, RespPayload: f.dirs[1].bytes - f.dirs[1].missed,
			Service: f.service, State: connState(f),
			OrigMACSeen: f.dirs[0].pkts > 0 && f.info.Orig.MAC != ([6]byte{}),
			RespMACSeen: f.dirs[1].pkts > 0 && f.info.Resp.MAC != ([6]byte{})}
		if f.env != nil {
			s.Commands = f.env.Commands
			if f.env.Service != "" {
				s.Service = f.env.Service
			}
		}
		obs.FlowEnd(s)
	}
	w.flows.del(f, f.hash)
	if w.lastFlow == f {
		w.lastFlow = nil
	}
	w.lrus[f.class].remove(f)
	f.parser, f.env, f.cands, f.probeBuf, f.fac = nil, nil, nil, nil, nil
	if len(w.free) < 4096 {
		w.free = append(w.free, f)
	}
}

func (w *worker) collect(f *Flow) {
	if f.env == nil {
		return
	}
	w.pdus[f.fac.Name] += f.env.PDUs
	w.weirds[f.fac.Name] += f.env.Weirds
	f.env.PDUs, f.env.Weirds = 0, 0
}

func (w *worker) finish() {
	for c := range w.lrus {
		for w.lrus[c].tail != nil {
			w.end(w.lrus[c].tail)
		}
	}
	// Layer-2 flows end in the order they began, not in map order, so the same capture
	// always gives the same logs.
	l2 := make([]*Flow, 0, w.l2.len())
	for _, s := range w.l2.slots {
		if s.h != 0 {
			l2 = append(l2, s.f)
		}
	}
	slices.SortFunc(l2, func(a, b *Flow) int { return cmp.Compare(a.info.ID, b.info.ID) })
	for _, f := range l2 {
		if f.parser != nil {
			w.setTS(f)
			w.call(f, f.parser.Close)
			w.collect(f)
		}
	}
	w.l2 = newFlowTable(64)
	clear(w.l2c[:])
}

var protoNames = map[uint8]string{6: "tcp", 17: "udp", 1: "icmp", 58: "icmp"}

func (w *worker) connLog(f *Flow) {
	env := &w.connEnv
	env.Flow = &f.info
	env.TS = f.first
	r := env.Log("conn")
	pn, ok := protoNames[f.info.Proto]
	if !ok {
		pn = "unknown_transport"
	}
	r.Str("proto", pn)
	if f.env != nil && f.env.Service != "" {
		r.Str("service", f.env.Service)
	} else if f.service != "" {
		r.Str("service", f.service)
	}
	o, s := &f.dirs[0], &f.dirs[1]
	if f.last > f.first {
		r.Float("duration", float64(f.last-f.first)/1e9)
		r.Uint("orig_bytes", o.bytes).Uint("resp_bytes", s.bytes)
	}
	r.Str("conn_state", connState(f))
	r.Uint("missed_bytes", o.missed+s.missed)
	if len(f.hist) > 0 {
		r.Bytes("history", f.hist)
	}
	r.Uint("orig_pkts", o.pkts).Uint("orig_ip_bytes", o.ipBytes).Uint("resp_pkts", s.pkts).Uint("resp_ip_bytes", s.ipBytes)
	if f.info.VLAN != 0 {
		r.Uint("vlan", uint64(f.info.VLAN))
	}
	if f.info.Orig.MAC != ([6]byte{}) {
		r.MAC("orig_l2_addr", f.info.Orig.MAC)
	}
	if f.info.Resp.MAC != ([6]byte{}) {
		r.MAC("resp_l2_addr", f.info.Resp.MAC)
	}
	r.Done()
}

// connState is Zeek's conn_state from the two endpoint states.
func connState(f *Flow) string {
	os, rs := f.dirs[0].state, f.dirs[1].state
	switch f.info.Proto {
	case 6:
	case 17:
		if os != stInactive {
			if rs != stInactive {
				return "SF"
			}
			return "S0"
		}
		if rs != stInactive {
			return "SHR"
		}
		return "OTH"
	default:
		return "OTH"
	}
	oInactive := os == stInactive || os == stPartial
	rInactive := rs == stInactive || rs == stPartial
	switch {
	case rs == stReset:
		if os == stSynSent || os == stSynAckSent || (os == stReset && f.dirs[0].bytes == 0 && f.dirs[1].bytes == 0) {
			return "REJ"
		}
		if oInactive {
			return "RSTRH"
		}
		return "RSTR"
	case os == stReset:
		if rInactive {
			h := string(f.hist)
			if len(h) > 0 && (h[0] == 'S' || (h[0] == '^' && len(h) > 1 && h[1] == 'S')) {
				return "RSTOS0"
			}
			return "OTH"
		}
		return "RSTO"
	case rs == stClosed && os == stClosed:
		return "SF"
	case os == stClosed:
		if rInactive {
			return "SH"
		}
		return "S2"
	case rs == stClosed:
		if oInactive {
			return "SHR"
		}
		return "S3"
	case os == stSynSent && rs == stInactive:
		return "S0"
	case os == stEstablished && rs == stEstablished:
		return "S1"
	}
	return "OTH"
}

func (w *worker) setTS(f *Flow) {
	if f.env != nil {
		f.env.TS = w.now
	}
}

// call runs fn (a parser method) with panic recovery: a panic detaches the parser from the
// flow and is counted and logged as a weird.
func (w *worker) call(f *Flow, fn func()) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			w.ctr[CtrParserPanic]++
			name := f.fac.Name
			f.env.Weird(name+"_parser_panic", fmt.Sprint(r))
			w.collect(f)
			f.parser = nil
			ok = false
		}
	}()
	fn()
	return true
}

var _ = netip.Addr{}
