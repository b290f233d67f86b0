package dns

import (
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

func TestQueryReplyPaired(t *testing.T) {
	tc := newCase(17, 53)
	tc.udp(t, dissect.Orig, aQuery)
	tc.udp(t, dissect.Resp, aReply)
	recs := tc.cap.Logs("dns")
	if len(recs) != 1 {
		t.Fatalf("%d dns records, want 1: %+v", len(recs), recs)
	}
	r := recs[0]
	want := map[string]string{
		"proto": "udp", "trans_id": "4660", "query": "plc1.example.com", "qclass": "1",
		"qclass_name": "C_INTERNET", "qtype": "1", "qtype_name": "A", "rcode": "0",
		"rcode_name": "NOERROR", "AA": "false", "RD": "true", "RA": "true", "Z": "0",
		"answers": `["192.0.2.10"]`, "TTLs": "[300]", "rejected": "false", "opcode": "0",
		"opcode_name": "query", "rtt": "0.001", "id.orig_h": "10.0.0.1", "id.resp_p": "53",
		"ts": "1600000000.000000",
	}
	for k, v := range want {
		if got := r.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if !strings.Contains(r.Raw, `"ts":1600000000.000000,`) {
		t.Errorf("record ts is not the query's: %s", r.Raw)
	}
	if tc.env.PDUs != 2 {
		t.Errorf("PDUs = %d, want 2", tc.env.PDUs)
	}
	var roles []string
	for _, f := range tc.cap.Facts {
		if f.Attr == dissect.AttrRole {
			roles = append(roles, f.Side.String()+"="+f.Value)
		}
	}
	if strings.Join(roles, ",") != "resp=dns_server,orig=dns_client" {
		t.Errorf("role facts %v", roles)
	}
}

// TestAnswerFormats checks the answer text of each RR type against what Zeek's dns.log holds.
func TestAnswerFormats(t *testing.T) {
	owner := ptr(12) // the question name
	cases := []struct {
		name  string
		typ   uint16
		rdata []byte
		want  string // "" = Zeek writes no answer for the type
	}{
		{"A", typeA, []byte{10, 1, 2, 3}, "10.1.2.3"},
		{"AAAA", typeAAAA, cat([]byte{0x20, 0x01, 0x0d, 0xb8}, make([]byte, 11), []byte{1}), "2001:db8::1"},
		{"CNAME compressed", typeCNAME, cat([]byte{3, 'w', 'w', 'w'}, ptr(12)), "www.plc1.example.com"},
		{"PTR", typePTR, name("Host.Example"), "host.example"},
		{"MX", typeMX, cat(u16(10), name("mail.example.com")), "mail.example.com"},
		{"SRV", typeSRV, cat(u16(0), u16(5), u16(5060), name("sip.example.com")), "sip.example.com"},
		{"SOA", typeSOA, cat(name("ns1.example.com"), name("admin.example.com"), make([]byte, 20)), "ns1.example.com"},
		{"TXT two strings", typeTXT, cat(cs("v=spf1"), cs("-all")), "TXT 6 v=spf1 TXT 4 -all"},
		{"SPF", typeSPF, cs("v=spf1 mx -all"), "SPF 14 v=spf1 mx -all"},
		{"NAPTR", typeNAPTR, cat(u16(100), u16(10), cs("s"), cs("SIPS+D2T"), cs(""), name("_sips._tcp.example.com")), "NAPTR 100 10 s SIPS+D2T _sips._tcp.example.com"},
		{"RRSIG", typeRRSIG, cat(u16(1), []byte{5, 3}, u32(30), u32(0), u32(0), u16(1), name("example.com"), []byte{1, 2, 3}), "RRSIG 1 example.com"},
		{"RRSIG root signer", typeRRSIG, cat(u16(48), []byte{8, 0}, u32(30), u32(0), u32(0), u16(1), name(""), []byte{1}), "RRSIG 48 <Root>"},
		{"DNSKEY", typeDNSKEY, cat(u16(257), []byte{3, 13}, []byte{1, 2}), "DNSKEY 13"},
		{"DS", typeDS, cat(u16(2371), []byte{13, 2}, []byte{0xaa}), "DS 13 2"},
		{"NSEC", typeNSEC, cat(name("next.example.com"), []byte{0, 1, 0x40}), "NSEC plc1.example.com next.example.com"},
		{"NSEC3", typeNSEC3, []byte{1, 0, 0, 1, 0, 0}, "NSEC3"},
		{"SSHFP", typeSSHFP, []byte{1, 1, 0xde, 0xad}, "SSHFP: dead"},
		{"LOC", typeLOC, cat([]byte{0, 0x12, 0x15, 0x13}, make([]byte, 12)), "LOC:  18 21 19"},
		{"BINDS", typeBINDS, []byte{7, 0x7d, 0x12, 0, 1}, "BIND9 signing signal"},
		{"unknown", 99 + 100, []byte{1}, "<unknown type=199>"},
		{"HINFO", typeHINFO, cat(cs("INTEL-386"), cs("Windows")), ""},
		{"WKS", typeWKS, []byte{10, 0, 0, 1, 6, 0}, ""},
		{"CAA", typeCAA, cat([]byte{0}, cs("issue"), []byte("ca.example")), ""},
		{"HTTPS", typeHTTPS, cat(u16(1), name("")), ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tc := newCase(17, 53)
			tc.udp(t, dissect.Orig, aQuery)
			tc.udp(t, dissect.Resp, cat(hdr(0x1234, flagsResponse, 1, 1, 0, 0),
				question("plc1.example.com", typeA, 1), record(owner, c.typ, 1, 60, c.rdata)))
			recs := tc.cap.Logs("dns")
			if len(recs) != 1 {
				t.Fatalf("%d records", len(recs))
			}
			got, _ := recs[0].Fields["answers"].([]any)
			if c.want == "" && got != nil || c.want != "" && (len(got) != 1 || got[0] != c.want) {
				t.Errorf("answers = %v, want [%s]", got, c.want)
			}
			if w := tc.cap.WeirdNames(); len(w) != 0 {
				t.Errorf("weirds %v", w)
			}
			// Types main.zeek has no handler for leave rtt, AA and RA unset (the tkey
			// baseline); WKS has one that adds no text.
			unseen := c.name == "HINFO" || c.name == "CAA" || c.name == "HTTPS"
			if (recs[0].Get("rtt") == "") != unseen {
				t.Errorf("rtt %q, script sees the record: %v", recs[0].Get("rtt"), !unseen)
			}
		})
	}
}

// TestDuplicateReply: the second reply to one query is logged on its own, without the
// question fields only a query sets (Zeek's dns-two-responses baseline).
func TestDuplicateReply(t *testing.T) {
	tc := newCase(17, 53)
	tc.udp(t, dissect.Orig, aQuery)
	tc.udp(t, dissect.Resp, aReply)
	tc.udp(t, dissect.Resp, aReply)
	tc.p.Close()
	recs := tc.cap.Logs("dns")
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2", len(recs))
	}
	if recs[0].Get("qtype") != "1" || recs[1].Get("qtype") != "" || recs[1].Get("rcode") != "0" || recs[1].Get("rtt") != "" {
		t.Errorf("records: %s\n%s", recs[0].Raw, recs[1].Raw)
	}
	if recs[1].Get("query") != "plc1.example.com" {
		t.Errorf("reply-only query = %q, want the answer's owner", recs[1].Get("query"))
	}
}

