package ssdp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

var (
	notify = []byte("NOTIFY * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nCACHE-CONTROL: max-age=1800\r\n" +
		"LOCATION: http://10.0.0.2:49152/desc.xml\r\nNT: upnp:rootdevice\r\nNTS: ssdp:alive\r\n" +
		"SERVER: Linux/4.9 UPnP/1.0 SCALANCE-XB208/4.1\r\nUSN: uuid:2fac1234-31f8-11b4-a222-08002b34c003::upnp:rootdevice\r\n\r\n")
	search = []byte("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\n" +
		"ST: ssdp:all\r\nUSER-AGENT: Windows/10.0 UPnP/2.0 Scanner/1.0\r\n\r\n")
	response = []byte("HTTP/1.1 200 OK\r\nCache-Control: max-age=120\r\nST: upnp:rootdevice\r\n" +
		"usn: uuid:abc::upnp:rootdevice\r\nLocation: http://10.0.0.2/d.xml\r\nServer: VxWorks/6.9 UPnP/1.0 HMI/2.0\r\n\r\n")
)

func TestMessages(t *testing.T) {
	env, c := dissecttest.NewEnv("ssdp", dissecttest.Flow(17, 1900))
	p := newParser(env)
	p.Parse(dissect.Resp, notify)
	p.Parse(dissect.Orig, search)
	p.Parse(dissect.Resp, response)
	recs := c.Logs("ssdp")
	if len(recs) != 3 {
		t.Fatalf("%d records", len(recs))
	}
	checks := []map[string]string{
		{"method": "NOTIFY", "nt": "upnp:rootdevice", "nts": "ssdp:alive", "server": "Linux/4.9 UPnP/1.0 SCALANCE-XB208/4.1",
			"location": "http://10.0.0.2:49152/desc.xml", "usn": "uuid:2fac1234-31f8-11b4-a222-08002b34c003::upnp:rootdevice", "is_orig": "false"},
		{"method": "M-SEARCH", "st": "ssdp:all", "mx": "2", "man": `"ssdp:discover"`, "user_agent": "Windows/10.0 UPnP/2.0 Scanner/1.0"},
		{"method": "RESPONSE", "status_code": "200", "st": "upnp:rootdevice", "usn": "uuid:abc::upnp:rootdevice", "cache_control": "max-age=120"},
	}
	for i, want := range checks {
		for k, v := range want {
			if got := recs[i].Get(k); got != v {
				t.Errorf("record %d: %s = %q, want %q", i, k, got, v)
			}
		}
	}
	got := map[string]string{}
	for _, f := range c.Facts {
		got[f.Side.String()+" "+f.Attr] += f.Value + ";"
	}
	for k, v := range map[string]string{
		"resp software": "Linux/4.9 UPnP/1.0 SCALANCE-XB208/4.1;VxWorks/6.9 UPnP/1.0 HMI/2.0;",
		"resp os":       "Linux/4.9;VxWorks/6.9;",
		"orig os":       "Windows/10.0;",
	} {
		if got[k] != v {
			t.Errorf("facts %s = %q, want %q", k, got[k], v)
		}
	}
}

func TestProbe(t *testing.T) {
	for _, cs := range []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"notify", notify, dissect.Match},
		{"search", search, dissect.Match},
		{"response", response, dissect.Match},
		{"plain http", []byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), dissect.NoMatch},
		{"binary", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, dissect.NoMatch},
		{"get", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), dissect.NoMatch},
	} {
		if got := Probe(dissect.Orig, cs.b); got != cs.want {
			t.Errorf("%s: Probe = %d, want %d", cs.name, got, cs.want)
		}
	}
	env, c := dissecttest.NewEnv("ssdp", dissecttest.Flow(17, 1900))
	newParser(env).Parse(dissect.Orig, []byte{0, 1, 2})
	if len(c.Logs("ssdp")) != 0 || len(c.Logs("weird")) != 1 {
		t.Errorf("garbage: %+v", c.Records)
	}
}

func TestSteadyStateAllocs(t *testing.T) {
	p := newParser(&dissect.Env{Flow: dissecttest.Flow(17, 1900), Name: "ssdp", Out: dissecttest.Discard{}})
	cycle := func() { p.Parse(dissect.Resp, notify); p.Parse(dissect.Orig, search); p.Parse(dissect.Resp, response) }
	cycle()
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per cycle, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p := newParser(&dissect.Env{Flow: dissecttest.Flow(17, 1900), Name: "ssdp", Out: dissecttest.Discard{}})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Parse(dissect.Resp, notify)
		p.Parse(dissect.Orig, search)
		p.Parse(dissect.Resp, response)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(3*b.N), "ns/PDU")
}

func FuzzParse(f *testing.F) {
	f.Add(append(append([]byte{1}, notify...), append(dissecttest.Sep, append([]byte{0}, search...)...)...))
	f.Add(append([]byte{1}, response...))
	f.Fuzz(func(t *testing.T, data []byte) { dissecttest.Fuzz(t, "ssdp", data, 70000) })
}
