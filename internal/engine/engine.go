// Package engine runs the pipeline: decode → flows → TCP reassembly → dissectors → logs.
//
// Flows are sharded over workers by a symmetric hash of the two addresses (ports excluded so
// that IP fragments land on the same worker as the rest of their flow). Each worker owns its
// decoder, flow table and log writer: no locks on the per-packet path. Packet time is the only
// clock.
package engine

import (
	"encoding/binary"
	"fmt"
	"io"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/capture"
	"github.com/quietwire/quietwire/internal/decode"
	"github.com/quietwire/quietwire/internal/logs"
)

// Config sets the engine's limits. Zero values take the defaults in parentheses.
type Config struct {
	Site    string
	Workers int // (1)

	TCPTimeout    int64 // idle timeout of TCP flows, ns (5 min, Zeek's tcp_inactivity_timeout)
	UDPTimeout    int64 // (1 min)
	OtherTimeout  int64 // ICMP and other IP protocols (1 min)
	ClosedLinger  int64 // how long a closed TCP flow is kept for late packets (5 s)
	ActiveTimeout int64 // a flow older than this is logged and restarted (0: never)

	MaxFlows      int   // per worker; at the cap the least recently active flow is evicted (1,000,000)
	StreamDepth   int   // out-of-order bytes buffered per direction before skipping a hole (256 KiB)
	ReassemblyMem int64 // out-of-order bytes buffered per worker in all flows (256 MiB)
	MaxPending    int   // bytes a parser may leave unconsumed per direction (64 KiB)

	// Dissectors limits dissection to these factory names; nil means all, empty means none.
	Dissectors []string
	// IgnoreVLAN keys flows without the VLAN id (for SPANs that show each direction on its own
	// VLAN, as Zeek does by default).
	IgnoreVLAN bool
	// VerifyChecksums drops packets with wrong TCP/UDP checksums (counted), as Zeek does.
	VerifyChecksums bool
	// NoConnLog suppresses conn.log (benchmarks).
	NoConnLog bool
	// Observer receives facts, events and finished flows (inventory, detection). May be nil.
	Observer Observer
	// EvidenceBytes sizes each worker's ring of recent packets kept for alert evidence
	// (0: none). Packets are kept up to 1600 bytes each.
	EvidenceBytes int
}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = 1
	}
	if c.TCPTimeout <= 0 {
		c.TCPTimeout = 300e9
	}
	if c.UDPTimeout <= 0 {
		c.UDPTimeout = 60e9
	}
	if c.OtherTimeout <= 0 {
		c.OtherTimeout = 60e9
	}
	if c.ClosedLinger <= 0 {
		c.ClosedLinger = 5e9
	}
	if c.MaxFlows <= 0 {
		c.MaxFlows = 1_000_000
	}
	if c.StreamDepth <= 0 {
		c.StreamDepth = 256 * 1024
	}
	if c.ReassemblyMem <= 0 {
		c.ReassemblyMem = 256 << 20
	}
	if c.MaxPending <= 0 {
		c.MaxPending = 64 * 1024
	}
}

// Counter names outside the decoder's drop reasons.
const (
	CtrFlowsEvicted    = "flows_evicted_at_cap"
	CtrStreamCap       = "tcp_stream_depth_skips"
	CtrReasmMemCap     = "tcp_reassembly_memory_skips"
	CtrPendingCap      = "parser_buffer_overflows"
	CtrParserPanic     = "parser_panics"
	CtrParserError     = "parser_errors"
	CtrParserBadN      = "parser_bad_consumed"
	CtrFragExpired     = "ip_fragments_expired"
	CtrFragReassembled = "ip_datagrams_reassembled"
	CtrL2Unhandled     = "l2_frames_without_dissector"
	CtrNonFlowIP       = "ip_packets_other_protocols"
)

