package mms

import (
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func TestSessionRecords(t *testing.T) {
	c := run(t, session...)
	recs := c.Logs("mms")
	type row struct{ kv []string }
	wantRows := [][]string{
		{"is_orig", "true", "pdu", "initiate_request", "invoke_id", "", "service", ""},
		{"is_orig", "false", "pdu", "initiate_response"},
		{"pdu", "confirmed_request", "invoke_id", "3", "service", "getNameList", "object_class", "domain", "items", ""},
		{"is_orig", "false", "pdu", "confirmed_response", "invoke_id", "3", "service", "getNameList",
			"object_class", "domain", "items", `["LD0","CTRL"]`, "more_follows", "false", "result", "success"},
		{"pdu", "confirmed_request", "service", "identify", "invoke_id", "4"},
		{"pdu", "confirmed_response", "service", "identify", "vendor", "ACME Grid", "model", "IED-9000", "revision", "4.2.1"},
		{"pdu", "confirmed_request", "service", "read", "domain", "LD0", "items", `["MMXU1$MX$TotW","MMXU1$MX$Hz"]`},
		{"pdu", "confirmed_response", "service", "read", "result", "success", "error_code", ""},
		{"pdu", "confirmed_request", "service", "write", "domain", "CTRL", "items", `["CSWI1$CO$Pos$Oper"]`},
		{"pdu", "confirmed_response", "service", "write", "result", "success"},
		{"is_orig", "false", "pdu", "unconfirmed", "service", "informationReport", "items", `["RPT"]`,
			"report_id", "LD0/LLN0$BR$brcb01"},
		{"pdu", "conclude_request"},
		{"pdu", "conclude_response"},
	}
	if len(recs) != len(wantRows) {
		for _, r := range recs {
			t.Log(r.Raw)
		}
		t.Fatalf("%d mms.log lines, want %d", len(recs), len(wantRows))
	}
	for i, kv := range wantRows {
		dissecttest.Want(t, recs[i].Get("pdu"), recs[i], kv...)
	}
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
	if got := strings.Join(factValues(c, dissect.AttrRole), ","); got != "mms_client,mms_server" {
		t.Errorf("roles %q", got)
	}
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrRole && (f.Value == "mms_server") != (f.Side == dissect.Resp) {
			t.Errorf("role %s on side %v", f.Value, f.Side)
		}
	}
	if got := strings.Join(factValues(c, attrLogicalDevice), ","); got != "LD0,CTRL" {
		t.Errorf("logical devices %q", got)
	}
	for attr, v := range map[string]string{dissect.AttrVendor: "ACME Grid", dissect.AttrModel: "IED-9000", dissect.AttrFirmware: "4.2.1"} {
		if got := factValues(c, attr); len(got) != 1 || got[0] != v {
			t.Errorf("%s facts %q, want %q", attr, got, v)
		}
	}
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrVendor && f.Side != dissect.Resp {
			t.Errorf("identify facts describe side %v, want the responder", f.Side)
		}
	}
	if ev := eventsOf(c, dissect.EvWrite); len(ev) != 1 || ev[0].Detail != "write CTRL/CSWI1$CO$Pos$Oper" || ev[0].Src != dissect.Orig {
		t.Errorf("write events %+v", ev)
	}
}

func TestGetNameListOfVariablesIsNoLogicalDevice(t *testing.T) {
	resp := t1(0xa1, integer(0x02, 10), t1(0xa1, t1(0xa0, str(0x1a, "LLN0$ST")), integer(0x81, 0xff)))
	c := run(t, c2s(data(gnlVarReq)), s2c(data(resp)))
	recs := c.Logs("mms")
	dissecttest.Want(t, "request", recs[0], "object_class", "namedVariable", "domain", "LD0")
	dissecttest.Want(t, "response", recs[1], "object_class", "namedVariable", "items", `["LLN0$ST"]`, "more_follows", "true")
	if got := factValues(c, attrLogicalDevice); len(got) != 0 {
		t.Errorf("logical_device facts %v from a variable list", got)
	}
}

