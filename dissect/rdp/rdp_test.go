package rdp

import (
	"encoding/binary"
	"testing"
	"unicode/utf16"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func u16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

// tpkt wraps an X.224 TPDU in a TPKT header (RFC 1006).
func tpkt(tpdu []byte) []byte {
	n := 4 + len(tpdu)
	return cat([]byte{3, 0, byte(n >> 8), byte(n)}, tpdu)
}

// x224 builds a CR/CC TPDU: LI, code, dst-ref(2), src-ref(2), class, then variable part.
func x224(code byte, variable []byte) []byte {
	return tpkt(cat([]byte{byte(6 + len(variable)), code, 0, 0, 0x12, 0x34, 0}, variable))
}

var (
	connReq = x224(x224CR, cat(
		[]byte("Cookie: mstshash=jsmith\r\n"),
		[]byte{0x01, 0x00, 0x08, 0x00}, u32(protoSSL|protoHybrid|protoHybridEx), // RDP_NEG_REQ
	))
	connConfirmHybrid = x224(x224CC, cat([]byte{0x02, 0x1f, 0x08, 0x00}, u32(protoHybrid)))
	connConfirmRDP    = x224(x224CC, cat([]byte{0x02, 0x00, 0x08, 0x00}, u32(0)))
	connFailure       = x224(x224CC, cat([]byte{0x03, 0x00, 0x08, 0x00}, u32(5)))
)

func utf16le(s string, n int) []byte {
	b := make([]byte, n)
	for i, r := range utf16.Encode([]rune(s)) {
		binary.LittleEndian.PutUint16(b[2*i:], r)
	}
	return b
}

// mcsConnectInitial is an X.224 DT carrying a (simplified) MCS Connect-Initial whose GCC
// user data holds CS_CORE and CS_NET.
func mcsConnectInitial() []byte {
	core := cat(u32(0x00080004), u16(1920), u16(1080), u16(0xca01), u16(0xaa03),
		u32(0x0407), u32(9600), utf16le("ENG-LAPTOP", 32), u32(4), u32(0), u32(12), make([]byte, 64))
	net := cat(u32(2), []byte("rdpdr\x00\x00\x00"), u32(0x80800000), []byte("cliprdr\x00"), u32(0xc0a00000))
	blocks := cat(u16(0xc001), u16(uint16(4+len(core))), core, u16(0xc003), u16(uint16(4+len(net))), net)
	gcc := cat([]byte{0, 5, 0, 0x14, 0x7c, 0, 1}, []byte("Duca"), []byte{0x80 | byte(len(blocks)>>8), byte(len(blocks))}, blocks)
	mcs := cat([]byte{0x7f, 0x65, 0x82, 0, 0}, []byte{0x04, 1, 1, 0x04, 1, 1, 0x01, 1, 0xff}, []byte{0x04, 0x82, 0, 0}, gcc)
	return tpkt(cat([]byte{2, x224DT, 0x80}, mcs))
}

func mcsConnectResponse() []byte {
	sec := cat(u32(2), u32(2))
	blocks := cat(u16(0x0c02), u16(uint16(4+len(sec))), sec)
	gcc := cat([]byte{0, 5, 0, 0x14, 0x7c, 0, 1, 0x2a, 0x14, 0x76, 0x0a, 1, 1, 0, 1, 0xc0, 0}, []byte("McDn"), []byte{byte(len(blocks))}, blocks)
	mcs := cat([]byte{0x7f, 0x66, 0x82, 0, 0}, []byte{0x0a, 0x01, 0x00}, []byte{0x02, 1, 0}, gcc)
	return tpkt(cat([]byte{2, x224DT, 0x80}, mcs))
}

type step struct {
	dir dissect.Dir
	b   []byte
}

func run(t testing.TB, steps ...step) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("rdp", dissecttest.Flow(6, 3389))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range steps {
		if err := s.Write(t, st.dir, st.b); err != nil {
			t.Fatal(err)
		}
	}
	s.P.Close()
	return c
}

