package bacnet

import (
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// objectListAck returns the service data of a ReadProperty-ACK of device 254's object-list
// holding n binary-input identifiers, and the segments of a complex ACK carrying it.
func objectListAck(n int, segs int) (body []byte, pdus [][]byte) {
	body = []byte{0x0c, 0x02, 0x00, 0x00, 0xfe, 0x19, 0x4c, 0x3e} // [0] device 254, [1] object-list, [3] {
	for i := 0; i < n; i++ {
		body = append(body, 0xc4, 0x00, 0xc0, 0x00, byte(i)) // binary-input i
	}
	body = append(body, 0x3f) // }
	size := (len(body) + segs - 1) / segs
	for s := 0; s < segs; s++ {
		part := body[s*size : min(len(body), (s+1)*size)]
		flags := byte(0x3c) // complex ACK, SEG, MOR
		if s == segs-1 {
			flags = 0x38 // last segment: SEG without MOR
		}
		apdu := append([]byte{flags, 0x5e, byte(s), 0x04, 0x0c}, part...) // invoke 94, seq s, window 4, read_property
		pdus = append(pdus, unicast(apdu...))
	}
	return body, pdus
}

// TestSegmentedMessage is the UDP form of the segmentation matrix: BACnet segments one APDU
// over several datagrams (one message over two and three segments), a datagram can never carry
// two BVLC messages, a datagram cut byte by byte logs nothing, and a lost segment (the gap) is
// reported and the next message parses (resync).
func TestSegmentedMessage(t *testing.T) {
	rpList := unicast(0x02, 0x05, 0x5e, 0x0c, 0x0c, 0x02, 0x00, 0x00, 0xfe, 0x19, 0x4c) // RP object-list, segmented response accepted
	segAck := unicast(0x40, 0x5e, 0x00, 0x04)

	t.Run("one message over two segments", func(t *testing.T) {
		p, c := newTest()
		s := &dissecttest.Stream{P: p}
		_, pdus := objectListAck(20, 2)
		s.Write(t, dissect.Orig, rpList)
		s.Write(t, dissect.Resp, pdus[0])
		if n := len(c.Logs("bacnet")); n != 1 {
			t.Fatalf("after the first segment: %d bacnet records, want 1 (the request)", n)
		}
		s.Write(t, dissect.Orig, segAck)
		s.Write(t, dissect.Resp, pdus[1])
		b := c.Logs("bacnet")
		if len(b) != 3 || b[1].Get("pdu_type") != "SEGMENT_ACK" || b[2].Get("pdu_type") != "COMPLEX_ACK" || b[2].Get("invoke_id") != "94" {
			t.Fatalf("bacnet records %v", c.Records)
		}
		props := c.Logs("bacnet_property")
		if len(props) != 21 || props[20].Get("value") != "binary-input: 19" || props[1].Get("pdu_service") != "read-property-ack" {
			t.Fatalf("%d property rows, last %v", len(props), props[len(props)-1].Raw)
		}
		if s.Pending(dissect.Resp) != 0 || p.env.PDUs != 4 {
			t.Errorf("pending %d, PDUs %d", s.Pending(dissect.Resp), p.env.PDUs)
		}
	})
	t.Run("three segments and a retransmission", func(t *testing.T) {
		p, c := newTest()
		_, pdus := objectListAck(30, 3)
		feed(t, p, dissect.Orig, rpList)
		for _, d := range [][]byte{pdus[0], pdus[1], pdus[1], pdus[2]} {
			feed(t, p, dissect.Resp, d)
		}
		if n := len(c.Logs("bacnet_property")); n != 31 || len(c.WeirdNames()) != 0 {
			t.Errorf("%d property rows (want 31), weirds %v", n, c.WeirdNames())
		}
	})
	t.Run("byte at a time", func(t *testing.T) {
		p, c := newTest()
		s := &dissecttest.Stream{P: p}
		for i := range rpReq {
			s.Write(t, dissect.Orig, rpReq[i:i+1])
		}
		if len(c.Logs("bacnet")) != 0 || s.Pending(dissect.Orig) != 0 {
			t.Errorf("single bytes logged %d records, pending %d", len(c.Logs("bacnet")), s.Pending(dissect.Orig))
		}
		if w := c.WeirdNames(); len(w) != len(rpReq) {
			t.Errorf("weirds %v", w)
		}
	})
	t.Run("trailing bytes in a datagram", func(t *testing.T) {
		p, c := newTest()
		feed(t, p, dissect.Orig, append(append([]byte(nil), rpReq...), rpReq...))
		if w := c.WeirdNames(); len(w) != 1 || w[0] != "bacnet_bad_bvlc_length" {
			t.Errorf("weirds %v", w)
		}
	})
	t.Run("lost segment then resync", func(t *testing.T) {
		p, c := newTest()
		s := &dissecttest.Stream{P: p}
		_, pdus := objectListAck(30, 3)
		s.Write(t, dissect.Orig, rpList)
		s.Write(t, dissect.Resp, pdus[0])
		s.Gap(dissect.Resp, len(pdus[1])) // what the engine would say if it could see the loss
		s.Write(t, dissect.Resp, pdus[2])
		if w := strings.Join(c.WeirdNames(), ","); w != "bacnet_segment_out_of_order" {
			t.Errorf("weirds %s", w)
		}
		b := c.Logs("bacnet")
		if len(b) != 2 || b[1].Get("pdu_type") != "COMPLEX_ACK" || len(c.Logs("bacnet_property")) != 1 {
			t.Errorf("%d bacnet, %d property records", len(b), len(c.Logs("bacnet_property")))
		}
		s.Write(t, dissect.Orig, rpReq)
		s.Write(t, dissect.Resp, rpAck)
		if n := len(c.Logs("bacnet_property")); n != 3 {
			t.Errorf("after resync: %d property rows, want 3", n)
		}
	})
	t.Run("overflow", func(t *testing.T) {
		p, c := newTest()
		seg := make([]byte, 1400)
		feed(t, p, dissect.Resp, unicast(append([]byte{0x3c, 0x07, 0x00, 0x04, 0x0c}, seg...)...))
		for i := 1; i < 60; i++ {
			feed(t, p, dissect.Resp, unicast(append([]byte{0x3c, 0x07, byte(i), 0x04, 0x0c}, seg...)...))
		}
		if w := c.WeirdNames(); len(w) != 1 || w[0] != "bacnet_segment_overflow" {
			t.Errorf("weirds %v", w)
		}
		if cap(p.reasm[dissect.Resp].buf) > 2*maxReassembly {
			t.Errorf("reassembly buffer grew to %d", cap(p.reasm[dissect.Resp].buf))
		}
	})
}

// TestFactsAndEvents checks identity facts, roles and operational events.
func TestFactsAndEvents(t *testing.T) {
	p, c := newTest()
	for i := 0; i < 2; i++ { // a polled identity is reported once
		feed(t, p, dissect.Orig, whoIs)
		feed(t, p, dissect.Resp, iAm)
		feed(t, p, dissect.Orig, rpModelReq)
		feed(t, p, dissect.Resp, rpModelAck)
	}
	feed(t, p, dissect.Orig, wpReq)
	feed(t, p, dissect.Orig, reinitReq)
	feed(t, p, dissect.Orig, unicast(0x00, 0x05, 0x05, 0x11, 0x09, 0x05, 0x19, 0x01)) // DCC 5 min disable
	var facts []string
	for _, f := range c.Facts {
		facts = append(facts, f.Side.String()+":"+f.Attr+"="+f.Value)
	}
	want := "resp:station_address=108,resp:vendor_id=42,resp:vendor=Acuity Brands Lighting Inc.," +
		"orig:role=bacnet_client,resp:role=bacnet_server,resp:model=SYSC MLX"
	if got := strings.Join(facts, ","); got != want {
		t.Errorf("facts\n got %s\nwant %s", got, want)
	}
	var evs []string
	for _, e := range c.Events {
		evs = append(evs, e.Src.String()+":"+e.Kind+":"+e.Detail)
	}
	wantEv := "orig:scan:who-is 108-108," +
		"orig:write:analog-output:101 present-value=5.000000 priority=8," +
		"orig:restart:reinitialize_device warmstart,orig:password:reinitialize_device password supplied," +
		"orig:config_write:device_communication_control disable duration=5min"
	if got := strings.Join(evs, ","); got != wantEv {
		t.Errorf("events\n got %s\nwant %s", got, wantEv)
	}
	for _, r := range c.Logs("bacnet_device_control") {
		if strings.Contains(r.Raw, "filister") {
			t.Errorf("password logged: %s", r.Raw)
		}
	}
	// Routed I-Am (SNET present): the device is not the B/IP sender, no facts.
	p2, c2 := newTest()
	feed(t, p2, dissect.Resp, bvll(0x0b, append([]byte{0x01, 0x08, 0x00, 0x03, 0x01, 0x6c}, iAm[6:]...)...))
	if len(c2.Facts) != 0 || len(c2.Logs("bacnet_discovery")) != 1 {
		t.Errorf("routed I-Am: %d facts, %d discovery rows", len(c2.Facts), len(c2.Logs("bacnet_discovery")))
	}
}

// TestPairingAndCounts checks request/response pairing and the per-flow counters at Close.
func TestPairingAndCounts(t *testing.T) {
	p, c := newTest()
	feed(t, p, dissect.Orig, rpReq)
	feed(t, p, dissect.Resp, rpAck)
	feed(t, p, dissect.Resp, rpAck) // answered twice: unsolicited
	feed(t, p, dissect.Orig, reinitReq)
	feed(t, p, dissect.Resp, reinitErr)
	feed(t, p, dissect.Orig, wpReq) // never answered
	feed(t, p, dissect.Orig, unicast(0x00, 0x05, 0x11, 0x11, 0x19, 0x01))
	feed(t, p, dissect.Resp, unicast(0x70, 0x11, 0x00)) // abort of the DCC by the client? no: server bit clear
	feed(t, p, dissect.Orig, unicast(0x00, 0x05, 0x12, 0x11, 0x19, 0x01))
	feed(t, p, dissect.Resp, unicast(0x60, 0x12, 0x05)) // reject of the DCC
	p.Close()
	got := strings.Join(c.WeirdNames(), ",")
	want := "bacnet_unsolicited_response,bacnet_error_pdus,bacnet_reject_pdus,bacnet_abort_pdus,bacnet_unanswered_requests"
	if got != want {
		t.Errorf("weirds\n got %s\nwant %s", got, want)
	}
	dc := c.Logs("bacnet_device_control")
	last := dc[len(dc)-1]
	check(t, "reject of DCC", last, map[string]string{"pdu_service": "device_communication_control", "result": "REJECT", "result_code": "missing-required-parameter"})
	for _, r := range c.Logs("weird") {
		if r.Get("name") == "bacnet_unanswered_requests" && r.Get("addl") != "2" {
			t.Errorf("unanswered = %s, want 2 (the write and the client-aborted DCC's slot)", r.Get("addl"))
		}
	}
}

// TestNotBACnet: other traffic on the BACnet port is not claimed and logs nothing.
func TestNotBACnet(t *testing.T) {
	for _, b := range [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		{0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b', 'l', 'i', 'c'}, // SNMP
		{0x81, 0x0a, 0x00, 0x08, 0x02, 0x00, 0x10, 0x08},                         // BVLC with NPDU version 2
		{0x81, 0x0a, 0x00, 0x07, 0x01, 0x00, 0xa0},                               // APDU type 10
		{0x81, 0x3f, 0x00, 0x04},                                                 // BVLC function 0x3f
		{},
	} {
		if v := Probe(dissect.Orig, b); v != dissect.NoMatch {
			t.Errorf("Probe(% x) = %v, want NoMatch", b, v)
		}
		p, c := newTest()
		feed(t, p, dissect.Orig, b)
		for _, r := range c.Records {
			if r.Log != "weird" {
				t.Errorf("% x logged %s: %s", b, r.Log, r.Raw)
			}
		}
	}
	for _, b := range [][]byte{rpReq, rpAck, whoIs, iAm, {0x81, 0x05, 0x00, 0x06, 0x00, 0x3c}} {
		if v := Probe(dissect.Orig, b); v != dissect.Match {
			t.Errorf("Probe(% x) = %v, want Match", b, v)
		}
	}
}

// TestCorpus replays the corpus captures and compares the key columns of bacnet.log with the
// ICSNPP baselines beside them.
func TestCorpus(t *testing.T) {
	files := testutil.CorpusFiles(t, "bacnet")
	for _, f := range files {
		base := f + ".gt/zeek-baseline"
		tests, _ := filepathGlob(base + "/*/bacnet.log")
		if len(tests) == 0 {
			continue
		}
		res := replay.Run(t, engine.Config{Dissectors: []string{"bacnet"}}, f)
		want := map[string]int{}
		for _, r := range replay.ZeekTSV(t, tests[0]) {
			want[r["id.orig_h"]+" "+r["bvlc_function"]+" "+r["pdu_type"]+" "+r["pdu_service"]+" "+r["invoke_id"]+" "+r["result_code"]]++
		}
		got := map[string]int{}
		for _, r := range res.Logs["bacnet"] {
			key := replay.Str(r, "id.orig_h") + " " + dash(replay.Str(r, "bvlc_function")) + " " + dash(replay.Str(r, "pdu_type")) + " " +
				dash(replay.Str(r, "pdu_service")) + " " + dash(replay.Str(r, "invoke_id")) + " " + dash(replay.Str(r, "result_code"))
			got[key]++
		}
		miss := 0
		for k, n := range want {
			if got[k] < n {
				miss += n - got[k]
			}
		}
		if miss > 0 {
			t.Errorf("%s: %d of %d baseline bacnet.log rows missing", f, miss, len(res.Logs["bacnet"]))
		}
	}
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
