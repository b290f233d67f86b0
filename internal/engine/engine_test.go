package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/internal/capture"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/logs"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// lenproto is a test protocol on TCP 9999: 'L', one length byte, then that many bytes.
type lenParser struct {
	env  *dissect.Env
	gaps int
}

func (p *lenParser) Parse(dir dissect.Dir, b []byte) (int, error) {
	n := 0
	for len(b)-n >= 2 {
		if b[n] != 'L' {
			p.env.Weird("lenproto_bad_magic", "")
			return len(b), nil
		}
		l := int(b[n+1])
		if len(b)-n < 2+l {
			break
		}
		p.env.PDU()
		p.env.Log("lenproto").Str("dir", dir.String()).Bytes("body", b[n+2:n+2+l]).Uint("gaps", uint64(p.gaps)).Done()
		n += 2 + l
	}
	return n, nil
}
func (p *lenParser) Gap(dir dissect.Dir, lost int) { p.gaps++ }
func (p *lenParser) Close()                        {}

type panicParser struct{}

func (panicParser) Parse(dir dissect.Dir, b []byte) (int, error) { panic("boom") }
func (panicParser) Gap(dissect.Dir, int)                         {}
func (panicParser) Close()                                       {}

func init() {
	dissect.Register(dissect.Factory{
		Name: "lenproto", Transport: dissect.TCP, Ports: []uint16{9999}, PortOnly: true,
		Probe: func(dir dissect.Dir, b []byte) dissect.Verdict {
			if len(b) == 0 {
				return dissect.NeedMore
			}
			if b[0] == 'L' {
				return dissect.Match
			}
			return dissect.NoMatch
		},
		New: func(env *dissect.Env) dissect.Parser { return &lenParser{env: env} },
	})
	dissect.Register(dissect.Factory{
		Name: "panicky", Transport: dissect.TCP, Ports: []uint16{6666}, PortOnly: true,
		Probe: func(dir dissect.Dir, b []byte) dissect.Verdict { return dissect.Match },
		New:   func(env *dissect.Env) dissect.Parser { return panicParser{} },
	})
}

type tcpConv struct {
	t      *testing.T
	c, s   string
	cp, sp uint16
	cseq   uint32
	sseq   uint32
	ts     time.Time
	pkts   []testutil.Pkt
}

func newConv(t *testing.T, port uint16) *tcpConv {
	return &tcpConv{t: t, c: "10.0.0.1", s: "10.0.0.2", cp: 40000, sp: port, cseq: 1000, sseq: 5000, ts: time.Unix(1600000000, 0)}
}

func (c *tcpConv) add(fromClient bool, flags string, seq, ack uint32, payload []byte) {
	f := testutil.Frame{Src: c.c, Dst: c.s, TCP: true, SrcPort: c.cp, DstPort: c.sp, Seq: seq, Ack: ack, Flags: flags, Payload: payload}
	if !fromClient {
		f.Src, f.Dst, f.SrcPort, f.DstPort = c.s, c.c, c.sp, c.cp
	}
	c.ts = c.ts.Add(10 * time.Millisecond)
	c.pkts = append(c.pkts, testutil.Pkt{TS: c.ts, Data: f.Build(c.t)})
}

func (c *tcpConv) handshake() {
	c.add(true, "S", c.cseq, 0, nil)
	c.add(false, "SA", c.sseq, c.cseq+1, nil)
	c.add(true, "A", c.cseq+1, c.sseq+1, nil)
	c.cseq++
	c.sseq++
}

// send sends payload from one side, split at the given cut points, and returns the seq after.
func (c *tcpConv) send(fromClient bool, payload []byte) {
	seq, ack := &c.cseq, c.sseq
	if !fromClient {
		seq, ack = &c.sseq, c.cseq
	}
	c.add(fromClient, "PA", *seq, ack, payload)
	*seq += uint32(len(payload))
}

func (c *tcpConv) close() {
	c.add(true, "FA", c.cseq, c.sseq, nil)
	c.add(false, "FA", c.sseq, c.cseq+1, nil)
	c.add(true, "A", c.cseq+1, c.sseq+1, nil)
}