func TestErrorsAndAnomalies(t *testing.T) {
	tests := []struct {
		name   string
		steps  []step
		rec    []string // fields of the last mms.log line
		weirds map[string]int
	}{
		{"read failure", []step{c2s(data(readReq)), s2c(data(readRespErr))},
			[]string{"result", "object-non-existent", "error_code", "10"}, nil},
		{"write failure", []step{c2s(data(writeReq)), s2c(data(writeFail))},
			[]string{"result", "object-access-denied", "error_code", "3"}, nil},
		{"confirmed error paired", []step{c2s(data(t1(0xa0, integer(0x02, 5), []byte{0x82, 0x00}))), s2c(data(errPDU))},
			[]string{"pdu", "confirmed_error", "invoke_id", "5", "service", "identify", "result", "access", "error_code", "2"},
			map[string]int{WeirdConfirmedError: 1}},
		{"confirmed error unmatched", []step{s2c(data(errPDU))},
			[]string{"pdu", "confirmed_error", "service", ""},
			map[string]int{WeirdConfirmedError: 1, WeirdUnmatched: 1}},
		{"reject", []step{s2c(data(rejectPDU))},
			[]string{"pdu", "reject", "invoke_id", "6", "result", "confirmed-requestPDU", "error_code", "1"},
			map[string]int{WeirdReject: 1}},
		{"unmatched response", []step{s2c(data(readResp))},
			[]string{"pdu", "confirmed_response", "service", "read"}, map[string]int{WeirdUnmatched: 1}},
		{"service mismatch", []step{c2s(data(t1(0xa0, integer(0x02, 1), []byte{0x82, 0x00}))), s2c(data(readResp))},
			[]string{"service", "read"}, map[string]int{WeirdServiceMismatch: 1}},
		{"unknown service", []step{c2s(data(unknownSvc))},
			[]string{"service", "unknown", "service_tag", "100"}, map[string]int{WeirdUnknownService: 1}},
		{"response without service", []step{c2s(data(readReq)), s2c(data(t1(0xa1, integer(0x02, 1))))},
			[]string{"pdu", "confirmed_response", "service", "", "invoke_id", "1"}, map[string]int{WeirdMalformed: 1}},
		{"indefinite length", []step{c2s(data([]byte{0xa0, 0x80, 0x02, 0x01, 0x01, 0x82, 0x00, 0x00, 0x00}))},
			nil, map[string]int{WeirdBER: 1, WeirdMalformed: 1}},
		{"rejected association", []step{c2s(connect(initReq, false)), s2c(accept(initResp, 1))},
			[]string{"pdu", "initiate_response"}, map[string]int{WeirdAssocRejected: 1}},
		{"session length past the TSDU", []step{c2s(dt([]byte{0x0d, 0x40, 0x05, 0x06}))},
			nil, map[string]int{WeirdSessionLength: 1}},
		{"connect without user data", []step{c2s(dt([]byte{0x0d, 0x04, 0x14, 0x02, 0x00, 0x02}))},
			nil, map[string]int{WeirdSessionNoData: 1}},
		{"presentation garbage", []step{c2s(dt([]byte{0x01, 0x00, 0x01, 0x00, 0x61, 0x03, 0x04, 0x01, 0x00}))},
			nil, map[string]int{WeirdPresentation: 1}},
		{"bare MMS PDU in the TSDU", []step{c2s(dt(readReq))},
			[]string{"pdu", "confirmed_request", "service", "read"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := run(t, tc.steps...)
			recs := c.Logs("mms")
			if tc.rec == nil {
				if len(recs) != 0 {
					t.Errorf("unexpected records: %v", recs)
				}
			} else if len(recs) == 0 {
				t.Fatalf("no mms.log line (weirds %v)", c.WeirdNames())
			} else {
				dissecttest.Want(t, tc.name, recs[len(recs)-1], tc.rec...)
			}
			got := map[string]int{}
			for _, w := range c.WeirdNames() {
				got[w]++
			}
			for name, n := range tc.weirds {
				if got[name] != n {
					t.Errorf("weird %s: %d, want %d (all: %v)", name, got[name], n, got)
				}
			}
			if len(got) != len(tc.weirds) {
				t.Errorf("weirds %v, want %v", got, tc.weirds)
			}
		})
	}
}

func TestEvents(t *testing.T) {
	c := run(t, c2s(data(startReq)), c2s(data(stopReq)), c2s(data(fileDelReq)), c2s(data(defNVLReq)),
		c2s(connect(initReq, true)))
	check := func(kind, detail string) {
		t.Helper()
		ev := eventsOf(c, kind)
		if len(ev) != 1 || ev[0].Detail != detail || ev[0].Src != dissect.Orig {
			t.Errorf("%s events %+v, want one %q", kind, ev, detail)
		}
	}
	check(dissect.EvPLCStart, "start PROG1")
	check(dissect.EvPLCStop, "stop PROG1")
	check(dissect.EvFileTransfer, "fileDelete cfg.xml")
	check(dissect.EvConfigWrite, "defineNamedVariableList LD0/LLN0$DS1 (+1 more)")
	check(dissect.EvPassword, "ACSE AARQ calling-authentication-value")
	for _, e := range c.Events {
		if strings.Contains(e.Detail, "secret") {
			t.Errorf("password leaked in %+v", e)
		}
	}
	recs := c.Logs("mms")
	dissecttest.Want(t, "start", recs[0], "program", "PROG1")
	dissecttest.Want(t, "fileDelete", recs[2], "filename", "cfg.xml")
	dissecttest.Want(t, "defineNVL", recs[3], "domain", "LD0", "items", `["LLN0$DS1","MMXU1$MX$TotW"]`)
}