// Engine is the pipeline. Use it from one goroutine: Run one or more sources, then Finish.
type Engine struct {
	cfg     Config
	logs    *logs.Dir
	workers []*worker
	facs    []*dissect.Factory  // enabled factories, name order
	byPort  [2]map[uint16][]int // per transport (0 TCP, 1 UDP): factory indexes hinted by port
	byEther map[uint16][]int
	// etherIdx is byEther for the per-frame path: etherLists[etherIdx[et]] (0: none), a table
	// read instead of a map lookup on every layer-2 frame.
	etherIdx   *[1 << 16]uint8
	etherLists [][]int
	bySAP      map[uint8][]int
	bySNAP     map[uint64][]int
	likely     map[uint16]bool // likely server ports (Zeek's likely_server_ports)
	out        func(w *logs.Writer) dissect.Output

	read, bytes uint64
	lastTS      int64
	stores      []capture.Store   // capture files the evidence rings read packets from
	runs        *dissect.RunState // state dissectors share across flows for this run
	// live counters of RunSources, read by Live while it runs
	liveRead, liveBytes atomic.Uint64
}

// New builds an engine writing into d.
func New(cfg Config, d *logs.Dir) (*Engine, error) {
	cfg.defaults()
	e := &Engine{cfg: cfg, logs: d, runs: dissect.NewRunState(), byEther: map[uint16][]int{}, bySAP: map[uint8][]int{}, bySNAP: map[uint64][]int{}, likely: map[uint16]bool{}}
	e.byPort[0], e.byPort[1] = map[uint16][]int{}, map[uint16][]int{}
	want := map[string]bool{}
	for _, n := range cfg.Dissectors {
		if dissect.Lookup(n) == nil {
			return nil, fmt.Errorf("engine: unknown dissector %q", n)
		}
		want[n] = true
	}
	for _, f := range dissect.Factories() {
		if cfg.Dissectors != nil && !want[f.Name] {
			continue
		}
		i := len(e.facs)
		e.facs = append(e.facs, f)
		for _, p := range f.Ports {
			if f.Transport&dissect.TCP != 0 {
				e.byPort[0][p] = append(e.byPort[0][p], i)
			}
			if f.Transport&dissect.UDP != 0 {
				e.byPort[1][p] = append(e.byPort[1][p], i)
			}
		}
		for _, et := range f.Ethertypes {
			e.byEther[et] = append(e.byEther[et], i)
		}
		for _, sap := range f.LLCSAPs {
			e.bySAP[sap] = append(e.bySAP[sap], i)
		}
		for _, sn := range f.SNAP {
			e.bySNAP[sn] = append(e.bySNAP[sn], i)
		}
	}
	if len(e.byEther) > 255 {
		return nil, fmt.Errorf("engine: dissectors claim %d ethertypes, at most 255", len(e.byEther))
	}
	e.etherIdx, e.etherLists = new([1 << 16]uint8), [][]int{nil}
	for et, l := range e.byEther {
		e.etherIdx[et] = uint8(len(e.etherLists))
		e.etherLists = append(e.etherLists, l)
	}
	if len(e.facs) > 128 {
		return nil, fmt.Errorf("engine: %d dissectors, at most 128", len(e.facs))
	}
	for _, f := range dissect.Factories() {
		for _, p := range f.Ports {
			e.likely[p] = true
		}
	}
	for _, p := range likelyServerPorts {
		e.likely[p] = true
	}
	for i := 0; i < cfg.Workers; i++ {
		e.workers = append(e.workers, newWorker(e, i))
	}
	return e, nil
}

// Zeek's likely_server_ports come from its analyzers' registered ports; these are the ones of
// the protocols we log plus common IT services.
var likelyServerPorts = []uint16{20, 21, 22, 23, 25, 53, 67, 69, 80, 88, 110, 123, 135, 137, 138, 139,
	143, 161, 162, 389, 443, 445, 465, 514, 547, 587, 636, 993, 995, 1433, 1521, 1883, 1900, 3306,
	3389, 5060, 5353, 5355, 5432, 5900, 8080, 8443, 8883,
	102, 502, 2222, 2404, 4840, 20000, 34964, 44818, 47808}

// Run reads src to its end. A corrupt source ends the run with its error after everything
// before the corruption was processed.
func (e *Engine) Run(src capture.Source) error {
	st := e.store(src)
	for _, w := range e.workers {
		w.curSrc, w.curPos = st, 0
		if w.ring != nil {
			w.ring.stores = e.stores
		}
	}
	if len(e.workers) == 1 {
		w := e.workers[0]
		var p capture.Packet
		for {
			err := src.Next(&p)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			e.read++
			e.bytes += uint64(p.WireLen)
			w.curPos = p.DataOff
			w.packet(p.LinkType, p.Data, p.TS, p.WireLen)
		}
	}
	return e.runParallel(src)
}