// TestPendingQueries: unanswered queries are logged at Close, and replies pair by id in order.
func TestPendingQueries(t *testing.T) {
	tc := newCase(17, 53)
	q2 := append([]byte(nil), aQuery...)
	q2[1] = 0x35 // id 0x1235
	tc.udp(t, dissect.Orig, aQuery)
	tc.udp(t, dissect.Orig, q2)
	tc.udp(t, dissect.Resp, aReply) // answers 0x1234
	if n := len(tc.cap.Logs("dns")); n != 1 {
		t.Fatalf("%d records before Close, want 1", n)
	}
	tc.p.Close()
	recs := tc.cap.Logs("dns")
	if len(recs) != 2 || recs[1].Get("trans_id") != "4661" || recs[1].Get("rcode") != "" {
		t.Fatalf("after Close: %+v", recs)
	}
}

func TestPendingTableBounded(t *testing.T) {
	tc := newCase(17, 53)
	q := append([]byte(nil), aQuery...)
	for i := 0; i < maxPending+10; i++ {
		q[0], q[1] = byte(i>>8), byte(i)
		tc.udp(t, dissect.Orig, q)
	}
	if len(tc.p.pending) != maxPending {
		t.Errorf("%d pending, want %d", len(tc.p.pending), maxPending)
	}
	if n := len(tc.cap.Logs("dns")); n != 10 {
		t.Errorf("%d evicted records written, want 10", n)
	}
	if w := tc.cap.WeirdNames(); len(w) != 1 || w[0] != "dns_pending_table_full" {
		t.Errorf("weirds %v", w)
	}
}