func TestPendingFlood(t *testing.T) {
	var steps []step
	for i := 0; i < MaxPending+10; i++ {
		steps = append(steps, c2s(data(t1(0xa0, []byte{0x02, 0x02, byte(i >> 8), byte(i)}, []byte{0x82, 0x00}))))
	}
	// The oldest requests were evicted: answering the first one is unmatched, the last one
	// still pairs.
	steps = append(steps, s2c(data(t1(0xa1, []byte{0x02, 0x02, 0, 0}, t1(0xa2)))))
	last := MaxPending + 9
	steps = append(steps, s2c(data(t1(0xa1, []byte{0x02, 0x02, byte(last >> 8), byte(last)}, t1(0xa2)))))
	c := run(t, steps...)
	if n := c.WeirdCounts()[WeirdPendingFlood]; n != 1 {
		t.Errorf("%d flood weirds, want 1", n)
	}
	if n := c.WeirdCounts()[WeirdUnmatched]; n != 1 {
		t.Errorf("%d unmatched weirds, want 1 (%v)", n, c.WeirdNames())
	}
}

func TestLogicalDeviceCap(t *testing.T) {
	var ids [][]byte
	for i := 0; i < 40; i++ {
		ids = append(ids, str(0x1a, "LD"+itoa(i)))
	}
	resp := t1(0xa1, integer(0x02, 3), t1(0xa1, t1(0xa0, ids...)))
	c := run(t, c2s(data(gnlReq)), s2c(data(resp)), c2s(data(gnlReq)), s2c(data(resp)))
	if n := len(factValues(c, attrLogicalDevice)); n != MaxLogicalDevices {
		t.Errorf("%d logical_device facts, want the cap %d", n, MaxLogicalDevices)
	}
	r := c.Logs("mms")[1]
	dissecttest.Want(t, "capped items", r, "items_total", "40", "more_follows", "true")
	if n := strings.Count(r.Get("items"), ","); n != maxNames-1 {
		t.Errorf("items %s: want %d names", r.Get("items"), maxNames)
	}
}

// A flow picked up mid-association: no CR, no CONNECT, reports only. The endpoint on port
// 102 is the server, and the reports are decoded from their tag class.
func TestMidStream(t *testing.T) {
	env, c := dissecttest.NewEnv("mms", dissecttest.Flow(6, 102))
	env.Flow.Orig.Port, env.Flow.Resp.Port = 102, 50000 // the engine saw the server first
	s := &dissecttest.Stream{P: newParser(env)}
	s.Write(t, dissect.Orig, cat(data(report), data(report)))
	if n := len(c.Logs("mms")); n != 2 {
		t.Fatalf("%d records, want 2", n)
	}
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrRole && f.Value == "mms_server" && f.Side != dissect.Orig {
			t.Errorf("server role on %v, want the port-102 side", f.Side)
		}
	}
}

// A TSDU split over several DTs is reassembled; one beyond MaxTSDU is dropped with a weird.
func TestTSDUReassembly(t *testing.T) {
	p := cat([]byte{0x01, 0x00, 0x01, 0x00}, fullyEncoded(ctxMMS, readReq))
	c := run(t, c2s(dtMore(p[:10])), c2s(dtMore(p[10:20])), c2s(dt(p[20:])))
	if n := len(c.Logs("mms")); n != 1 {
		t.Errorf("%d records from a fragmented TSDU, want 1", n)
	}
	big := make([]byte, 8000)
	var steps []step
	for i := 0; i < MaxTSDU/len(big)+2; i++ {
		steps = append(steps, c2s(dtMore(big)))
	}
	steps = append(steps, c2s(dt(big[:10])), c2s(data(readReq)))
	c = run(t, steps...)
	if c.WeirdCounts()[WeirdTSDUTooLong] != 1 || len(c.Logs("mms")) != 1 {
		t.Errorf("oversized TSDU: weirds %v, %d records", c.WeirdNames(), len(c.Logs("mms")))
	}
}

// A TPKT whose length is impossible must not stall the flow: a weird, then resync.
func TestBadTPKTResync(t *testing.T) {
	bad := []byte{0x03, 0x00, 0xff, 0xff, 0x00, 0xf0, 0x80} // LI 0 on a 64 KiB packet
	c := run(t, c2s(cat(bad, data(readReq))))
	if n := len(c.Logs("mms")); n != 1 {
		t.Errorf("%d records after a bad header, want 1 (weirds %v)", n, c.WeirdNames())
	}
	if c.WeirdCounts()[WeirdCOTPLength] != 1 {
		t.Errorf("weirds %v", c.WeirdNames())
	}
}
