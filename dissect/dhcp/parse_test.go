package dhcp

import (
	"strconv"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

// TestTransactionAcrossFlows: DORA over two flows is one dhcp.log record, written when the last
// flow closes, with Zeek's fields.
func TestTransactionAcrossFlows(t *testing.T) {
	tab := newTable()
	cp, cenv, ccap := newTestParser(tab, clientFlow("Cclient"))
	sp, senv, scap := newTestParser(tab, serverFlow("Cserver"))
	step := func(p *parser, env *dissect.Env, b []byte) {
		env.TS = cenv.TS
		if n, err := p.Parse(dissect.Orig, b); n != len(b) || err != nil {
			t.Fatalf("Parse = %d, %v", n, err)
		}
		cenv.TS += 100_000_000 // 100 ms
	}
	step(cp, cenv, discover)
	step(sp, senv, offer)
	step(cp, cenv, request)
	step(sp, senv, ack)
	cp.Close()
	if n := len(ccap.Logs("dhcp")) + len(scap.Logs("dhcp")); n != 0 {
		t.Fatalf("%d records before the last flow closed", n)
	}
	sp.Close()
	recs := scap.Logs("dhcp")
	if len(recs) != 1 {
		t.Fatalf("%d records, want 1", len(recs))
	}
	r := recs[0]
	want := map[string]string{
		"uids": `["Cclient","Cserver"]`, "client_addr": "192.168.0.10", "server_addr": "192.168.0.1",
		"mac": "00:0b:82:01:fc:42", "host_name": "plc-7", "domain": "plant.local",
		"requested_addr": "192.168.0.10", "assigned_addr": "192.168.0.10", "lease_time": "3600",
		"msg_types": `["DISCOVER","OFFER","REQUEST","ACK"]`, "duration": "0.3", "ts": "1600000000.000000",
	}
	for k, v := range want {
		if got := r.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	facts := map[string]string{}
	for _, f := range append(ccap.Facts, scap.Facts...) {
		facts[f.Side.String()+" "+f.Attr] += f.Value + ";"
	}
	for k, v := range map[string]string{
		"orig hostname": "plc-7;", "orig software": "vendor_class:MSFT 5.0;", "orig dhcp_fingerprint": "1,3,6,15;",
		"orig role": "dhcp_server;", "resp ip": "192.168.0.10;", "resp mac": "00:0b:82:01:fc:42;",
	} {
		if !strings.Contains(facts[k], v) {
			t.Errorf("fact %s = %q, want %q (all: %v)", k, facts[k], v, facts)
		}
	}
}

// TestExpiry follows Zeek's join_data expiry: a transaction silent for more than 5 s is logged
// at the next check (10 s after it began, then every 5 s), and a later message with the same
// xid starts a new one.
func TestExpiry(t *testing.T) {
	tab := newTable()
	p, env, c := newTestParser(tab, clientFlow("C1"))
	p.Parse(dissect.Orig, discover)
	env.TS += 12e9
	p.Parse(dissect.Orig, discover)
	if n := len(c.Logs("dhcp")); n != 1 {
		t.Fatalf("%d records after 12 s of silence, want 1", n)
	}
	env.TS += 4e9 // 4 s later: the check at +10 s finds the second DISCOVER recent
	p.Parse(dissect.Orig, request)
	p.Close()
	recs := c.Logs("dhcp")
	if len(recs) != 2 || recs[1].Get("msg_types") != `["DISCOVER","REQUEST"]` {
		t.Fatalf("records %+v", recs)
	}
}

// TestMsgTypeCap: a flood of one xid is cut into records of maxMsgTypes messages.
func TestMsgTypeCap(t *testing.T) {
	tab := newTable()
	p, _, c := newTestParser(tab, clientFlow("C1"))
	for i := 0; i < 20; i++ {
		p.Parse(dissect.Orig, request)
	}
	if n := len(c.Logs("dhcp")); n != 20/maxMsgTypes {
		t.Errorf("%d records, want %d", n, 20/maxMsgTypes)
	}
}

func TestAnomalies(t *testing.T) {
	bad := append([]byte(nil), discover...)
	bad[236] = 0x64 // cookie 0x64825363
	over := append([]byte(nil), discover[:len(discover)-1]...)
	over = append(over, optHostName, 40, 'x') // host name option claims 40 bytes, 1 present
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"bad magic cookie", bad, "dhcp_bad_magic_cookie"},
		{"option overrun", over, "dhcp_option_overrun"},
		{"truncated", discover[:200], "dhcp_truncated"},
	}
	for _, cs := range cases {
		p, _, c := newTestParser(newTable(), clientFlow("C1"))
		p.Parse(dissect.Orig, cs.b)
		w := c.Logs("weird")
		if len(w) != 1 || w[0].Get("name") != cs.want {
			t.Errorf("%s: weirds %+v", cs.name, w)
		}
	}
}