// store opens src's Store for the evidence rings (see ring), returning its 1-based index, or
// 0 when the rings must copy src's packets (no evidence kept, a source that cannot be read
// again, or maxStores files open already).
func (e *Engine) store(src capture.Source) uint16 {
	if e.cfg.EvidenceBytes <= 0 || len(e.stores) >= maxStores {
		return 0
	}
	rr, ok := src.(capture.Rereadable)
	if !ok {
		return 0
	}
	st, ok := rr.Store()
	if !ok {
		return 0
	}
	e.stores = append(e.stores, st)
	return uint16(len(e.stores))
}

type batch struct {
	arena []byte
	pkts  []bpkt
	size  int   // bytes of packet data in the batch
	lo    int64 // source offset of its first packet (retained sources)
	held  bool  // filled by the reader and not yet seen back in the free list
}

// bpkt is a packet of a batch: its data is in the batch's arena (at off) or, from a source
// that retains packets, the source's own buffer.
type bpkt struct {
	data   []byte
	off, n int
	ts     int64
	pos    int64 // DataOff, for the evidence ring
	wire   int
	lt     uint16
}

const batchPkts = 512

// data returns the data of the batch's packet i.
func (b *batch) data(i int, retained bool) []byte {
	p := &b.pkts[i]
	if retained {
		return p.data
	}
	return b.arena[p.off : p.off+p.n]
}

// prefetchPacket asks for the first two cache lines of a packet a worker will soon decode
// (Ethernet, IP and TCP headers, the start of the payload). The reader's core read the packet
// from the capture, so without it a worker on the other core waits for those lines when it
// starts decoding: with two workers on the benchmark mix the first function to touch a packet
// (decode's ether) took 3.3 to 4.7% of the CPU samples (perf, four runs), against 1.3 to 1.4%
// with one worker, and 0.9% with the prefetch; two workers' runs took 5 to 10% less time.
func prefetchPacket(d []byte) {
	if len(d) > 64 {
		prefetch(&d[0])
		prefetch(&d[64])
	} else if len(d) > 0 {
		prefetch(&d[0])
	}
}

// lruStep is how stale a flow's place in its LRU list may get (see ipPacket).
const lruStep = int64(1e9)

// A worker's queue holds up to batchesPerWorker batches, so that a moment's imbalance between
// workers (one busy with a burst of expensive PDUs) does not block the reader and starve the
// others.
const (
	batchesPerWorker = 16
	batchArena       = 256 << 10
)

// runParallel reads src on this goroutine and hands packets to the workers in batches, by the
// symmetric address hash. From a source that can retain packets (a capture file) the batches
// point into the source's buffers and nothing is copied: the reader releases the source's
// buffers behind the oldest batch still in use.
func (e *Engine) runParallel(src capture.Source) error {
	n := len(e.workers)
	rt, retained := src.(capture.Retainer)
	retained = retained && rt.Retain()
	in := make([]chan *batch, n)
	all := make([]*batch, batchesPerWorker*n)
	free := make(chan *batch, len(all))
	for i := range all {
		all[i] = &batch{pkts: make([]bpkt, 0, batchPkts)}
		if !retained {
			all[i].arena = make([]byte, 0, batchArena)
		}
		free <- all[i]
	}
	var wg sync.WaitGroup
	for i, w := range e.workers {
		in[i] = make(chan *batch, batchesPerWorker)
		wg.Add(1)
		go func(w *worker, ch chan *batch) {
			defer wg.Done()
			for b := range ch {
				for i := range b.pkts {
					p := &b.pkts[i]
					data := b.data(i, retained)
					if i+2 < len(b.pkts) {
						prefetchPacket(b.data(i+2, retained))
					}
					w.curPos = p.pos
					w.packet(p.lt, data, p.ts, p.wire)
					p.data = nil
				}
				b.arena, b.pkts, b.size = b.arena[:0], b.pkts[:0], 0
				free <- b
			}
		}(w, in[i])
	}
	cur := make([]*batch, n)
	var spare []*batch // free batches taken back while waiting in release
	var p capture.Packet
	var err error
	for {
		err = src.Next(&p)
		if err != nil {
			break
		}
		e.read++
		e.bytes += uint64(p.WireLen)
		i := shardOf(shardHash(p.LinkType, p.Data), n)
		b := cur[i]
		if b == nil {
			if k := len(spare); k > 0 {
				b, spare = spare[k-1], spare[:k-1]
			} else {
				b = <-free
				b.held = false
			}
			if retained {
				spare = releaseBehind(rt, all, cur, in, free, spare, p.Off)
			}
			b.held, b.lo = true, p.Off
			cur[i] = b
		}
		bp := bpkt{n: len(p.Data), ts: p.TS, wire: p.WireLen, lt: p.LinkType, pos: p.DataOff}
		if retained {
			bp.data = p.Data
		} else {
			bp.off = len(b.arena)
			b.arena = append(b.arena, p.Data...)
		}
		b.pkts = append(b.pkts, bp)
		b.size += len(p.Data)
		if len(b.pkts) == batchPkts || b.size > batchArena-70000 {
			in[i] <- b
			cur[i] = nil
		}
	}
	for i, b := range cur {
		if b != nil {
			in[i] <- b
		}
		close(in[i])
	}
	wg.Wait()
	if err == io.EOF {
		return nil
	}
	return err
}