func (c *tcpConv) run(cfg engine.Config) *replay.Result {
	path := testutil.WritePcap(c.t, c.t.TempDir(), "conv.pcap", c.pkts)
	return replay.Run(c.t, cfg, path)
}

func pdu(s string) []byte { return append([]byte{'L', byte(len(s))}, s...) }

func bodies(r *replay.Result) []string {
	var out []string
	for _, m := range r.Logs["lenproto"] {
		out = append(out, replay.Str(m, "dir")+":"+replay.Str(m, "body"))
	}
	return out
}

func TestSegmentationAndConn(t *testing.T) {
	c := newConv(t, 9999)
	c.handshake()
	// One PDU over two segments, then two PDUs in one segment.
	p := pdu("request-one")
	c.send(true, p[:5])
	c.send(true, p[5:])
	c.send(false, append(pdu("a"), pdu("b")...))
	c.close()
	r := c.run(engine.Config{})
	got := strings.Join(bodies(r), ",")
	if got != "orig:request-one,resp:a,resp:b" {
		t.Fatalf("records %q", got)
	}
	conn := r.Logs["conn"]
	if len(conn) != 1 {
		t.Fatalf("%d conn lines", len(conn))
	}
	m := conn[0]
	checks := map[string]string{
		"conn_state": "SF", "history": "ShADdFf", "service": "lenproto", "orig_bytes": "13", "resp_bytes": "6",
		"id.orig_h": "10.0.0.1", "id.resp_p": "9999", "proto": "tcp", "missed_bytes": "0", "orig_pkts": "6", "resp_pkts": "3",
	}
	for k, want := range checks {
		if got := replay.Str(m, k); got != want {
			t.Errorf("conn %s = %q, want %q (%v)", k, got, want, m)
		}
	}
	if err := r.Summary.Ledger(); err != nil {
		t.Fatal(err)
	}
	if r.Summary.PDUs["lenproto"] != 3 {
		t.Fatalf("pdus %v", r.Summary.PDUs)
	}
}

func TestOutOfOrderAndRetransmission(t *testing.T) {
	c := newConv(t, 9999)
	c.handshake()
	a, b := pdu("first"), pdu("second")
	start := c.cseq
	// second segment arrives before the first, then the first is retransmitted once.
	c.add(true, "PA", start+uint32(len(a)), c.sseq, b)
	c.add(true, "PA", start, c.sseq, a)
	c.add(true, "PA", start, c.sseq, a)
	c.cseq = start + uint32(len(a)+len(b))
	c.close()
	r := c.run(engine.Config{})
	if got := strings.Join(bodies(r), ","); got != "orig:first,orig:second" {
		t.Fatalf("records %q", got)
	}
	if h := replay.Str(r.Logs["conn"][0], "history"); !strings.Contains(h, "T") {
		t.Fatalf("history %q lacks the retransmission", h)
	}
}

// A hole the peer acknowledges past is skipped at once: Gap is called and parsing resumes.
func TestGapAckedPast(t *testing.T) {
	c := newConv(t, 9999)
	c.handshake()
	c.send(true, pdu("first"))
	lost, after := pdu("lost-pdu"), pdu("after")
	start := c.cseq
	c.add(true, "PA", start+uint32(len(lost)), c.sseq, after) // the lost segment is never seen
	end := start + uint32(len(lost)+len(after))
	c.add(false, "A", c.sseq, end, nil) // server acks everything
	c.cseq = end
	c.send(false, pdu("reply"))
	c.close()
	r := c.run(engine.Config{})
	if got := strings.Join(bodies(r), ","); got != "orig:first,orig:after,resp:reply" {
		t.Fatalf("records %q", got)
	}
	if g := replay.Str(r.Logs["lenproto"][1], "gaps"); g != "1" {
		t.Fatalf("gaps %s", g)
	}
	if mb := replay.Str(r.Logs["conn"][0], "missed_bytes"); mb != fmt.Sprint(len(lost)) {
		t.Fatalf("missed_bytes %s", mb)
	}
}

