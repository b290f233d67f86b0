package ntp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// header builds a 48-byte NTP packet (RFC 5905 §7.3).
func header(li, vn, mode, stratum byte, poll, precision int8, refID [4]byte, xmt uint64) []byte {
	b := make([]byte, hdrLen)
	b[0] = li<<6 | vn<<3 | mode
	b[1], b[2], b[3] = stratum, byte(poll), byte(precision)
	copy(b[4:8], []byte{0, 0, 0x80, 0}) // root delay 0.5 s
	copy(b[8:12], []byte{0, 1, 0, 0})   // root dispersion 1 s
	copy(b[12:16], refID[:])
	for i := 0; i < 8; i++ {
		b[40+i] = byte(xmt >> (56 - 8*i)) // transmit timestamp
	}
	return b
}

// 2020-09-13T12:26:40Z = 1600000000 s since 1970 = 3808988800 s since 1900.
const xmt = uint64(3808988800)<<32 | 1<<31 // .5 s

var (
	request = header(0, 4, modeClient, 0, 6, -20, [4]byte{}, xmt)
	reply   = header(0, 4, modeServer, 2, 6, -23, [4]byte{192, 0, 2, 1}, xmt)
	gps     = header(0, 4, modeServer, 1, 4, -20, [4]byte{'G', 'P', 'S', 0}, xmt)
)

func TestLog(t *testing.T) {
	env, c := dissecttest.NewEnv("ntp", dissecttest.Flow(17, 123))
	p := newParser(env)
	p.Parse(dissect.Orig, request)
	p.Parse(dissect.Resp, reply)
	p.Parse(dissect.Resp, gps)
	recs := c.Logs("ntp")
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	want := map[string]string{"version": "4", "mode": "4", "stratum": "2", "poll": "64",
		"root_delay": "0.5", "root_disp": "1", "ref_id": "192.0.2.1", "xmt_time": "1600000000.5",
		"ref_time": "0", "num_exts": "0", "precision": "0.00000011920928955078125"}
	for k, v := range want {
		if got := recs[1].Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if recs[2].Get("ref_id") != "GPS" {
		t.Errorf("stratum 1 ref_id = %q", recs[2].Get("ref_id"))
	}
	got := map[string]string{}
	for _, f := range c.Facts {
		got[f.Side.String()+" "+f.Attr] = f.Value
	}
	for k, v := range map[string]string{"orig role": "ntp_client", "resp role": "ntp_server", "resp ntp_stratum": "1", "resp ntp_ref_id": "GPS"} {
		if got[k] != v {
			t.Errorf("fact %s = %q, want %q", k, got[k], v)
		}
	}
}

func TestMalformedAndProbe(t *testing.T) {
	env, c := dissecttest.NewEnv("ntp", dissecttest.Flow(17, 123))
	p := newParser(env)
	p.Parse(dissect.Orig, request[:20])
	if w := c.Logs("weird"); len(w) != 1 || w[0].Get("name") != "ntp_malformed" || len(c.Logs("ntp")) != 0 {
		t.Errorf("short packet: %+v", c.Records)
	}
	for _, cs := range []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"client", request, dissect.Match},
		{"control", []byte{0x16, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0}, dissect.Match},
		{"version 0", header(0, 0, 3, 0, 0, 0, [4]byte{}, 0), dissect.NoMatch},
		{"odd length", append(append([]byte(nil), request...), 1), dissect.NoMatch},
		{"text", []byte("this is not an ntp packet, though it is long enough to be one ......"), dissect.NoMatch},
	} {
		if got := Probe(dissect.Orig, cs.b); got != cs.want {
			t.Errorf("%s: Probe = %d, want %d", cs.name, got, cs.want)
		}
	}
}

func TestSteadyStateAllocs(t *testing.T) {
	p := newParser(&dissect.Env{Flow: dissecttest.Flow(17, 123), Name: "ntp", Out: dissecttest.Discard{}})
	cycle := func() { p.Parse(dissect.Orig, request); p.Parse(dissect.Resp, reply) }
	cycle()
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per exchange, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p := newParser(&dissect.Env{Flow: dissecttest.Flow(17, 123), Name: "ntp", Out: dissecttest.Discard{}})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Parse(dissect.Orig, request)
		p.Parse(dissect.Resp, reply)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(2*b.N), "ns/PDU")
}

func FuzzParse(f *testing.F) {
	f.Add(append(append([]byte{0}, request...), append(dissecttest.Sep, append([]byte{1}, reply...)...)...))
	f.Add(append([]byte{1}, 0x16, 0x02, 0, 1, 0, 0, 0, 0))
	f.Fuzz(func(t *testing.T, data []byte) { dissecttest.Fuzz(t, "ntp", data, 70000) })
}