// maxRetained bounds how far behind the packet being read the source's retained buffers may
// reach (bytes). Without it, a worker that gets few packets (a capture of one busy host pair
// and an ARP at its start) kept its first, never-filled batch, and with it every buffer the
// reader read after it: the whole file in memory.
var maxRetained int64 = 32 << 20

// releaseBehind gives the source back its buffers behind the oldest batch still held (being
// filled, queued or worked on): every held batch starts at or after that batch's first packet.
// When that reaches more than maxRetained behind off, the batch holding it back moves on: a
// partly filled one goes to its worker as it is; for a queued one the reader waits for the
// workers to give batches back, keeping them in spare for the next batches it fills.
func releaseBehind(rt capture.Retainer, all, cur []*batch, in []chan *batch, free chan *batch, spare []*batch, off int64) []*batch {
	for {
		oldest, ob := off, (*batch)(nil)
		for _, x := range all {
			if x.held && x.lo < oldest {
				oldest, ob = x.lo, x
			}
		}
		rt.Release(oldest)
		if off-oldest <= maxRetained {
			return spare
		}
		sent := false
		for k, x := range cur {
			if x == ob {
				in[k] <- x
				cur[k], sent = nil, true
			}
		}
		if !sent {
			x := <-free
			x.held = false
			spare = append(spare, x)
		}
	}
}

// shardOf maps a shardHash to one of n workers by its high bits.
func shardOf(h uint32, n int) int { return int(uint64(h) * uint64(n) >> 32) }