func TestConnStates(t *testing.T) {
	cases := []struct {
		name    string
		build   func(c *tcpConv)
		state   string
		history string
	}{
		{"S0", func(c *tcpConv) { c.add(true, "S", 1, 0, nil) }, "S0", "S"},
		{"REJ", func(c *tcpConv) { c.add(true, "S", 1, 0, nil); c.add(false, "RA", 0, 2, nil) }, "REJ", "Sr"},
		{"flipped SYN-ACK first", func(c *tcpConv) { c.add(false, "SA", 1, 2, nil); c.add(true, "A", 2, 2, nil) }, "OTH", "^hA"},
		{"RSTO", func(c *tcpConv) { c.handshake(); c.add(true, "R", c.cseq, 0, nil) }, "RSTO", "ShAR"},
		{"S1", func(c *tcpConv) { c.handshake(); c.send(true, []byte("x")) }, "S1", "ShAD"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := newConv(t, 7777)
			tc.build(c)
			r := c.run(engine.Config{})
			m := r.Logs["conn"][0]
			if s, h := replay.Str(m, "conn_state"), replay.Str(m, "history"); s != tc.state || h != tc.history {
				t.Fatalf("state %s history %s, want %s %s", s, h, tc.state, tc.history)
			}
		})
	}
}

func TestParserPanicIsContained(t *testing.T) {
	c := newConv(t, 6666)
	c.handshake()
	c.send(true, []byte("anything"))
	c.send(true, []byte("more"))
	c.close()
	r := c.run(engine.Config{})
	if r.Summary.Counters[engine.CtrParserPanic] != 1 {
		t.Fatalf("counters %v", r.Summary.Counters)
	}
	w := r.Logs["weird"]
	if len(w) != 1 || replay.Str(w[0], "name") != "panicky_parser_panic" {
		t.Fatalf("weird %v", w)
	}
	if len(r.Logs["conn"]) != 1 {
		t.Fatal("conn.log line lost")
	}
}

// Non-protocol bytes on the port stay unlabelled.
func TestProbeRejects(t *testing.T) {
	c := newConv(t, 9999)
	c.handshake()
	c.send(true, []byte("GET / HTTP/1.0\r\n\r\n"))
	c.close()
	r := c.run(engine.Config{})
	if len(r.Logs["lenproto"]) != 0 || replay.Str(r.Logs["conn"][0], "service") != "" {
		t.Fatalf("labelled: %v", r.Logs)
	}
}

func TestUDPTimeoutSplits(t *testing.T) {
	var pkts []testutil.Pkt
	t0 := time.Unix(1600000000, 0)
	for i, dt := range []time.Duration{0, 30 * time.Second, 91 * time.Second, 92 * time.Second} {
		f := testutil.Frame{Src: "10.0.0.1", Dst: "10.0.0.9", UDP: true, SrcPort: 5000, DstPort: 5001, Payload: []byte{byte(i)}}
		pkts = append(pkts, testutil.Pkt{TS: t0.Add(dt), Data: f.Build(t)})
	}
	r := replay.Run(t, engine.Config{}, testutil.WritePcap(t, t.TempDir(), "u.pcap", pkts))
	if n := len(r.Logs["conn"]); n != 2 {
		t.Fatalf("%d conn lines, want 2 (idle 61 s > 60 s timeout)", n)
	}
}

func corpusCaptures(t *testing.T) []string {
	d := testutil.Corpus(t)
	var out []string
	filepath.Walk(d, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && (strings.HasSuffix(p, ".pcap") || strings.HasSuffix(p, ".pcapng") || strings.HasSuffix(p, ".cap")) && !strings.Contains(p, ".gt/") && !strings.Contains(p, ".oracle/") {
			out = append(out, p)
		}
		return nil
	})
	if len(out) == 0 {
		t.Fatal("corpus has no captures")
	}
	return out
}