// TestFlip: a reply sent by the flow's originator first (both ports 53) is logged with the
// roles swapped, as Zeek's DNS analyzer flips the connection (dns53 "flip" baseline).
func TestFlip(t *testing.T) {
	tc := newCase(17, 53)
	tc.udp(t, dissect.Orig, aReply)
	tc.p.Close()
	r := tc.cap.Logs("dns")[0]
	if r.Get("id.orig_h") != "10.0.0.2" || r.Get("id.orig_p") != "53" || r.Get("id.resp_h") != "10.0.0.1" || r.Get("id.resp_p") != "50000" {
		t.Errorf("not flipped: %s", r.Raw)
	}
}

func TestRejected(t *testing.T) {
	tc := newCase(17, 53)
	notify := cat(hdr(7, 0x2000, 1, 0, 0, 0), question("zone.example", typeSOA, 1)) // opcode 4 NOTIFY
	tc.udp(t, dissect.Orig, notify)
	tc.udp(t, dissect.Resp, cat(hdr(7, 0xa005, 1, 0, 0, 0), question("zone.example", typeSOA, 1))) // REFUSED
	r := tc.cap.Logs("dns")[0]
	for k, v := range map[string]string{"opcode_name": "notify", "rcode_name": "REFUSED", "rejected": "true", "qtype_name": "SOA"} {
		if r.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, r.Get(k), v)
		}
	}
}

// TestDynamicUpdate follows RFC 2136: the zone section is not a query, prerequisites and
// updates are logged as Zeek writes them, and the update is a configuration write.
func TestDynamicUpdate(t *testing.T) {
	body := cat(question("example.org", typeSOA, 1), // zone
		record(name("host.example.org"), typeCNAME, classNONE, 0, nil),           // prereq: no CNAME RRset
		record(name("host.example.org"), typeAAAA, classANY, 0, nil),             // delete AAAA RRset
		record(name("host.example.org"), typeA, 1, 1200, []byte{192, 168, 1, 6})) // add A
	tc := newCase(17, 53)
	tc.udp(t, dissect.Orig, cat(hdr(47952, 0x2800, 1, 1, 2, 0), body))
	tc.udp(t, dissect.Resp, cat(hdr(47952, 0xa800, 1, 1, 2, 0), body))
	r := tc.cap.Logs("dns")[0]
	if got := r.Get("answers"); got != `["pre: NoRRSet CNAME host.example.org","del: RRSet AAAA","add: A host.example.org 192.168.1.6"]` {
		t.Errorf("answers %s", got)
	}
	if r.Get("query") != "host.example.org" || r.Get("qtype") != "" || r.Get("opcode_name") != "dynamic-update" {
		t.Errorf("record %s", r.Raw)
	}
	if len(tc.cap.Events) != 1 || tc.cap.Events[0].Kind != dissect.EvConfigWrite || tc.cap.Events[0].Src != dissect.Orig {
		t.Errorf("events %+v", tc.cap.Events)
	}
}

func TestZoneTransferEvent(t *testing.T) {
	tc := newCase(6, 53)
	tc.p.Parse(dissect.Orig, tcpFrame(cat(hdr(1, 0, 1, 0, 0, 0), question("example.org", typeAXFR, 1))))
	// Two events: the zone transfer, and the queried name (for indicator matching).
	if len(tc.cap.Events) != 2 || !strings.Contains(tc.cap.Events[0].Detail, "AXFR") ||
		tc.cap.Events[1].Kind != dissect.EvNameQuery || tc.cap.Events[1].Detail != "example.org" {
		t.Errorf("events %+v", tc.cap.Events)
	}
}

