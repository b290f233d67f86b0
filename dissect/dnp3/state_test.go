package dnp3

import (
	"bytes"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// exchange feeds a read, its response, a select and its response through s in chunks made by
// split, and returns the dnp3.log lines as "request/reply".
func exchange(t *testing.T, split func([]byte) [][]byte, gapAfterFirst bool) ([]string, *dissecttest.Capture) {
	t.Helper()
	env, c := dissecttest.NewEnv("dnp3", dissecttest.Flow(6, 20000))
	s := &dissecttest.Stream{P: NewParser(env, DefaultConfig())}
	feed := func(dir dissect.Dir, b []byte) {
		for _, chunk := range split(b) {
			if err := s.Write(t, dir, chunk); err != nil {
				t.Fatal(err)
			}
		}
	}
	feed(dissect.Orig, readClass0)
	if gapAfterFirst {
		// Half of a request, then a hole: the parser must drop it and find the next frame.
		feed(dissect.Orig, selectCROB[:7])
		s.Gap(dissect.Orig, 40)
		feed(dissect.Orig, selectCROB[14:]) // the tail of the lost frame: garbage now
	}
	feed(dissect.Resp, readClass0Resp)
	feed(dissect.Orig, selectCROB)
	feed(dissect.Resp, selectCROBResp)
	s.P.Close()
	var got []string
	for _, r := range c.Logs("dnp3") {
		got = append(got, r.Get("fc_request")+"/"+r.Get("fc_reply"))
	}
	if s.Pending(dissect.Orig) != 0 || s.Pending(dissect.Resp) != 0 {
		t.Errorf("bytes left pending: %d/%d", s.Pending(dissect.Orig), s.Pending(dissect.Resp))
	}
	return got, c
}

func TestSegmentation(t *testing.T) {
	whole := func(b []byte) [][]byte { return [][]byte{b} }
	halves := func(b []byte) [][]byte { return [][]byte{b[:len(b)/2], b[len(b)/2:]} }
	bytewise := func(b []byte) [][]byte {
		var out [][]byte
		for i := range b {
			out = append(out, b[i:i+1])
		}
		return out
	}
	want := []string{"READ/RESPONSE", "SELECT/RESPONSE"}
	for name, split := range map[string]func([]byte) [][]byte{"whole": whole, "two segments": halves, "byte at a time": bytewise} {
		got, c := exchange(t, split, false)
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("%s: %v", name, got)
		}
		if w := c.WeirdCounts(); len(w) != 0 {
			t.Errorf("%s: weirds %v", name, w)
		}
		if n := len(c.Logs("dnp3_control")); n != 2 {
			t.Errorf("%s: %d control records", name, n)
		}
	}
}

func TestTwoPDUsInOneSegment(t *testing.T) {
	env, c := dissecttest.NewEnv("dnp3", dissecttest.Flow(6, 20000))
	s := &dissecttest.Stream{P: NewParser(env, DefaultConfig())}
	s.Write(t, dissect.Orig, append(append([]byte(nil), readClass0...), selectCROB...))
	s.Write(t, dissect.Resp, append(append([]byte(nil), readClass0Resp...), selectCROBResp...))
	l := c.Logs("dnp3")
	// Zeek's single slot: SELECT replaced READ before any reply arrived.
	if len(l) != 2 || l[0].Get("fc_request") != "SELECT" || l[1].Get("fc_request") != "" {
		t.Errorf("dnp3 %v", l)
	}
	if env.PDUs != 4 {
		t.Errorf("PDUs %d", env.PDUs)
	}
}