func TestConnectionSequences(t *testing.T) {
	tlsHello := []byte{0x16, 3, 1, 0, 5, 1, 0, 0, 1, 0}
	tests := []struct {
		name  string
		steps []step
		want  map[string]string
	}{
		{"CredSSP", []step{{dissect.Orig, connReq}, {dissect.Resp, connConfirmHybrid}, {dissect.Orig, tlsHello}},
			map[string]string{"cookie": "jsmith", "result": "encrypted", "security_protocol": "HYBRID",
				"requested_security_protocols": `["SSL","HYBRID","HYBRID_EX"]`, "client_name": ""}},
		{"negotiation failure", []step{{dissect.Orig, connReq}, {dissect.Resp, connFailure}},
			map[string]string{"result": "HYBRID_REQUIRED_BY_SERVER", "security_protocol": ""}},
		{"standard RDP security", []step{{dissect.Orig, connReq}, {dissect.Resp, connConfirmRDP},
			{dissect.Orig, mcsConnectInitial()}, {dissect.Resp, mcsConnectResponse()}},
			map[string]string{"security_protocol": "RDP", "result": "Success", "client_name": "ENG-LAPTOP",
				"client_build": "RDP 8.1", "keyboard_layout": "German - Germany", "desktop_width": "1920",
				"desktop_height": "1080", "client_channels": `["rdpdr","cliprdr"]`,
				"encryption_method": "128bit", "encryption_level": "Client compatible"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := run(t, tc.steps...)
			recs := c.Logs("rdp")
			if len(recs) != 1 {
				t.Fatalf("rdp.log: %d lines", len(recs))
			}
			for k, v := range tc.want {
				if got := recs[0].Get(k); got != v {
					t.Errorf("%s = %q, want %q", k, got, v)
				}
			}
		})
	}
}

func TestFactsAndEvents(t *testing.T) {
	c := run(t, step{dissect.Orig, connReq}, step{dissect.Resp, connConfirmRDP}, step{dissect.Orig, mcsConnectInitial()})
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvLogin || c.Events[0].Detail != "user=jsmith" || c.Events[0].Src != dissect.Orig {
		t.Errorf("events %+v", c.Events)
	}
	var roles, hosts []string
	for _, f := range c.Facts {
		switch f.Attr {
		case dissect.AttrRole:
			roles = append(roles, f.Side.String()+"="+f.Value)
		case dissect.AttrHostname:
			hosts = append(hosts, f.Side.String()+"="+f.Value)
		}
	}
	if len(roles) != 2 || roles[0] != "resp=rdp_server" || roles[1] != "orig=rdp_client" {
		t.Errorf("roles %v", roles)
	}
	if len(hosts) != 1 || hosts[0] != "orig=ENG-LAPTOP" {
		t.Errorf("hostname facts %v", hosts)
	}
}

func TestSegmentation(t *testing.T) {
	seq := []step{{dissect.Orig, connReq}, {dissect.Resp, connConfirmRDP}, {dissect.Orig, mcsConnectInitial()}, {dissect.Resp, mcsConnectResponse()}}
	feeds := map[string]func(t *testing.T, s *dissecttest.Stream){
		"one PDU over two segments": func(t *testing.T, s *dissecttest.Stream) {
			for _, st := range seq {
				s.Write(t, st.dir, st.b[:3])
				s.Write(t, st.dir, st.b[3:])
			}
		},
		"byte at a time": func(t *testing.T, s *dissecttest.Stream) {
			for _, st := range seq {
				for _, c := range st.b {
					s.Write(t, st.dir, []byte{c})
				}
			}
		},
		"two PDUs in one segment": func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, cat(connReq, mcsConnectInitial()))
			s.Write(t, dissect.Resp, cat(connConfirmRDP, mcsConnectResponse()))
		},
		"gap then resync": func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, connReq[:10])
			s.Gap(dissect.Orig, 20)
			s.Write(t, dissect.Orig, mcsConnectInitial())
			s.Write(t, dissect.Resp, connConfirmRDP)
			s.Write(t, dissect.Resp, mcsConnectResponse())
		},
	}
	for name, feed := range feeds {
		t.Run(name, func(t *testing.T) {
			env, c := dissecttest.NewEnv("rdp", dissecttest.Flow(6, 3389))
			s := &dissecttest.Stream{P: newParser(env)}
			feed(t, s)
			s.P.Close()
			recs := c.Logs("rdp")
			if len(recs) != 1 || recs[0].Get("client_name") != "ENG-LAPTOP" || recs[0].Get("result") != "Success" {
				t.Errorf("rdp.log = %v", recs)
			}
		})
	}
}

