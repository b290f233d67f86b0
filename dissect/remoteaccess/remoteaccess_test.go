package remoteaccess

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

var (
	tvCmd   = []byte{0x17, 0x24, 0x0a, 0x20, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03} // command header + payload
	tvData  = []byte{0x11, 0x30, 0x24, 0x00, 0x10, 0x00, 0x00, 0x00, 0xaa, 0xbb}
	tlsCH   = []byte{0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0x00, 0x00, 0x01, 0x00}
	tlsData = []byte{0x17, 0x03, 0x03, 0x00, 0x02, 0xde, 0xad}
)

func TestTeamViewerAndAnyDesk(t *testing.T) {
	tests := []struct {
		name   string
		proto  uint8
		port   uint16
		chunks [][]byte
		want   map[string]string
	}{
		{"TeamViewer TCP", 6, 5938, [][]byte{tvCmd, tvData, tvCmd}, map[string]string{
			"product": "TeamViewer", "transport": "tcp", "direction": "outbound",
			"orig_bytes": "20", "resp_bytes": "10", "orig_frames": "2", "resp_frames": "1"}},
		{"TeamViewer UDP", 17, 5938, [][]byte{tvCmd, tvCmd}, map[string]string{"transport": "udp", "orig_frames": "1"}},
		{"AnyDesk", 6, 7070, [][]byte{tlsCH, tlsCH, tlsData}, map[string]string{
			"product": "AnyDesk", "orig_frames": "2", "resp_frames": "1", "orig_bytes": "17"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, c := dissecttest.NewEnv("remoteaccess", dissecttest.Flow(tc.proto, tc.port))
			s := &dissecttest.Stream{P: newParser(env)}
			for i, ch := range tc.chunks {
				if tc.proto == 6 {
					s.Write(t, dissect.Dir(i&1), ch)
				} else {
					s.P.Parse(dissect.Dir(i&1), ch)
				}
			}
			s.P.Close()
			recs := c.Logs("remote_access")
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			for k, v := range tc.want {
				if got := recs[0].Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
			var role string
			for _, f := range c.Facts {
				if f.Attr == dissect.AttrRole && f.Side == dissect.Orig {
					role = f.Value
				}
			}
			if role != "remote_access_endpoint" {
				t.Errorf("role fact %q", role)
			}
		})
	}
}

func TestSegmentation(t *testing.T) {
	// The parser consumes everything: segmentation only changes frame counts, never bytes.
	env, c := dissecttest.NewEnv("remoteaccess", dissecttest.Flow(6, 5938))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, b := range cat(tvCmd, tvData) { // byte at a time
		s.Write(t, dissect.Orig, []byte{b})
	}
	s.Write(t, dissect.Resp, cat(tvCmd, tvCmd)) // two frames in one segment
	s.Gap(dissect.Resp, 100)                    // gap: counted as bytes
	s.Write(t, dissect.Resp, tvData)
	s.P.Close()
	r := c.Logs("remote_access")[0]
	if r.Get("orig_bytes") != "20" || r.Get("resp_bytes") != "130" || s.Pending(dissect.Orig) != 0 {
		t.Errorf("record %s", r.Raw)
	}
}

func cat(a, b []byte) []byte { return append(append([]byte(nil), a...), b...) }

func TestNotRemoteAccess(t *testing.T) {
	for _, b := range [][]byte{[]byte("GET / HTTP/1.1\r\n"), {0x00, 0x01, 0x02, 0x03}, []byte("SSH-2.0-x")} {
		if v := Probe(dissect.Orig, b); v != dissect.NoMatch {
			t.Errorf("Probe(%q) = %d", b, v)
		}
	}
	env, c := dissecttest.NewEnv("remoteaccess", dissecttest.Flow(6, 5938))
	newParser(env).Close() // nothing seen: nothing logged
	if len(c.Records) != 0 {
		t.Errorf("logged %v", c.Records)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(append(append([]byte{0}, tvCmd...), append(dissecttest.Sep, append([]byte{1}, tvData...)...)...))
	f.Add(append([]byte{0}, tlsCH...))
	f.Fuzz(func(t *testing.T, data []byte) { dissecttest.Fuzz(t, "remoteaccess", data, 70000) })
}

func TestSteadyStateAllocs(t *testing.T) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 5938), Name: "remoteaccess", Out: dissecttest.Discard{}}
	p := newParser(env)
	p.Parse(dissect.Orig, tvCmd)
	if a := testing.AllocsPerRun(200, func() {
		p.Parse(dissect.Orig, tvCmd)
		p.Parse(dissect.Resp, tvData)
	}); a != 0 {
		t.Errorf("%.1f allocs, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 5938), Name: "remoteaccess", Out: dissecttest.Discard{}}
	p := newParser(env)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Parse(dissect.Orig, tvCmd)
		p.Parse(dissect.Resp, tvData)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
}
