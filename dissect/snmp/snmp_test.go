package snmp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func TestLog(t *testing.T) {
	tests := []struct {
		name  string
		port  uint16
		steps []step
		want  map[string]string // snmp.log fields; nil: no line
	}{
		{"v2c get of the system group", 161, []step{q(getSys), a(rspSys)}, map[string]string{
			"version": "2c", "community": "public", "get_requests": "5", "get_responses": "5", "get_bulk_requests": "0",
			"set_requests": "0", "duration": "0.001", "ts": "1600000000.000000",
			"display_string": "SIMATIC NET, SCALANCE X308-2, HW: 5, FW: V4.1.0",
			"up_since":       "1599900000.001", // response at t0+1ms minus 100000 s
			"id.resp_p":      "161",
		}},
		{"v1 set", 161, []step{q(setName), a(setResp)}, map[string]string{
			"version": "1", "community": "private", "set_requests": "2", "get_responses": "2"}},
		{"v2c bulk", 161, []step{q(bulk)}, map[string]string{"get_bulk_requests": "1", "get_responses": "0"}},
		{"v1 trap", 162, []step{q(trapV1)}, map[string]string{"version": "1", "get_requests": "0", "duration": "0"}},
		{"v3 noAuthNoPriv: community is the USM user (as Zeek's baseline)", 161, []step{q(v3Get), a(v3Resp)}, map[string]string{
			"version": "3", "community": "username", "get_requests": "1", "get_responses": "1"}},
		{"v3 encrypted: header only", 161, []step{q(v3Priv)}, map[string]string{
			"version": "3", "community": "admin", "get_requests": "0"}},
		{"garbage", 161, []step{q([]byte("hello world"))}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := run(t, tc.port, tc.steps...)
			recs := c.Logs("snmp")
			if tc.want == nil {
				if len(recs) != 0 {
					t.Fatalf("logged %v", recs)
				}
				return
			}
			if len(recs) != 1 {
				t.Fatalf("%d snmp records, want 1 per flow", len(recs))
			}
			for k, v := range tc.want {
				if g := recs[0].Get(k); g != v {
					t.Errorf("%s = %q, want %q (%s)", k, g, v, recs[0].Raw)
				}
			}
		})
	}
}

func TestFacts(t *testing.T) {
	c := run(t, 161, q(getSys), a(rspSys), q(getSys), a(rspSys))
	want := map[string]string{
		dissect.AttrSoftware: "SIMATIC NET, SCALANCE X308-2, HW: 5, FW: V4.1.0",
		"sys_object_id":      "1.3.6.1.4.1.4329.20.1.1",
		dissect.AttrVendor:   "Siemens",
		dissect.AttrHostname: "sw-cell-3",
		"location":           "Hall 2 cabinet 7",
	}
	got := map[string]string{}
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrRole {
			wantSide := dissect.Resp
			if f.Value == "snmp_manager" {
				wantSide = dissect.Orig
			}
			if f.Side != wantSide {
				t.Errorf("role %s on %v", f.Value, f.Side)
			}
			continue
		}
		if f.Side != dissect.Resp {
			t.Errorf("fact %s about %v, want the agent (resp)", f.Attr, f.Side)
		}
		if _, dup := got[f.Attr]; dup {
			t.Errorf("fact %s sent twice for the same value", f.Attr)
		}
		got[f.Attr] = f.Value
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("fact %s = %q, want %q", k, got[k], v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("facts %v", got)
	}
}

func TestSetIsConfigWrite(t *testing.T) {
	c := run(t, 161, q(setName), a(setResp))
	if len(c.Events) != 1 {
		t.Fatalf("%d events", len(c.Events))
	}
	e := c.Events[0]
	if e.Kind != dissect.EvConfigWrite || e.Src != dissect.Orig || e.Detail != "SET 1.3.6.1.2.1.1.5.0 (+1 more)" {
		t.Errorf("event %+v", e)
	}
}