// Ledger over every capture: packets read = decoded + Σ drops, exactly; and two workers give
// the same conn.log as one.
func TestLedgerOverCorpus(t *testing.T) {
	files := corpusCaptures(t)
	for _, f := range files {
		r1 := replay.Run(t, engine.Config{}, f)
		if err := r1.Summary.Ledger(); err != nil {
			t.Errorf("%s: %v", f, err)
		}
		if r1.Summary.Packets == 0 && r1.Err == nil {
			t.Errorf("%s: no packets read", f)
		}
		if testing.Short() {
			continue
		}
		r2 := replay.Run(t, engine.Config{Workers: 2}, f)
		if a, b := connLines(r1), connLines(r2); a != b {
			t.Errorf("%s: conn.log differs between 1 and 2 workers", f)
		}
	}
	t.Logf("%d captures", len(files))
}

func connLines(r *replay.Result) string {
	var l []string
	for _, m := range r.Logs["conn"] {
		l = append(l, fmt.Sprint(m))
	}
	sort.Strings(l)
	return strings.Join(l, "\n")
}

// conn.log against Zeek's baselines: recall of (orig_h, orig_p, resp_h, resp_p, proto).
func TestConnAgainstZeek(t *testing.T) {
	d := testutil.Corpus(t)
	bases, _ := filepath.Glob(filepath.Join(d, "*", "*.gt", "zeek-baseline", "*", "conn.log"))
	if len(bases) == 0 {
		t.Fatal("no conn.log baselines")
	}
	// The open62541 mainloop baseline lists a UDP flow with 2 packets each way; the capture
	// holds one packet of it (Zeek's test ran on a longer capture). Measured, not excused: it
	// must stay at exactly 3 of 4.
	known := map[string]float64{"icsnpp-opcua-binary__open62541_client-server_mainloop.pcap": 0.75}
	for _, b := range bases {
		capPath := b[:strings.Index(b, ".gt/")]
		want := replay.ZeekTSV(t, b)
		r := replay.Run(t, engine.Config{}, capPath)
		key := func(get func(string) string) string {
			return strings.Join([]string{get("id.orig_h"), get("id.orig_p"), get("id.resp_h"), get("id.resp_p"), get("proto")}, " ")
		}
		ours := map[string]int{}
		for _, m := range r.Logs["conn"] {
			ours[key(func(k string) string { return replay.Str(m, k) })]++
		}
		matched := 0
		var missing []string
		for _, row := range want {
			k := key(func(f string) string { return row[f] })
			if ours[k] > 0 {
				ours[k]--
				matched++
			} else {
				missing = append(missing, k)
			}
		}
		recall := float64(matched) / float64(len(want))
		min := 0.99
		if v, ok := known[filepath.Base(capPath)]; ok {
			min = v
		}
		if recall < min {
			t.Errorf("%s: recall %.3f < %.2f, missing %v", filepath.Base(capPath), recall, min, missing)
		}
	}
}

func BenchmarkFlowLookup(b *testing.B) {
	f := testutil.Frame{Src: "10.0.0.1", Dst: "10.0.0.2", UDP: true, SrcPort: 1000, DstPort: 2000, Payload: []byte{1, 2, 3}}
	fr := f.Build(b)
	path := testutil.WritePcap(b, b.TempDir(), "b.pcap", []testutil.Pkt{{TS: time.Unix(1, 0), Data: fr}})
	_ = path
	h := engine.NewHarness(engine.Config{Dissectors: []string{}})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h.Packet(1, fr, int64(i))
	}
}

func TestFlowPathAllocs(t *testing.T) {
	tcp := testutil.Frame{Src: "10.0.0.1", Dst: "10.0.0.2", TCP: true, SrcPort: 40000, DstPort: 9999, Seq: 1, Ack: 1, Flags: "PA", Payload: pdu("steady")}
	udp := testutil.Frame{Src: "10.0.0.1", Dst: "10.0.0.2", UDP: true, SrcPort: 1000, DstPort: 2000, Payload: []byte{1, 2, 3}}
	h := engine.NewHarness(engine.Config{Dissectors: []string{}})
	fu := udp.Build(t)
	h.Packet(1, fu, 1)
	if n := testing.AllocsPerRun(1000, func() { h.Packet(1, fu, 2) }); n != 0 {
		t.Fatalf("UDP flow packet: %v allocs", n)
	}
	// TCP in-order data with the parser attached: the seq must advance each time.
	h2 := engine.NewHarness(engine.Config{Dissectors: []string{"lenproto"}})
	seq := uint32(1)
	frame := func() []byte {
		tcp.Seq = seq
		seq += uint32(len(tcp.Payload))
		return tcp.Build(t)
	}
	var frames [][]byte
	for i := 0; i < 1100; i++ {
		frames = append(frames, frame())
	}
	h2.Packet(1, frames[0], 1)
	i := 1
	if n := testing.AllocsPerRun(1000, func() { h2.Packet(1, frames[i], 2); i++ }); n != 0 {
		t.Fatalf("TCP data packet through a parser: %v allocs", n)
	}
}