func TestMultipleServers(t *testing.T) {
	tab := newTable()
	p1, _, c1 := newTestParser(tab, serverFlow("C1"))
	p1.Parse(dissect.Orig, offer)
	rogue := bootp(2, 7, leased, clientMAC, msgType(2), opt{optServerID, []byte{10, 6, 6, 6}})
	p2, _, c2 := newTestParser(tab, serverFlow("C2"))
	p2.Parse(dissect.Orig, rogue)
	p2.Parse(dissect.Orig, rogue)
	if len(c1.Logs("weird")) != 0 {
		t.Errorf("first server flagged")
	}
	if w := c2.Logs("weird"); len(w) != 1 || w[0].Get("name") != "dhcp_multiple_servers" || w[0].Get("addl") != "10.6.6.6" {
		t.Errorf("weirds %+v", w)
	}
}

func TestOverloadAndFQDN(t *testing.T) {
	// Option 52 = 1: more options in the file field (RFC 2132 §9.3); option 81 with the E flag
	// carries a wire-format name (RFC 4702 §2.1).
	b := bootp(1, 9, none, clientMAC, msgType(8), opt{optOverload, []byte{1}},
		opt{optClientFQDN, []byte{0x04, 0, 0, 3, 'h', 'm', 'i', 5, 'p', 'l', 'a', 'n', 't', 0}})
	copy(b[108:], []byte{optHostName, 3, 'h', 'm', 'i', optEnd})
	var m message
	if parseV4(b, &m) != probNone || string(m.hostName) != "hmi" || string(appendWireName(nil, m.clientFQDNWire)) != "hmi.plant" {
		t.Errorf("host %q fqdn %q", m.hostName, appendWireName(nil, m.clientFQDNWire))
	}
}

func TestDHCPv6Facts(t *testing.T) {
	flow := clientFlow("C6")
	flow.Orig.Port, flow.Resp.Port = 546, 547
	p, _, c := newTestParser(newTable(), flow)
	solicit := []byte{1, 0xaa, 0xbb, 0xcc, // SOLICIT, xid
		0, 1, 0, 10, 0, 3, 0, 1, 0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42, // client id: DUID-LL Ethernet
		0, 39, 0, 9, 0, 3, 'h', 'm', 'i', 2, 'a', 'b', 0, // FQDN hmi.ab
		0, 6, 0, 4, 0, 23, 0, 24} // ORO 23,24
	if Probe(dissect.Orig, solicit) != dissect.Match {
		t.Fatal("Probe refuses SOLICIT")
	}
	p.Parse(dissect.Orig, solicit)
	got := map[string]string{}
	for _, f := range c.Facts {
		got[f.Attr] = f.Value
	}
	if got["mac"] != "00:0b:82:01:fc:42" || got["hostname"] != "hmi.ab" || got["dhcp_fingerprint"] != "v6:23,24" {
		t.Errorf("facts %v", got)
	}
}

func TestProbe(t *testing.T) {
	for _, c := range []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"discover", discover, dissect.Match},
		{"ack", ack, dissect.Match},
		{"dns on 67", []byte{0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 0, 0, 1, 0, 1}, dissect.NoMatch},
		{"text", []byte("hello world, this is not dhcp"), dissect.NoMatch},
	} {
		if got := Probe(dissect.Orig, c.b); got != c.want {
			t.Errorf("%s: Probe = %d, want %d", c.name, got, c.want)
		}
	}
}

// Transactions that expire at the same check are logged in the order they began (they were
// once logged in map order, so two runs of one capture gave different dhcp.log files).
func TestExpiryOrder(t *testing.T) {
	tab := newTable()
	p, env, c := newTestParser(tab, clientFlow("C1"))
	const n = 40
	for i := range n {
		p.Parse(dissect.Orig, bootp(1, uint32(1000+i), none, clientMAC, msgType(1)))
		env.TS += 1e6
	}
	env.TS += 40e9
	p.Parse(dissect.Orig, bootp(1, 9999, none, clientMAC, msgType(1)))
	recs := c.Logs("dhcp")
	if len(recs) != n {
		t.Fatalf("%d records after 40 s, want %d", len(recs), n)
	}
	prev := -1.0
	for i, r := range recs {
		ts, err := strconv.ParseFloat(r.Get("ts"), 64)
		if err != nil {
			t.Fatalf("record %d: ts %q: %v", i, r.Get("ts"), err)
		}
		if ts <= prev {
			t.Fatalf("record %d began at %.3f, before record %d (%.3f): expired transactions logged out of order", i, ts, i-1, prev)
		}
		prev = ts
	}
}