func TestCleartextCommunity(t *testing.T) {
	for community, addl := range map[string]string{"public": "public", "private": "private", "s3cr3t-plant": "(redacted)", "": "(redacted)"} {
		g := v2c(community, pdu(pduGet, 1, vb(sysOID(1), null())))
		c := run(t, 161, q(g), q(g))
		w := c.Logs("weird")
		if len(w) != 1 || w[0].Get("name") != weirdCleartext || w[0].Get("addl") != addl {
			t.Errorf("community %q: weirds %v, want one with addl %q", community, w, addl)
		}
	}
	if w := run(t, 161, q(v3Get), a(v3Resp)).Logs("weird"); len(w) != 0 {
		t.Errorf("v3 reported: %v", w)
	}
}

func TestPairing(t *testing.T) {
	// A response to nothing is unsolicited; a retransmitted response is not reported.
	c := run(t, 161, q(getSys), a(rspSys), a(rspSys), a(v2c("public", pdu(pduResponse, 99))))
	w := weirdNames(c)
	if _, ok := w[weirdUnsolicited]; !ok || len(c.Logs("weird")) != 2 {
		t.Errorf("weirds %v, want cleartext + one unsolicited", w)
	}
	// More than maxPending unanswered requests: reported once, the table stays bounded.
	env, c := dissecttest.NewEnv("snmp", dissecttest.Flow(17, 161))
	p := newParser(env).(*parser)
	for i := 0; i < maxPending+50; i++ {
		g := v2c("public", pdu(pduGet, int64(i), vb(sysOID(1), null())))
		p.Parse(dissect.Orig, g)
	}
	if len(p.pend) != maxPending {
		t.Errorf("%d pending, cap %d", len(p.pend), maxPending)
	}
	if _, ok := weirdNames(c)[weirdFlood]; !ok {
		t.Errorf("flood not reported")
	}
	// The newest request is still matched.
	p.Parse(dissect.Resp, v2c("public", pdu(pduResponse, maxPending+49)))
	if _, ok := weirdNames(c)[weirdUnsolicited]; ok {
		t.Errorf("newest request lost")
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name  string
		in    []byte
		weird string
	}{
		{"indefinite length", []byte{0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00}, weirdMalformed},
		{"length beyond the datagram", []byte{0x30, 0x20, 0x02, 0x01, 0x01}, weirdMalformed},
		{"version 2", tlv(tagSequence, integer(2), octets("public"), pdu(pduGet, 1)), weirdVersion},
		{"PDU tag 0xa9", tlv(tagSequence, integer(1), octets("public"), tlv(0xa9, integer(1))), weirdUnknownPDU},
		{"VarBind without a value", v2c("public", tlv(pduGet, integer(1), integer(0), integer(0), tlv(tagSequence, tlv(tagSequence, sysOID(1))))), weirdMalformed},
		{"request-id of 9 bytes", v2c("public", tlv(pduGet, tlv(tagInteger, make([]byte, 9)), integer(0), integer(0), tlv(tagSequence))), weirdMalformed},
		{"v3 flags of 2 bytes", tlv(tagSequence, integer(3), tlv(tagSequence, integer(1), integer(1), octets("ab"), integer(3))), weirdMalformed},
		{"high tag number", []byte{0x3f, 0x01, 0x00}, weirdMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := run(t, 161, q(tc.in), q(tc.in))
			w := c.Logs("weird")
			if len(w) != 1 || w[0].Get("name") != tc.weird {
				t.Errorf("weirds %v, want one %s", w, tc.weird)
			}
			if len(c.Logs("snmp")) != 0 {
				t.Errorf("malformed datagram logged")
			}
		})
	}
	c := run(t, 161, q(append(append([]byte{}, getSys...), 0, 0)))
	if _, ok := weirdNames(c)[weirdTrailing]; !ok || len(c.Logs("snmp")) != 1 {
		t.Errorf("trailing bytes: %v", c.Records)
	}
}