// closeOrder logs, when its flow ends, the two bytes its frames' payload begins with (as seq):
// the order of these lines is the order in which the engine ends layer-2 flows. It also logs
// whether the flow was handed frames that begin with other bytes ("mixed").
type closeOrder struct {
	env   *dissect.Env
	seq   uint64
	id    int // first two bytes of the first frame
	mixed bool
}

func (p *closeOrder) Parse(dir dissect.Dir, b []byte) (int, error) {
	if len(b) > 1 {
		p.seq = uint64(b[0])<<8 | uint64(b[1])
		id := int(p.seq) | 1<<16
		if p.id != 0 && p.id != id {
			p.mixed = true
		}
		p.id = id
	}
	return len(b), nil
}
func (p *closeOrder) Gap(dissect.Dir, int) {}
func (p *closeOrder) Close() {
	p.env.Log("l2order").Uint("seq", p.seq).Bool("mixed", p.mixed).Done()
}

func init() {
	dissect.Register(dissect.Factory{
		Name: "l2order", Transport: dissect.Ether, Ethertypes: []uint16{0x88b5}, // IEEE local experimental
		Probe: func(dissect.Dir, []byte) dissect.Verdict { return dissect.Match },
		New:   func(env *dissect.Env) dissect.Parser { return &closeOrder{env: env} },
	})
}

// Layer-2 flows still open at the end of a run end in the order they began, so the same
// capture always gives the same logs (they were once ended in map order).
func TestLayer2FlowsEndInOrder(t *testing.T) {
	const n = 40
	lines := replayL2(t, l2frames(n))
	if len(lines) != n {
		t.Fatalf("%d l2order lines, want %d", len(lines), n)
	}
	for i, m := range lines {
		if got := replay.Str(m, "seq"); got != strconv.Itoa(i) {
			t.Fatalf("line %d ends the flow that began %s-th: layer-2 flows end out of order", i, got)
		}
	}
}

// Flows open at the end of a run end at the run's last packet time on every worker, so the
// end-of-run records of a --workers 2 run carry the same ts as with one worker.
func TestRunEndClockIsShared(t *testing.T) {
	ts := time.Unix(1700000000, 0)
	var pkts []testutil.Pkt
	for i := range 40 {
		f := make([]byte, 60)
		copy(f, []byte{0x01, 0x0e, 0xcf, 0, 0, 0})
		copy(f[6:], []byte{0x02, 0, 0, 0, 0x20, byte(i)})
		f[12], f[13] = 0x88, 0xb5
		pkts = append(pkts, testutil.Pkt{TS: ts.Add(time.Duration(i) * time.Millisecond), Data: f})
	}
	path := testutil.WritePcap(t, t.TempDir(), "l2.pcap", pkts)
	r := replay.Run(t, engine.Config{Workers: 2, Dissectors: []string{"l2order"}}, path)
	lines := r.Logs["l2order"]
	if len(lines) != 40 {
		t.Fatalf("%d l2order lines, want 40", len(lines))
	}
	want := replay.Str(lines[0], "ts")
	for _, m := range lines {
		if got := replay.Str(m, "ts"); got != want {
			t.Fatalf("end-of-run records at %s and %s: each worker ended its flows on its own clock", want, got)
		}
	}
	if want != "1700000000.039000" {
		t.Errorf("end-of-run ts %s, want the last packet's 1700000000.039", want)
	}
}

