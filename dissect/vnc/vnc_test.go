package vnc

import (
	"encoding/binary"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

type step struct {
	dir dissect.Dir
	b   []byte
}

func s2c(b []byte) step { return step{dissect.Resp, b} }
func c2s(b []byte) step { return step{dissect.Orig, b} }

func serverInit(name string) []byte {
	b := binary.BigEndian.AppendUint16(nil, 1024)
	b = binary.BigEndian.AppendUint16(b, 768)
	b = append(b, 32, 24, 0, 1, 0, 255, 0, 255, 0, 255, 16, 8, 0, 0, 0, 0) // pixel format
	b = binary.BigEndian.AppendUint32(b, uint32(len(name)))
	return append(b, name...)
}

// RFB 3.8 with VNC authentication. Spec: RFC 6143 7.1-7.3.
var vncAuth = []step{
	s2c([]byte("RFB 003.008\n")),
	c2s([]byte("RFB 003.008\n")),
	s2c([]byte{2, 2, 16}),   // two types offered: VNC, Tight
	c2s([]byte{2}),          // client picks VNC
	s2c(make([]byte, 16)),   // challenge
	c2s(make([]byte, 16)),   // response
	s2c([]byte{0, 0, 0, 0}), // SecurityResult OK
	c2s([]byte{1}),          // ClientInit shared
	s2c(serverInit("WINCC-HMI01")),
	c2s([]byte{3, 0, 0, 0, 0, 0, 4, 0, 3, 0}), // FramebufferUpdateRequest
}

// RFB 3.3 where the server picks None.
var noAuth33 = []step{
	s2c([]byte("RFB 003.003\n")),
	c2s([]byte("RFB 003.003\n")),
	s2c([]byte{0, 0, 0, 1}),
	c2s([]byte{0}),
	s2c(serverInit("panel")),
}

func run(t testing.TB, steps []step, split func(s *dissecttest.Stream, st step)) *dissecttest.Capture {
	env, c := dissecttest.NewEnv("vnc", dissecttest.Flow(6, 5900))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range steps {
		if split == nil {
			s.Write(t, st.dir, st.b)
		} else {
			split(s, st)
		}
	}
	s.P.Close()
	return c
}

func TestHandshakes(t *testing.T) {
	tests := []struct {
		name  string
		steps []step
		want  map[string]string
		weird string
	}{
		{"3.8 VNC auth", vncAuth, map[string]string{
			"server_major_version": "003", "server_minor_version": "008", "client_minor_version": "008",
			"security_types": `["VNC","Tight"]`, "authentication_method": "VNC", "auth": "true",
			"share_flag": "true", "desktop_name": "WINCC-HMI01", "width": "1024", "height": "768"}, ""},
		{"3.3 no auth", noAuth33, map[string]string{
			"authentication_method": "None", "desktop_name": "panel", "share_flag": "false", "auth": ""}, weirdNoAuth},
		{"3.8 auth failed", []step{
			s2c([]byte("RFB 003.008\n")), c2s([]byte("RFB 003.008\n")), s2c([]byte{1, 2}), c2s([]byte{2}),
			s2c(make([]byte, 16)), c2s(make([]byte, 16)),
			s2c([]byte{0, 0, 0, 1, 0, 0, 0, 4, 'n', 'o', 'p', 'e'}),
		}, map[string]string{"auth": "false", "desktop_name": ""}, weirdAuthFailed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := run(t, tc.steps, nil)
			recs := c.Logs("vnc")
			if len(recs) != 1 {
				t.Fatalf("vnc.log: %d lines", len(recs))
			}
			for k, v := range tc.want {
				if got := recs[0].Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			var ws []string
			for _, w := range c.Logs("weird") {
				ws = append(ws, w.Get("name"))
			}
			if tc.weird == "" && len(ws) != 0 || tc.weird != "" && (len(ws) != 1 || ws[0] != tc.weird) {
				t.Errorf("weirds %v, want %q", ws, tc.weird)
			}
		})
	}
}

func TestFacts(t *testing.T) {
	c := run(t, vncAuth, nil)
	got := map[string]string{}
	for _, f := range c.Facts {
		got[f.Side.String()+"."+f.Attr] = f.Value
	}
	if got["resp.name"] != "WINCC-HMI01" || got["resp.software"] != "RFB 003.008" || got["resp.role"] != "vnc_server" || got["orig.role"] != "vnc_client" {
		t.Errorf("facts %v", got)
	}
}

func TestSegmentation(t *testing.T) {
	splits := map[string]func(t *testing.T) func(s *dissecttest.Stream, st step){
		"one PDU over two segments": func(t *testing.T) func(s *dissecttest.Stream, st step) {
			return func(s *dissecttest.Stream, st step) {
				h := len(st.b) / 2
				s.Write(t, st.dir, st.b[:h])
				s.Write(t, st.dir, st.b[h:])
			}
		},
		"byte at a time": func(t *testing.T) func(s *dissecttest.Stream, st step) {
			return func(s *dissecttest.Stream, st step) {
				for _, c := range st.b {
					s.Write(t, st.dir, []byte{c})
				}
			}
		},
	}
	for name, sp := range splits {
		t.Run(name, func(t *testing.T) {
			recs := run(t, vncAuth, sp(t)).Logs("vnc")
			if len(recs) != 1 || recs[0].Get("desktop_name") != "WINCC-HMI01" {
				t.Errorf("vnc.log %v", recs)
			}
		})
	}
	t.Run("two PDUs in one segment", func(t *testing.T) {
		steps := []step{
			s2c([]byte("RFB 003.008\n")), c2s([]byte("RFB 003.008\n")), s2c([]byte{1, 1}),
			c2s([]byte{1, 1}), // choice None + ClientInit together
			s2c(append([]byte{0, 0, 0, 0}, serverInit("x")...)), // SecurityResult + ServerInit together
		}
		recs := run(t, steps, nil).Logs("vnc")
		if len(recs) != 1 || recs[0].Get("desktop_name") != "x" || recs[0].Get("share_flag") != "true" {
			t.Errorf("vnc.log %v", recs)
		}
	})
	t.Run("gap then resync", func(t *testing.T) {
		env, c := dissecttest.NewEnv("vnc", dissecttest.Flow(6, 5900))
		s := &dissecttest.Stream{P: newParser(env)}
		s.Write(t, dissect.Resp, []byte("RFB 003.008\n"))
		s.Write(t, dissect.Orig, []byte("RFB 003.008\n"))
		s.Gap(dissect.Resp, 30)
		s.Write(t, dissect.Resp, make([]byte, 100))
		s.P.Close()
		recs := c.Logs("vnc")
		if len(recs) != 1 || recs[0].Get("server_minor_version") != "008" || s.Pending(dissect.Resp) != 0 {
			t.Errorf("vnc.log %v", recs)
		}
	})
}

func TestNotVNC(t *testing.T) {
	for _, b := range [][]byte{[]byte("GET / HTTP/1.0\r\n"), []byte("RFB 3.8\r\n\r\n\r\n"), {0x16, 3, 1}} {
		if v := Probe(dissect.Resp, b); v != dissect.NoMatch {
			t.Errorf("Probe(%q) = %d", b, v)
		}
	}
	c := run(t, []step{s2c([]byte("HTTP/1.1 200 OK\r\n\r\n"))}, nil)
	for _, r := range c.Records {
		if r.Log != "weird" {
			t.Errorf("logged %s", r.Raw)
		}
	}
}

func FuzzParse(f *testing.F) {
	seed := func(steps []step) []byte {
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
	f.Add(seed(vncAuth))
	f.Add(seed(noAuth33))
	f.Fuzz(func(t *testing.T, data []byte) { dissecttest.Fuzz(t, "vnc", data, 70000) })
}

// Steady state is the RFB session after ServerInit: consumed without parsing.
func TestSteadyStateAllocs(t *testing.T) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 5900), Name: "vnc", Out: dissecttest.Discard{}}
	p := newParser(env)
	for _, st := range vncAuth {
		p.Parse(st.dir, st.b)
	}
	upd := make([]byte, 1400)
	if a := testing.AllocsPerRun(200, func() {
		p.Parse(dissect.Resp, upd)
		p.Parse(dissect.Orig, vncAuth[9].b)
	}); a != 0 {
		t.Errorf("%.1f allocs, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	pdus := uint64(0)
	for i := 0; i < b.N; i++ {
		env := &dissect.Env{Flow: dissecttest.Flow(6, 5900), Name: "vnc", Out: dissecttest.Discard{}}
		p := newParser(env)
		for _, st := range vncAuth {
			p.Parse(st.dir, st.b)
		}
		p.Close()
		pdus += env.PDUs
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pdus), "ns/PDU")
}