func TestOID(t *testing.T) {
	for _, tc := range []struct {
		enc  []byte
		want string
	}{
		{oid(1, 3, 6, 1, 4, 1, 2001, 1, 1, 1, 297, 93, 1, 27, 2, 2, 1), "1.3.6.1.4.1.2001.1.1.1.297.93.1.27.2.2.1"},
		{oid(2, 999, 3), "2.999.3"},
		{oid(0, 39), "0.39"},
	} {
		if g := string(appendOID(nil, tc.enc[2:])); g != tc.want {
			t.Errorf("appendOID = %s, want %s", g, tc.want)
		}
	}
	if n := enterprise(oid(1, 3, 6, 1, 4, 1, 8691, 1)[2:]); n != 8691 {
		t.Errorf("enterprise = %d", n)
	}
	if n := enterprise(oid(1, 3, 6, 1, 2, 1)[2:]); n != -1 {
		t.Errorf("enterprise of a MIB-2 OID = %d", n)
	}
}

// TestDatagramSemantics is the segmentation matrix for UDP: one datagram is one message;
// a message split over two datagrams is two malformed datagrams, two messages in one
// datagram are one message and trailing bytes; byte-at-a-time never logs; Gap is a no-op.
func TestDatagramSemantics(t *testing.T) {
	env, c := dissecttest.NewEnv("snmp", dissecttest.Flow(17, 161))
	p := newParser(env)
	s := &dissecttest.Stream{P: p}
	s.Write(t, dissect.Orig, getSys[:20])
	s.Write(t, dissect.Orig, getSys[20:])
	if s.Pending(dissect.Orig) != 0 || env.PDUs != 0 {
		t.Fatalf("split message: pending %d, PDUs %d", s.Pending(dissect.Orig), env.PDUs)
	}
	s.Write(t, dissect.Orig, append(append([]byte{}, getSys...), rspSys...))
	if env.PDUs != 1 {
		t.Fatalf("glued messages: PDUs %d", env.PDUs)
	}
	for i := range getSys {
		s.Write(t, dissect.Orig, getSys[i:i+1])
	}
	s.Gap(dissect.Orig, 100)
	s.Write(t, dissect.Resp, rspSys)
	if env.PDUs != 2 || s.Pending(dissect.Orig) != 0 {
		t.Fatalf("after bytes and gap: PDUs %d", env.PDUs)
	}
	p.Close()
	recs := c.Logs("snmp")
	if len(recs) != 1 || recs[0].Get("get_requests") != "5" || recs[0].Get("get_responses") != "5" {
		t.Fatalf("snmp.log %v", recs)
	}
	w := weirdNames(c)
	if _, ok := w[weirdMalformed]; !ok {
		t.Errorf("split halves not reported")
	}
	if _, ok := w[weirdTrailing]; !ok {
		t.Errorf("glued message not reported")
	}
}

func TestProbe(t *testing.T) {
	for _, m := range [][]byte{getSys, rspSys, setName, trapV1, v3Get, v3Priv} {
		if Probe(dissect.Orig, m) != dissect.Match {
			t.Errorf("Probe refused %x", m[:8])
		}
	}
	dns := []byte{0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 'w', 'w', 'w', 0x00, 0x00, 0x01, 0x00, 0x01}
	for _, junk := range [][]byte{dns, []byte("GET / HTTP/1.1\r\n"), {0x30, 0x03, 0x02, 0x01, 0x02}, {0x30, 0x05, 0x02, 0x01, 0x03, 0x04, 0x00}} {
		if Probe(dissect.Orig, junk) != dissect.NoMatch {
			t.Errorf("Probe(%x) matched", junk)
		}
	}
}

// TestNonSNMPNotLogged: a DNS query on port 161 is refused by the probe and, fed to the
// parser anyway, writes no snmp.log line.
func TestNonSNMPNotLogged(t *testing.T) {
	dns := []byte{0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 'w', 'w', 'w', 0x00, 0x00, 0x01, 0x00, 0x01}
	if Probe(dissect.Orig, dns) != dissect.NoMatch {
		t.Fatal("probe matched DNS")
	}
	c := run(t, 161, q(dns))
	if len(c.Logs("snmp")) != 0 || len(c.Facts) != 0 {
		t.Errorf("DNS logged: %v", c.Records)
	}
}