// addrHash hashes one address (4, 6 or 16 bytes) for shardHash: FNV-1a's steps taken a 32-bit
// word at a time (a byte at a time was the reader's costliest step after reading: 2% of a
// two-worker run's CPU samples), then murmur3's 32-bit finalizer, which spreads every input
// bit over the high bits that shardOf uses. Without the finalizer the sum of two addresses'
// hashes sharded badly: FNV's low bits depend only on the inputs' low bits (its multiplier is
// odd), so sums of addresses that differ in their last byte collided, and all 48 Modbus host
// pairs of the benchmark mix went to one of two workers (53.5% of the workers' CPU against
// 46.5%, pprof labels over four runs). TestShardSpreadsHostPairs.
func addrHash(b []byte) uint32 {
	h := uint32(2166136261)
	for ; len(b) >= 4; b = b[4:] {
		h = (h ^ binary.LittleEndian.Uint32(b)) * 16777619
	}
	for _, c := range b {
		h = (h ^ uint32(c)) * 16777619
	}
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// shardHash is a symmetric hash of the two network addresses (or MACs for non-IP frames).
func shardHash(lt uint16, d []byte) uint32 {
	var l3 []byte
	var et uint16
	switch lt {
	case 1:
		if len(d) < 14 {
			return 0
		}
		et = binary.BigEndian.Uint16(d[12:])
		l3 = d[14:]
		for (et == 0x8100 || et == 0x88a8 || et == 0x9100) && len(l3) >= 4 {
			et = binary.BigEndian.Uint16(l3[2:])
			l3 = l3[4:]
		}
		if et != 0x0800 && et != 0x86dd {
			return addrHash(d[0:6]) + addrHash(d[6:12])
		}
	case 113:
		if len(d) < 16 {
			return 0
		}
		l3 = d[16:]
	case 276:
		if len(d) < 20 {
			return 0
		}
		l3 = d[20:]
	case 0, 108:
		if len(d) < 4 {
			return 0
		}
		l3 = d[4:]
	default:
		l3 = d
	}
	if len(l3) >= 20 && l3[0]>>4 == 4 {
		return addrHash(l3[12:16]) + addrHash(l3[16:20])
	}
	if len(l3) >= 40 && l3[0]>>4 == 6 {
		return addrHash(l3[8:24]) + addrHash(l3[24:40])
	}
	return 0
}

// Summary is the end-of-run account.
type Summary struct {
	Packets  uint64            `json:"packets"`
	Bytes    uint64            `json:"bytes"`
	Decoded  uint64            `json:"decoded"`
	Drops    map[string]uint64 `json:"drops"`
	Counters map[string]uint64 `json:"counters"`
	Flows    uint64            `json:"flows"`
	PDUs     map[string]uint64 `json:"pdus"`
	Weirds   map[string]uint64 `json:"weirds"`
	FirstTS  int64             `json:"first_ts"`
	LastTS   int64             `json:"last_ts"`
}

// Ledger checks packets read = decoded + Σ drops.
func (s *Summary) Ledger() error {
	var drops uint64
	for _, n := range s.Drops {
		drops += n
	}
	if s.Packets != s.Decoded+drops {
		return fmt.Errorf("ledger: %d packets read, %d decoded + %d dropped", s.Packets, s.Decoded, drops)
	}
	return nil
}

// Finish ends every flow, writes stats.log, flushes the logs and returns the summary.
func (e *Engine) Finish() *Summary {
	s := &Summary{Drops: map[string]uint64{}, Counters: map[string]uint64{}, PDUs: map[string]uint64{}, Weirds: map[string]uint64{}}
	s.Packets, s.Bytes = e.read, e.bytes
	// Flows still open end at the run's last packet time (Zeek's network_time at exit), on
	// every worker, not at the last packet each worker happened to see.
	var last int64
	for _, w := range e.workers {
		last = max(last, w.now)
	}
	for _, w := range e.workers {
		w.now = last
		w.finish()
		s.Decoded += w.decoded
		for r := decode.Reason(decode.DropLinkType); r < decode.NumReasons; r++ {
			if w.drops[r] > 0 {
				s.Drops[r.String()] += w.drops[r]
			}
		}
		for k, v := range w.ctr {
			if v > 0 {
				s.Counters[k] += v
			}
		}
		if w.l2Unhandled > 0 {
			s.Counters[CtrL2Unhandled] += w.l2Unhandled
		}
		re, ex := w.dec.FragStats()
		if re > 0 {
			s.Counters[CtrFragReassembled] += re
		}
		if ex > 0 {
			s.Counters[CtrFragExpired] += ex
		}
		s.Flows += w.flowsSeen
		for k, v := range w.pdus {
			s.PDUs[k] += v
		}
		for k, v := range w.weirds {
			s.Weirds[k] += v
		}
		if s.FirstTS == 0 || (w.firstTS != 0 && w.firstTS < s.FirstTS) {
			s.FirstTS = w.firstTS
		}
		s.LastTS = max(s.LastTS, w.now)
	}
	// Every flow has ended: no alert needs the capture files' packets any more.
	for _, st := range e.stores {
		st.Close()
	}
	e.stores = nil
	for _, w := range e.workers {
		if w.ring != nil {
			w.ring.stores = nil
		}
	}
	e.writeStats(s)
	for _, w := range e.workers {
		w.out.Flush()
	}
	return s
}

func (e *Engine) writeStats(s *Summary) {
	env := &dissect.Env{Name: "stats", Site: e.cfg.Site, TS: s.LastTS, Out: e.workers[0].out, Flow: &dissect.FlowInfo{}}
	r := env.LogBare("stats")
	r.Str("peer", "quietwire").Uint("pkts_proc", s.Packets).Uint("bytes_recv", s.Bytes).
		Uint("pkts_decoded", s.Decoded).Uint("flows", s.Flows)
	obj := func(name string, m map[string]uint64) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		r.Array(name)
		for _, k := range keys {
			r.ElemStr(fmt.Sprintf("%s=%d", k, m[k]))
		}
		r.End()
	}
	obj("drops", s.Drops)
	obj("counters", s.Counters)
	obj("pdus", s.PDUs)
	r.Done()
}
