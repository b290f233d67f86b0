package tls

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func handshake() []step {
	return []step{o(ch12), r(sh12, ske, done), o(cke, ccs, fin), r(ccs, fin), o(app, app), r(app)}
}

func TestSegmentation(t *testing.T) {
	check := func(t *testing.T, c *dissecttest.Capture) {
		t.Helper()
		s := c.Logs("ssl")
		if len(s) != 1 {
			t.Fatalf("%d ssl records", len(s))
		}
		want(t, s[0], "version", "TLSv12", "server_name", "plc.example", "established", "true", "ssl_history", "CsknGIi")
		if w := weirdNames(c); w != "" {
			t.Errorf("weirds %q", w)
		}
	}
	split := func(t *testing.T, parts func([]byte) [][]byte) *dissecttest.Capture {
		env, c := dissecttest.NewEnv("tls", dissecttest.Flow(6, 443))
		s := &dissecttest.Stream{P: newParser(env)}
		for _, st := range handshake() {
			for _, p := range parts(st.b) {
				if err := s.Write(t, st.dir, p); err != nil {
					t.Fatal(err)
				}
			}
		}
		s.P.Close()
		return c
	}
	t.Run("two segments", func(t *testing.T) {
		check(t, split(t, func(b []byte) [][]byte { return [][]byte{b[:len(b)/2], b[len(b)/2:]} }))
	})
	t.Run("byte at a time", func(t *testing.T) {
		check(t, split(t, func(b []byte) [][]byte {
			out := make([][]byte, len(b))
			for i := range b {
				out[i] = b[i : i+1]
			}
			return out
		}))
	})
	t.Run("records in one segment", func(t *testing.T) {
		check(t, split(t, func(b []byte) [][]byte { return [][]byte{b} }))
	})
	t.Run("handshake message across records", func(t *testing.T) {
		body := ch12[5:]
		c := run(t, o(record(22, body[:30]), record(22, body[30:])), r(sh12, ske, done), o(cke, ccs), r(ccs))
		s := c.Logs("ssl")
		if len(s) != 1 || s[0].Get("server_name") != "plc.example" {
			t.Fatalf("ssl %v", s)
		}
	})
}

func TestGapResync(t *testing.T) {
	env, c := dissecttest.NewEnv("tls", dissecttest.Flow(6, 443))
	s := &dissecttest.Stream{P: newParser(env)}
	w := func(d dissect.Dir, b []byte) {
		if err := s.Write(t, d, b); err != nil {
			t.Fatal(err)
		}
	}
	w(dissect.Orig, ch12)
	w(dissect.Resp, sh12)
	// A gap inside an application data record is skipped by length.
	w(dissect.Orig, app[:30])
	s.Gap(dissect.Orig, 50)
	w(dissect.Orig, app[80:])
	// A gap that swallows a record boundary: the parser scans for the next header.
	w(dissect.Resp, app[:10])
	s.Gap(dissect.Resp, 200)
	w(dissect.Resp, cat([]byte{0xaa, 0xbb}, ccs, app))
	w(dissect.Orig, ccs)
	s.P.Close()
	ssl := c.Logs("ssl")
	if len(ssl) != 1 {
		t.Fatalf("%d records", len(ssl))
	}
	want(t, ssl[0], "version", "TLSv12", "established", "true")
}

func TestOversizedRecord(t *testing.T) {
	c := run(t, o(ch12), r([]byte{22, 3, 3, 0x7f, 0xff}, make([]byte, 100)))
	if w := weirdNames(c); w == "" {
		t.Errorf("no weird for a record longer than 2^14+2048")
	}
}

func newBenchParser() *parser {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 443), Name: "tls", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env).(*parser)
	for _, st := range handshake() {
		p.Parse(st.dir, st.b)
	}
	return p
}

// TestSteadyStateAllocs: application data records of an established session cost no
// allocation, whole or split.
func TestSteadyStateAllocs(t *testing.T) {
	p := newBenchParser()
	big := cat(app, app, record(23, make([]byte, 1400)))
	if a := testing.AllocsPerRun(200, func() {
		p.Parse(dissect.Orig, big)
		p.Parse(dissect.Resp, app)
		p.Parse(dissect.Resp, app[:3])
	}); a != 0 {
		t.Errorf("%.1f allocs, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p := newBenchParser()
	recs := cat(app, record(23, make([]byte, 1400)), app)
	b.ReportAllocs()
	b.SetBytes(int64(len(recs)))
	for i := 0; i < b.N; i++ {
		p.Parse(dissect.Orig, recs)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*3), "ns/PDU")
}

// BenchmarkHandshake measures a whole TLS 1.2 handshake (hellos, JA3/JA4, log).
func BenchmarkHandshake(b *testing.B) {
	hsSteps := handshake()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		env := &dissect.Env{Flow: dissecttest.Flow(6, 443), Name: "tls", TS: 1, Out: dissecttest.Discard{}}
		p := newParser(env)
		for _, st := range hsSteps {
			p.Parse(st.dir, st.b)
		}
		p.Close()
	}
}

func FuzzParse(f *testing.F) {
	seed := func(steps ...step) []byte {
		var out []byte
		for i, st := range steps {
			if i > 0 {
				out = append(out, dissecttest.Sep...)
			}
			out = append(out, byte(st.dir))
			out = append(out, st.b...)
		}
		return out
	}
	f.Add(seed(handshake()...))
	f.Add(seed(o(ch12), r(record(21, []byte{2, 40}))))
	f.Add(seed(o(ch12[:20]), step{0xff, []byte("xxxx")}, o(ch12[20:]), r(sh12)))
	f.Add(seed(o([]byte{0x80, 0x2e, 0x01, 0x03, 0x01, 0x00, 0x15, 0, 0, 0, 0x10}), r(sh12)))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "tls", data, 70000)
	})
}