func TestMalformed(t *testing.T) {
	cases := []struct {
		name string
		msg  []byte
		want string
	}{
		{"pointer to itself", cat(hdr(1, 0, 1, 0, 0, 0), ptr(12), u16(1), u16(1)), "dns_label_forward_compress_offset"},
		{"forward pointer", cat(hdr(1, 0, 1, 0, 0, 0), ptr(40), u16(1), u16(1)), "dns_label_forward_compress_offset"},
		{"label past end", cat(hdr(1, 0, 1, 0, 0, 0), []byte{20, 'a', 'b'}), "dns_truncated"},
		{"label too long", cat(hdr(1, 0, 1, 0, 0, 0), []byte{64}, make([]byte, 64), []byte{0}, u16(1), u16(1)), "dns_label_too_long"},
		{"label type 0x40", cat(hdr(1, 0, 1, 0, 0, 0), []byte{0x41, 0}, u16(1), u16(1)), "dns_label_too_long"},
		{"counts past end", cat(hdr(1, 0x8000, 1, 3, 0, 0), question("a.b", typeA, 1), record(ptr(12), typeA, 1, 1, []byte{1, 2, 3, 4})), "dns_truncated"},
		{"rdlength past end", cat(hdr(1, 0x8000, 0, 1, 0, 0), name("a"), u16(1), u16(1), u32(1), u16(40), []byte{1}), "dns_truncated_rr_rdlength"},
		{"A with 3 bytes", cat(hdr(1, 0x8000, 0, 1, 0, 0), record(name("a"), typeA, 1, 1, []byte{1, 2, 3})), "dns_truncated_rr_rdlength"},
		{"too many questions", cat(hdr(1, 0, 26, 0, 0, 0), question("a", 1, 1)), "dns_conn_count_too_large"},
		{"short header", []byte{1, 2, 3}, "dns_truncated_len_lt_hdr_len"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tc := newCase(17, 53)
			tc.udp(t, dissect.Orig, c.msg)
			if w := tc.cap.WeirdNames(); len(w) != 1 || w[0] != c.want {
				t.Errorf("weirds %v, want [%s]", w, c.want)
			}
		})
	}
}