func TestNotRDP(t *testing.T) {
	s7cr := []byte{3, 0, 0, 0x16, 0x11, 0xe0, 0, 0, 0, 1, 0, 0xc0, 1, 0x0a, 0xc1, 2, 1, 0, 0xc2, 2, 1, 2} // COTP CR with TSAPs
	for _, b := range [][]byte{[]byte("GET / HTTP/1.1\r\n\r\n"), {3, 0, 0, 0x13, 0x0e, 0xf0, 0x80}, {0x16, 3, 1, 0, 0x20}, s7cr} {
		if v := Probe(dissect.Orig, b); v != dissect.NoMatch {
			t.Errorf("Probe(%q) = %d", b, v)
		}
	}
	if v := Probe(dissect.Orig, connReq); v != dissect.Match {
		t.Errorf("Probe(connection request) = %d", v)
	}
	c := run(t, step{dissect.Orig, []byte("SSH-2.0-x\r\n")}, step{dissect.Resp, []byte("SSH-2.0-y\r\n")})
	if len(c.Records) != 0 {
		t.Errorf("logged %v", c.Records)
	}
}

func FuzzParse(f *testing.F) {
	join := func(chunks ...[]byte) []byte {
		var out []byte
		for i, c := range chunks {
			if i > 0 {
				out = append(out, dissecttest.Sep...)
			}
			out = append(out, c...)
		}
		return out
	}
	f.Add(join(cat([]byte{0}, connReq), cat([]byte{1}, connConfirmHybrid)))
	f.Add(join(cat([]byte{0}, connReq), cat([]byte{1}, connConfirmRDP), cat([]byte{0}, mcsConnectInitial()), cat([]byte{1}, mcsConnectResponse())))
	f.Add(join(cat([]byte{0}, connReq[:9]), []byte{0xff, 1, 2}, cat([]byte{0}, mcsConnectInitial())))
	f.Fuzz(func(t *testing.T, data []byte) { dissecttest.Fuzz(t, "rdp", data, 70000) })
}

// Steady state is the encrypted session after the connection sequence: bytes are consumed
// without parsing or allocation.
func TestSteadyStateAllocs(t *testing.T) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 3389), Name: "rdp", Out: dissecttest.Discard{}}
	p := newParser(env)
	p.Parse(dissect.Orig, connReq)
	p.Parse(dissect.Resp, connConfirmHybrid)
	rec := cat([]byte{0x17, 3, 3, 0, 64}, make([]byte, 64))
	if a := testing.AllocsPerRun(200, func() {
		p.Parse(dissect.Orig, rec)
		p.Parse(dissect.Resp, rec)
	}); a != 0 {
		t.Errorf("%.1f allocs per exchange, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	seq := [][]byte{connReq, connConfirmRDP, mcsConnectInitial(), mcsConnectResponse()}
	b.ReportAllocs()
	pdus := 0
	for i := 0; i < b.N; i++ {
		env := &dissect.Env{Flow: dissecttest.Flow(6, 3389), Name: "rdp", Out: dissecttest.Discard{}}
		p := newParser(env)
		for j, pdu := range seq {
			p.Parse(dissect.Dir(j&1), pdu)
		}
		p.Close()
		pdus += len(seq)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(pdus), "ns/PDU")
}