func TestGapResync(t *testing.T) {
	got, c := exchange(t, func(b []byte) [][]byte { return [][]byte{b} }, true)
	if len(got) != 2 || got[0] != "READ/RESPONSE" || got[1] != "SELECT/RESPONSE" {
		t.Errorf("after gap: %v", got)
	}
	// The garbage after the gap is expected: no weird for it.
	if w := c.WeirdCounts(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
}

// A gap inside a multi-segment fragment: the following segments are dropped quietly until the
// next FIR, and the next fragment is parsed.
func TestGapInsideFragment(t *testing.T) {
	app := []byte{0xc3, 0x81, 0x00, 0x00, 0x1e, 0x04, 0x01, 0x00, 0x00, 0x2a, 0x01}
	for i := 0; i < 299; i++ {
		app = append(app, byte(i), 0)
	}
	frames := resp(app...)
	first := frameLen(frames[2])
	p, c := newTest(t, 6)
	p.Parse(dissect.Resp, frames[:first])
	p.Gap(dissect.Resp, first)
	p.Parse(dissect.Resp, frames[2*first:])
	p.Parse(dissect.Resp, readClass0Resp)
	if w := c.WeirdCounts(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
	if l := c.Logs("dnp3"); len(l) != 1 {
		t.Errorf("dnp3 %v", l)
	}
}

// Non-DNP3 bytes on port 20000: the probe refuses them, and a parser fed them anyway logs
// nothing but one anomaly and keeps no bytes.
func TestNotDNP3(t *testing.T) {
	http := []byte("GET /index.html HTTP/1.1\r\nHost: plc\r\n\r\n")
	tls := []byte{0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03}
	for _, b := range [][]byte{http, tls, bytes.Repeat([]byte{0x05}, 40)} {
		if v := Probe(dissect.Orig, b); v != dissect.NoMatch {
			t.Errorf("Probe(%q) = %d", b[:8], v)
		}
	}
	env, c := dissecttest.NewEnv("dnp3", dissecttest.Flow(6, 20000))
	s := &dissecttest.Stream{P: NewParser(env, DefaultConfig())}
	s.Write(t, dissect.Orig, http)
	s.Write(t, dissect.Resp, tls)
	s.P.Close()
	for _, r := range c.Records {
		if r.Log != "weird" {
			t.Errorf("record on non-DNP3 bytes: %s", r.Raw)
		}
	}
	if len(c.Facts) != 0 || len(c.Events) != 0 || env.PDUs != 0 {
		t.Errorf("facts %v events %v pdus %d", c.Facts, c.Events, env.PDUs)
	}
	if s.Pending(dissect.Orig) > 1 || s.Pending(dissect.Resp) > 1 {
		t.Errorf("pending %d/%d", s.Pending(dissect.Orig), s.Pending(dissect.Resp))
	}
}

// A valid header announcing a long frame must not stall the flow: a frame is at most 292
// bytes, so the parser asks for at most that much.
func TestNoUnboundedWait(t *testing.T) {
	f := linkFrame(0xc4, 4, 3, bytes.Repeat([]byte{0xc0}, 250))
	p, _ := newTest(t, 6)
	n, _ := p.Parse(dissect.Orig, f[:200])
	if n != 0 {
		t.Fatalf("consumed %d of a partial frame", n)
	}
	if len(f) != maxFrameLen {
		t.Errorf("max frame %d, want %d", len(f), maxFrameLen)
	}
}

func TestLinkOnlyRole(t *testing.T) {
	p, c := newTest(t, 6)
	p.Parse(dissect.Orig, linkFrame(0xc9, 4, 3, nil)) // DIR=1 PRM=1 request link status
	p.Parse(dissect.Resp, linkFrame(0x0b, 3, 4, nil)) // DIR=0 link status
	p.Close()
	roles := map[dissect.Dir]string{}
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrRole {
			roles[f.Side] = f.Value
		}
	}
	if roles[dissect.Orig] != roleMaster || roles[dissect.Resp] != roleOutstation {
		t.Errorf("roles %v", roles)
	}
	if len(c.Logs("dnp3")) != 0 {
		t.Error("dnp3.log line for link-only traffic")
	}
}

func TestZeroAllocs(t *testing.T) {
	env, _ := dissecttest.NewEnv("dnp3", dissecttest.Flow(6, 20000))
	env.Out = dissecttest.Discard{}
	p := NewParser(env, DefaultConfig())
	big := []byte{0xc3, 0x81, 0x00, 0x00, 0x1e, 0x04, 0x01, 0x00, 0x00, 0x2a, 0x01}
	for i := 0; i < 299; i++ {
		big = append(big, byte(i), 0)
	}
	bigResp := resp(big...)
	run := func() {
		p.Parse(dissect.Orig, readClass0)
		p.Parse(dissect.Resp, readClass0Resp)
		p.Parse(dissect.Orig, readClass0)
		p.Parse(dissect.Resp, bigResp)
	}
	run() // warm the per-flow buffers
	if n := testing.AllocsPerRun(200, run); n != 0 {
		t.Errorf("%.1f allocs per exchange, want 0", n)
	}
}

func BenchmarkParse(b *testing.B) {
	env, _ := dissecttest.NewEnv("dnp3", dissecttest.Flow(6, 20000))
	env.Out = dissecttest.Discard{}
	p := NewParser(env, DefaultConfig())
	b.ReportAllocs()
	b.SetBytes(int64(len(readClass0) + len(readClass0Resp)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Parse(dissect.Orig, readClass0)
		p.Parse(dissect.Resp, readClass0Resp)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N), "ns/PDU")
}