// hideRetainer wraps a source so that the engine cannot see that it retains packets: the
// reader copies every packet into its batches instead.
type hideRetainer struct{ capture.Source }

// A capture of several window buffers of interleaved flows gives the same records with one
// worker, with two workers reading it without a copy (packets point into the file reader's
// buffers until released), and with two workers copying every packet into batches.
func TestParallelReadersAgree(t *testing.T) {
	const flows, pdus = 100, 120
	convs := make([]*tcpConv, flows)
	for i := range convs {
		c := newConv(t, 9999)
		c.c = fmt.Sprintf("10.1.%d.%d", i/200, i%200+1)
		c.cp = uint16(30000 + i)
		c.ts = c.ts.Add(time.Duration(i) * time.Millisecond)
		c.handshake()
		convs[i] = c
	}
	for j := 0; j < pdus; j++ {
		for i, c := range convs {
			body := []byte(fmt.Sprintf("flow %d pdu %d ", i, j))
			body = append(body, strings.Repeat(string(rune('a'+(i+j)%26)), 200-len(body))...)
			c.send(j%3 != 2, append([]byte{'L', byte(len(body))}, body...))
		}
	}
	var pkts []testutil.Pkt
	for _, c := range convs {
		c.close()
		pkts = append(pkts, c.pkts...)
	}
	sort.SliceStable(pkts, func(a, b int) bool { return pkts[a].TS.Before(pkts[b].TS) })
	path := testutil.WritePcap(t, t.TempDir(), "many.pcap", pkts)
	if st, _ := os.Stat(path); st.Size() < 2<<20 {
		t.Fatalf("capture of %d bytes: too small to span several read buffers", st.Size())
	}
	run := func(workers int, hide bool) (string, *engine.Summary) {
		d, err := logs.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		eng, err := engine.New(engine.Config{Workers: workers, Dissectors: []string{"lenproto"}}, d)
		if err != nil {
			t.Fatal(err)
		}
		src, err := capture.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		var s capture.Source = src
		if hide {
			s = hideRetainer{src}
		}
		if err := eng.Run(s); err != nil {
			t.Fatal(err)
		}
		src.Close()
		sum := eng.Finish()
		if err := d.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(d.Path(), "lenproto.log"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		sort.Strings(lines)
		return strings.Join(lines, "\n"), sum
	}
	one, s1 := run(1, false)
	if n := strings.Count(one, "\n") + 1; n != flows*pdus {
		t.Fatalf("%d lenproto records with one worker, want %d", n, flows*pdus)
	}
	for _, hide := range []bool{false, true} {
		two, s2 := run(2, hide)
		if two != one {
			t.Errorf("two workers (copying batches: %v): lenproto.log differs from one worker's", hide)
		}
		if s2.Packets != s1.Packets || s2.Flows != s1.Flows {
			t.Errorf("two workers (copying batches: %v): %d packets %d flows, one worker %d %d", hide, s2.Packets, s2.Flows, s1.Packets, s1.Flows)
		}
	}
}

// udpClose logs, when its UDP flow ends, the time the engine ended it.
type udpClose struct{ env *dissect.Env }

func (p *udpClose) Parse(_ dissect.Dir, b []byte) (int, error) { return len(b), nil }
func (p *udpClose) Gap(dissect.Dir, int)                       {}
func (p *udpClose) Close()                                     { p.env.Log("udpclose").Done() }

func init() {
	dissect.Register(dissect.Factory{
		Name: "udpclose", Transport: dissect.UDP, Ports: []uint16{9998}, PortOnly: true,
		Probe: func(dissect.Dir, []byte) dissect.Verdict { return dissect.Match },
		New:   func(env *dissect.Env) dissect.Parser { return &udpClose{env: env} },
	})
}

// A flow that went quiet ends at the first sweep after its idle timeout even while a busier flow
// that began before it sits ahead of it in the LRU list: flows move to the front at most once
// a second, not on every packet, and the busy one must still move.
func TestIdleFlowEndsBehindBusyOne(t *testing.T) {
	t0 := time.Unix(1600000000, 0)
	pkt := func(at time.Duration, src string) testutil.Pkt {
		f := testutil.Frame{Src: src, Dst: "10.0.0.9", UDP: true, SrcPort: 40000, DstPort: 9998, Payload: []byte{1}}
		return testutil.Pkt{TS: t0.Add(at), Data: f.Build(t)}
	}
	var pkts []testutil.Pkt
	pkts = append(pkts, pkt(0, "10.0.0.1"))                    // busy: every half second for 100 s
	pkts = append(pkts, pkt(200*time.Millisecond, "10.0.0.2")) // quiet after one packet
	for at := 500 * time.Millisecond; at <= 100*time.Second; at += 500 * time.Millisecond {
		pkts = append(pkts, pkt(at, "10.0.0.1"))
	}
	r := replay.Run(t, engine.Config{Dissectors: []string{"udpclose"}}, testutil.WritePcap(t, t.TempDir(), "idle.pcap", pkts))
	var quietEnd string
	for _, m := range r.Logs["udpclose"] {
		if replay.Str(m, "id.orig_h") == "10.0.0.2" {
			quietEnd = replay.Str(m, "ts")
		}
	}
	// Idle from 0.2 s, UDP timeout 60 s: due at 60.2 s, swept by 61.5 s at the latest.
	if quietEnd < "1600000060.200000" || quietEnd > "1600000061.500000" {
		t.Fatalf("the quiet flow ended at %q, want between 1600000060.2 and 1600000061.5", quietEnd)
	}
}

// replayL2 writes frames to a capture, a millisecond apart, and replays it through the
// l2order dissector: its lines.
func replayL2(t *testing.T, frames [][]byte) []map[string]any {
	ts := time.Unix(1700000000, 0)
	var pkts []testutil.Pkt
	for i, f := range frames {
		pkts = append(pkts, testutil.Pkt{TS: ts.Add(time.Duration(i) * time.Millisecond), Data: f})
	}
	path := testutil.WritePcap(t, t.TempDir(), "l2.pcap", pkts)
	return replay.Run(t, engine.Config{Dissectors: []string{"l2order"}}, path).Logs["l2order"]
}

// l2frames is cyclic layer-2 I/O: n sources (one MAC each) sending to one controller, in turn.
func l2frames(n int) [][]byte {
	var out [][]byte
	for i := range n {
		f := make([]byte, 60)
		copy(f, []byte{0x01, 0x0e, 0xcf, 0, 0, 0})
		copy(f[6:], []byte{0x02, 0, 0, byte(i >> 8), 0x10, byte(i)})
		f[12], f[13] = 0x88, 0xb5
		f[14], f[15] = byte(i>>8), byte(i)
		out = append(out, f)
	}
	return out
}

// BenchmarkL2Frames: the per-frame path of layer-2 flows (PROFINET RT, GOOSE, SV…), whose
// flows are found by MAC addresses and ethertype.
// A cell has a few dozen such flows; a large simulated plant has thousands.
func BenchmarkL2Frames(b *testing.B) {
	for _, n := range []int{48, 5000} {
		b.Run(strconv.Itoa(n)+"flows", func(b *testing.B) {
			frames := l2frames(n)
			h := engine.NewHarness(engine.Config{Dissectors: []string{"l2order"}})
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				h.Packet(1, frames[i%len(frames)], int64(i))
			}
		})
	}
}

// Frames of many layer-2 flows, interleaved (and enough of them to grow the layer-2 flow
// table twice), still each reach their own flow: every flow's parser sees only its own
// source's frames.
func TestLayer2FlowsKeepApart(t *testing.T) {
	const n = 300
	frames := l2frames(n)
	var order [][]byte
	for round := range 3 {
		for i := range n {
			order = append(order, frames[(i*7+round)%n]) // another interleaving each round
		}
	}
	lines := replayL2(t, order)
	if len(lines) != n {
		t.Fatalf("%d layer-2 flows, want %d", len(lines), n)
	}
	for _, m := range lines {
		if m["mixed"] != false {
			t.Fatalf("a layer-2 flow was handed another flow's frames: %v", m)
		}
	}
}