// TestPointerChainBounded: a long chain of backward pointers ends in a weird, not a hang.
func TestPointerChainBounded(t *testing.T) {
	m := hdr(1, 0, 1, 0, 0, 0)
	m = append(m, 1, 'a', 0) // offset 12: "a"
	for i := 0; i < 40; i++ {
		m = append(m, ptr(len(m)-2-boolInt(i == 0))...)
	}
	_, _, prob := readName(m, len(m)-2, nil, false)
	if prob != probPointerLoop {
		t.Errorf("problem %d, want pointer loop", prob)
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestMDNSAnnouncement: to a multicast group every message is its own record, and an
// unsolicited response tells the sender's host name and model.
func TestMDNSAnnouncement(t *testing.T) {
	flow := &dissect.FlowInfo{UID: "Cmdns", Proto: 17}
	tc := newCase(17, 5353)
	flow.Orig, flow.Resp = tc.env.Flow.Orig, tc.env.Flow.Resp
	flow.Orig.Port, flow.Resp.Port = 5353, 5353
	flow.Resp.IP = mustAddr("224.0.0.251")
	tc.env.Flow = flow
	tc.p = newParser(tc.env).(*parser)
	ann := cat(hdr(0, 0x8400, 0, 2, 0, 0), // response, AA
		record(name("Press-7.local"), typeA, 0x8001, 120, []byte{10, 0, 0, 1}),
		record(name("Press-7._http._tcp.local"), typeTXT, 0x8001, 4500, cat(cs("md=S7-1500"), cs("txtvers=1"))))
	tc.udp(t, dissect.Orig, ann)
	tc.udp(t, dissect.Orig, ann)
	if n := len(tc.cap.Logs("dns")); n != 2 {
		t.Errorf("%d records, want 2", n)
	}
	var got []string
	for _, f := range tc.cap.Facts {
		got = append(got, f.Side.String()+" "+f.Attr+"="+f.Value)
	}
	if strings.Join(got, ";") != "orig hostname=press-7.local;orig model=S7-1500" {
		t.Errorf("facts %v", got)
	}
}

// nbEncode is the first-level NetBIOS encoding of a 15-character, space-padded name and its
// suffix (RFC 1001 §14.1).
func nbEncode(n string, suffix byte) string {
	raw := []byte(n + strings.Repeat(" ", 15-len(n)))
	raw = append(raw, suffix)
	var b []byte
	for _, c := range raw {
		b = append(b, 'A'+c>>4, 'A'+c&15)
	}
	return string(b)
}

func TestNBNS(t *testing.T) {
	tc := newCase(17, 137)
	enc := nbEncode("HMI-01", 0x00)
	q := cat(hdr(0x80f1, 0x0110, 1, 0, 0, 0), question(enc, typeNB, 1)) // name query, broadcast
	resp := cat(hdr(0x80f1, 0x8500, 0, 1, 0, 0), record(name(enc), typeNB, 1, 300000, []byte{0x00, 0x00, 10, 0, 0, 2}))
	tc.udp(t, dissect.Orig, q)
	tc.udp(t, dissect.Resp, resp)
	r := tc.cap.Logs("dns")[0]
	if r.Get("query") != "HMI-01" || r.Get("opcode_name") != "netbios-query" || r.Get("qtype_name") != "NIMLOC" {
		t.Errorf("record %s", r.Raw)
	}
	var host string
	for _, f := range tc.cap.Facts {
		if f.Attr == dissect.AttrHostname && f.Side == dissect.Resp {
			host = f.Value
		}
	}
	if host != "HMI-01" {
		t.Errorf("hostname fact %q", host)
	}
	// A group name (workgroup) is not a host name.
	tc2 := newCase(17, 137)
	tc2.udp(t, dissect.Resp, cat(hdr(1, 0x8500, 0, 1, 0, 0), record(name(nbEncode("WORKGROUP", 0)), typeNB, 1, 0, []byte{0x80, 0, 10, 0, 0, 3})))
	for _, f := range tc2.cap.Facts {
		if f.Attr == dissect.AttrHostname {
			t.Errorf("group name reported as hostname: %+v", f)
		}
	}
}

func TestProbe(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"udp query", aQuery, dissect.Match},
		{"udp reply", aReply, dissect.Match},
		{"tcp query", tcpFrame(aQuery), dissect.Match},
		{"tcp long message, first part", tcpFrame(cat(aReply, make([]byte, 3000)))[:100], dissect.Match},
		{"short", aQuery[:8], dissect.NeedMore},
		{"http", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), dissect.NoMatch},
		{"zeros", make([]byte, 40), dissect.NoMatch},
		{"trailing garbage", cat(aQuery, []byte{1, 2, 3}), dissect.NoMatch},
		{"modbus response", []byte{0, 1, 0, 0, 0, 9, 1, 3, 6, 0, 1, 0, 2, 0, 3}, dissect.NoMatch},
	}
	for _, c := range cases {
		if got := Probe(dissect.Orig, c.b); got != c.want {
			t.Errorf("%s: Probe = %d, want %d", c.name, got, c.want)
		}
	}
}

func mustAddr(s string) (a netipAddr) { return parseAddr(s) }

// TestNameErrorEvent: an NXDOMAIN answer reports the name that does not exist as the server's
// event (for the DGA rule); a NOERROR answer and a SERVFAIL do not.
func TestNameErrorEvent(t *testing.T) {
	for _, tc := range []struct {
		rcode uint16
		want  string
	}{{3, "xkqjzvbwpl.biz"}, {0, ""}, {2, ""}} {
		c := newCase(17, 53)
		c.udp(t, dissect.Orig, cat(hdr(7, 0x0100, 1, 0, 0, 0), question("xkqjzvbwpl.biz", typeA, 1)))
		c.udp(t, dissect.Resp, cat(hdr(7, 0x8180|tc.rcode, 1, 0, 0, 0), question("xkqjzvbwpl.biz", typeA, 1)))
		var got []string
		for _, e := range c.cap.Events {
			if e.Kind == dissect.EvNameError {
				if e.Src != dissect.Resp {
					t.Errorf("rcode %d: name error from the %v side", tc.rcode, e.Src)
				}
				got = append(got, e.Detail)
			}
		}
		if strings.Join(got, ",") != tc.want {
			t.Errorf("rcode %d: name errors %q, want %q", tc.rcode, got, tc.want)
		}
	}
}
