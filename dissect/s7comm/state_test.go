package s7comm

import (
	"sort"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

type chunk struct {
	dir dissect.Dir
	b   []byte
}

// session is a typical S7 exchange: connect, setup, SZL, read, write.
var session = []chunk{
	{dissect.Orig, crPDU}, {dissect.Resp, ccPDU},
	{dissect.Orig, setupJob}, {dissect.Resp, setupAck},
	{dissect.Orig, szlReq}, {dissect.Resp, szlResp},
	{dissect.Orig, readJob}, {dissect.Resp, readAck},
	{dissect.Orig, writeJob}, {dissect.Resp, writeAck},
}

func newTest(t testing.TB) (*dissecttest.Stream, *dissecttest.Capture) {
	env, c := dissecttest.NewEnv("s7comm", dissecttest.Flow(6, 102))
	return &dissecttest.Stream{P: dissect.Lookup("s7comm").New(env)}, c
}

func feed(t *testing.T, s *dissecttest.Stream, chunks []chunk) {
	t.Helper()
	for _, c := range chunks {
		if err := s.Write(t, c.dir, c.b); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSessionLogs(t *testing.T) {
	s, c := newTest(t)
	feed(t, s, session)
	if n := len(c.Logs("cotp")); n != 10 {
		t.Errorf("cotp.log rows = %d, want 10", n)
	}
	rows := c.Logs("s7comm")
	want := []struct{ isOrig, rosctr, ref, fn, fname, sub, subname, class, code string }{
		{"true", "1", "0", "0xf0", "Setup Communication", "", "", "", ""},
		{"false", "3", "0", "0xf0", "Setup Communication", "", "", "No error", "0x00"},
		{"true", "7", "3", "0x44", "Request: CPU Functions", "0x01", "Read SZL", "", ""},
		{"false", "7", "3", "0x84", "Response: CPU Functions", "0x01", "Read SZL", "No error", "0x00"},
		{"true", "1", "1", "0x04", "Read Variable", "", "", "", ""},
		{"false", "3", "1", "0x04", "Read Variable", "", "", "No error", "0x00"},
		{"true", "1", "2", "0x05", "Write Variable", "", "", "", ""},
		{"false", "3", "2", "0x05", "Write Variable", "", "", "No error", "0x00"},
	}
	if len(rows) != len(want) {
		t.Fatalf("s7comm.log rows = %d, want %d", len(rows), len(want))
	}
	for i, w := range want {
		r := rows[i]
		got := [...]string{r.Get("is_orig"), r.Get("rosctr_code"), r.Get("pdu_reference"), r.Get("function_code"),
			r.Get("function_name"), r.Get("subfunction_code"), r.Get("subfunction_name"), r.Get("error_class"), r.Get("error_code")}
		exp := [...]string{w.isOrig, w.rosctr, w.ref, w.fn, w.fname, w.sub, w.subname, w.class, w.code}
		if got != exp {
			t.Errorf("row %d = %v, want %v", i, got, exp)
		}
	}
	if r := rows[1]; r.Get("source_h") != "10.0.0.2" || r.Get("destination_p") != "50000" || r.Get("rosctr_name") != "ACK-Data" {
		t.Errorf("envelope of the response: %s", r.Raw)
	}
	szl := c.Logs("s7comm_read_szl")
	if len(szl) != 2 || szl[0].Get("szl_id") != "0x0011" || szl[0].Get("szl_id_name") != "Module identification" ||
		szl[1].Get("method") != "Response" || szl[1].Get("return_code") != "0xff" || szl[1].Get("return_code_name") != "Success" {
		t.Errorf("s7comm_read_szl rows: %v", szl)
	}
	if w := c.Logs("weird"); len(w) != 0 {
		t.Errorf("unexpected anomalies: %v", w)
	}
}

func factValue(c *dissecttest.Capture, side dissect.Dir, attr string) string {
	v := ""
	for _, f := range c.Facts {
		if f.Side == side && f.Attr == attr {
			v = f.Value
		}
	}
	return v
}

func eventCount(c *dissecttest.Capture, kind string) int {
	n := 0
	for _, e := range c.Events {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

func TestFactsAndEvents(t *testing.T) {
	s, c := newTest(t)
	feed(t, s, session)
	feed(t, s, []chunk{
		{dissect.Orig, stopJob}, {dissect.Resp, stopAck},
		{dissect.Orig, startJob}, {dissect.Resp, startAck},
		{dissect.Orig, uploadJob}, {dissect.Resp, uploadAck},
		{dissect.Orig, passReq},
	})
	facts := []struct {
		side       dissect.Dir
		attr, want string
	}{
		{dissect.Orig, dissect.AttrRole, "s7_client"},
		{dissect.Resp, dissect.AttrRole, "s7_server"},
		{dissect.Resp, dissect.AttrRackSlot, "rack=0,slot=2"},
		{dissect.Resp, dissect.AttrOrderNumber, "6ES7 315-2EH14-0AB0"},
		{dissect.Resp, dissect.AttrFirmware, "V3.2.6"},
		{dissect.Resp, dissect.AttrPLCMode, "run"}, // the acknowledged P_PROGRAM start came last
	}
	for _, f := range facts {
		if got := factValue(c, f.side, f.attr); got != f.want {
			t.Errorf("fact %s/%s = %q, want %q", f.side, f.attr, got, f.want)
		}
	}
	events := map[string]int{dissect.EvWrite: 1, dissect.EvPLCStop: 1, dissect.EvPLCStart: 1,
		dissect.EvProgramUpload: 1, dissect.EvPassword: 1}
	for kind, n := range events {
		if got := eventCount(c, kind); got != n {
			t.Errorf("%s events = %d, want %d", kind, got, n)
		}
	}
	for _, e := range c.Events {
		if e.Src != dissect.Orig {
			t.Errorf("event %s from %s, want orig", e.Kind, e.Src)
		}
		if e.Kind == dissect.EvWrite && e.Detail != "Write Var items=1 area=DB db=1 byte=0.0 count=2" {
			t.Errorf("write detail %q", e.Detail)
		}
	}
	ud := c.Logs("s7comm_upload_download")
	if len(ud) != 2 {
		t.Fatalf("upload_download rows = %d", len(ud))
	}
	if r := ud[0]; r.Get("filename") != "_0800001A" || r.Get("block_type") != "Organization Block" ||
		r.Get("block_number") != "00001" || r.Get("destination_filesystem") != "Active" || r.Get("session_id") != "0" {
		t.Errorf("upload job row: %s", r.Raw)
	}
	if r := ud[1]; r.Get("blocklength") != "216" || r.Get("session_id") != "7" || r.Get("function_status") != "0x00" {
		t.Errorf("upload ack row: %s", r.Raw)
	}
	rows := c.Logs("s7comm")
	if r := rows[len(rows)-5]; r.Get("subfunction_code") != "P_PROGRAM" || r.Get("subfunction_name") != "PLC Start / Stop" {
		t.Errorf("PI service row: %s", r.Raw)
	}
}

func TestSZL001CKnownDevices(t *testing.T) {
	text := func(idx uint16, s string) []byte {
		e := make([]byte, 34)
		e[0], e[1] = byte(idx>>8), byte(idx)
		copy(e[2:], s)
		return e
	}
	resp := dt(s7(RosUserData, 0x0900, nil,
		[]byte{0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00},
		szlData(0x001c, 34, text(1, "SNAP7-SERVER"), text(2, "CPU 315-2 PN/DP"), text(3, ""),
			text(4, "Original Siemens Equipment"), text(5, "S C-C2UR28922012"))))
	s, c := newTest(t)
	feed(t, s, []chunk{{dissect.Resp, resp}})
	kd := c.Logs("s7comm_known_devices")
	if len(kd) != 1 || kd[0].Get("automation_system_name") != "SNAP7-SERVER" || kd[0].Get("module_name") != "CPU 315-2 PN/DP" ||
		kd[0].Get("module_serial") != "S C-C2UR28922012" || kd[0].Fields["plant_name"] != "" {
		t.Fatalf("known devices: %v", kd)
	}
	for attr, want := range map[string]string{dissect.AttrName: "CPU 315-2 PN/DP", dissect.AttrSerial: "S C-C2UR28922012",
		dissect.AttrVendor: "Siemens", dissect.AttrHostname: "SNAP7-SERVER"} {
		if got := factValue(c, dissect.Resp, attr); got != want {
			t.Errorf("%s = %q, want %q", attr, got, want)
		}
	}
}

func TestAnomalies(t *testing.T) {
	tests := []struct {
		name   string
		chunks []chunk
		weird  string
	}{
		{"error ack", []chunk{{dissect.Orig, readJob}, {dissect.Resp, dt(s7(RosAck, 0x0100, []byte{0x81, 0x04}, nil, nil))}}, WeirdErrorResponse},
		{"unmatched ref", []chunk{{dissect.Resp, readAck}}, WeirdUnmatchedRef},
		{"unknown rosctr", []chunk{{dissect.Orig, dt(s7(0x05, 1, nil, nil, nil))}}, WeirdUnknownROSCTR},
		{"unknown function", []chunk{{dissect.Orig, dt(s7(RosJob, 1, nil, []byte{0x77}, nil))}}, WeirdUnknownFunction},
		{"length mismatch", []chunk{{dissect.Orig, dt([]byte{0x32, 0x01, 0, 0, 0, 1, 0, 0x20, 0, 0, 0x04})}}, WeirdLengthMismatch},
		{"bad TPKT version", []chunk{{dissect.Orig, cat([]byte{0x04, 0x00, 0x00, 0x07, 0x02, 0xf0, 0x80}, readJob)}}, WeirdTPKTVersion},
		{"impossible TPKT length", []chunk{{dissect.Orig, cat([]byte{0x03, 0x00, 0x00, 0x02}, readJob)}}, WeirdTPKTLength},
		{"COTP LI past the packet", []chunk{{dissect.Orig, tpkt([]byte{0x09, 0xf0, 0x80})}}, WeirdCOTPLength},
		{"unknown COTP type", []chunk{{dissect.Orig, tpkt([]byte{0x02, 0x30, 0x00})}}, WeirdCOTPUnknown},
		{"user-data error", []chunk{{dissect.Resp, dt(s7(RosUserData, 1, nil,
			[]byte{0x00, 0x01, 0x12, 0x08, 0x12, 0x83, 0x03, 0x01, 0x00, 0x00, 0xd2, 0x09}, nil))}}, WeirdUserDataError},
		{"plus unknown opcode", []chunk{{dissect.Orig, dt(plusFrame(3, []byte{0x99, 0, 0, 0, 0}))}}, WeirdPlusOpcode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, c := newTest(t)
			feed(t, s, tt.chunks)
			s.P.Close() // unmatched responses are reported once the flow ends
			found := false
			for _, w := range c.Logs("weird") {
				found = found || w.Get("name") == tt.weird
			}
			if !found {
				t.Errorf("no %s weird in %v", tt.weird, c.Logs("weird"))
			}
		})
	}
	// After a bad TPKT header the parser resynchronises and still logs the next PDU.
	s, c := newTest(t)
	feed(t, s, []chunk{{dissect.Orig, cat([]byte{0x03, 0x00, 0x00, 0x02}, readJob)}})
	if n := len(c.Logs("s7comm")); n != 1 {
		t.Errorf("after resync: %d s7comm rows, want 1", n)
	}
	// A 64 KiB length with an impossible COTP header does not make the parser wait.
	s, c = newTest(t)
	feed(t, s, []chunk{{dissect.Orig, cat([]byte{0x03, 0x00, 0xff, 0xff, 0x00, 0xf0, 0x80}, readJob)}})
	if n := len(c.Logs("s7comm")); n != 1 || s.Pending(dissect.Orig) != 0 {
		t.Errorf("bogus length: %d s7comm rows, %d bytes pending", n, s.Pending(dissect.Orig))
	}
}

// A response delivered before its request (a hole in the request direction makes the engine
// hand over the request late) is paired when the request shows up.
func TestResponseBeforeRequest(t *testing.T) {
	s, c := newTest(t)
	feed(t, s, []chunk{{dissect.Resp, stopAck}, {dissect.Orig, stopJob}, {dissect.Resp, readAck}})
	s.P.Close()
	n := 0
	for _, w := range c.Logs("weird") {
		if w.Get("name") == WeirdUnmatchedRef {
			n++
		}
	}
	if n != 1 { // readAck only
		t.Errorf("%d unmatched-reference anomalies, want 1", n)
	}
	if got := factValue(c, dissect.Resp, dissect.AttrPLCMode); got != "stop" {
		t.Errorf("plc_mode = %q, want stop", got)
	}
}

func TestPendingFlood(t *testing.T) {
	s, c := newTest(t)
	for i := 0; i < MaxPending+5; i++ {
		feed(t, s, []chunk{{dissect.Orig, dt(s7(RosJob, uint16(i), nil, []byte{0x04, 0x00}, nil))}})
	}
	n := 0
	for _, w := range c.Logs("weird") {
		if w.Get("name") == WeirdPendingFlood {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d flood weirds, want 1", n)
	}
}

func TestCOTPFragmentedTSDU(t *testing.T) {
	pdu := s7(RosJob, 0x0100, nil, []byte{0x04, 0x01,
		0x12, 0x0a, 0x10, 0x02, 0x00, 0x02, 0x00, 0x01, 0x84, 0x00, 0x00, 0x00}, nil)
	first := tpkt([]byte{0x02, 0xf0, 0x00}, pdu[:9]) // no EOT
	second := tpkt([]byte{0x02, 0xf0, 0x81}, pdu[9:])
	s, c := newTest(t)
	feed(t, s, []chunk{{dissect.Orig, first}, {dissect.Orig, second}})
	if len(c.Logs("cotp")) != 2 || len(c.Logs("s7comm")) != 1 || c.Logs("s7comm")[0].Get("function_code") != "0x04" {
		t.Errorf("fragmented TSDU: cotp %d, s7comm %v", len(c.Logs("cotp")), c.Logs("s7comm"))
	}
}

func TestS7Plus(t *testing.T) {
	s, c := newTest(t)
	// A V2 message split over two frames: the first has no trailer, the second ends with it.
	frag1 := dt([]byte{0x72, 0x02, 0x00, 0x08, 0x31, 0x00, 0x00, 0x04, 0xca, 0x00, 0x00, 0x00})
	frag2 := dt([]byte{0x72, 0x02, 0x00, 0x04, 0xbe, 0x52, 0x27, 0x7b, 0x72, 0x02, 0x00, 0x00})
	feed(t, s, []chunk{{dissect.Orig, plusReq}, {dissect.Resp, plusNotif}, {dissect.Orig, frag1}, {dissect.Orig, frag2}})
	rows := c.Logs("s7comm_plus")
	if len(rows) != 3 {
		t.Fatalf("s7comm_plus rows = %d, want 3: %v", len(rows), rows)
	}
	if r := rows[0]; r.Get("version") != "3" || r.Get("opcode") != "0x31" || r.Get("opcode_name") != "Request" ||
		r.Get("function_code") != "0x04f2" || r.Get("function_name") != "Set Variable" {
		t.Errorf("request row: %s", r.Raw)
	}
	if r := rows[1]; r.Get("opcode_name") != "Notification" || r.Get("function_code") != "" {
		t.Errorf("notification row: %s", r.Raw)
	}
	if r := rows[2]; r.Get("function_name") != "Create Object" {
		t.Errorf("fragmented message row: %s", r.Raw)
	}
	if len(c.Logs("weird")) != 0 || eventCount(c, dissect.EvWrite) != 1 {
		t.Errorf("weirds %v, write events %d", c.Logs("weird"), eventCount(c, dissect.EvWrite))
	}
}

// Segmentation matrix: the same session must give the same logs however TCP cuts it.
func TestSegmentation(t *testing.T) {
	var ref *dissecttest.Capture
	{
		s, c := newTest(t)
		feed(t, s, session)
		ref = c
	}
	wantS7, wantCOTP := len(ref.Logs("s7comm")), len(ref.Logs("cotp"))
	cases := map[string]func(t *testing.T, s *dissecttest.Stream){
		"one PDU over two segments": func(t *testing.T, s *dissecttest.Stream) {
			for _, c := range session {
				h := len(c.b) / 2
				feed(t, s, []chunk{{c.dir, c.b[:h]}, {c.dir, c.b[h:]}})
			}
		},
		"header split after 3 bytes": func(t *testing.T, s *dissecttest.Stream) {
			for _, c := range session {
				feed(t, s, []chunk{{c.dir, c.b[:3]}, {c.dir, c.b[3:]}})
			}
		},
		"two PDUs in one segment": func(t *testing.T, s *dissecttest.Stream) {
			// Requests pipelined back to back, then the responses arrive together.
			feed(t, s, []chunk{{dissect.Orig, crPDU}, {dissect.Resp, ccPDU},
				{dissect.Orig, cat(setupJob, szlReq)}, {dissect.Resp, cat(setupAck, szlResp)},
				{dissect.Orig, cat(readJob, writeJob)}, {dissect.Resp, cat(readAck, writeAck)}})
		},
		"byte at a time": func(t *testing.T, s *dissecttest.Stream) {
			for _, c := range session {
				for i := range c.b {
					feed(t, s, []chunk{{c.dir, c.b[i : i+1]}})
				}
			}
		},
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			s, c := newTest(t)
			fn(t, s)
			if len(c.Logs("s7comm")) != wantS7 || len(c.Logs("cotp")) != wantCOTP {
				t.Errorf("s7comm %d cotp %d, want %d %d", len(c.Logs("s7comm")), len(c.Logs("cotp")), wantS7, wantCOTP)
			}
			if got, want := rowKeys(c), rowKeys(ref); got != want {
				t.Errorf("rows differ:\n got %s\nwant %s", got, want)
			}
			if s.Pending(dissect.Orig) != 0 || s.Pending(dissect.Resp) != 0 {
				t.Errorf("bytes left pending: %d %d", s.Pending(dissect.Orig), s.Pending(dissect.Resp))
			}
		})
	}
	t.Run("gap then resync", func(t *testing.T) {
		s, c := newTest(t)
		feed(t, s, session[:4])
		// Half of the SZL request arrives, then a hole swallows the rest of it and the start
		// of the read request.
		feed(t, s, []chunk{{dissect.Orig, szlReq[:10]}})
		s.Gap(dissect.Orig, len(szlReq)-10+5)
		feed(t, s, []chunk{{dissect.Orig, readJob[5:]}, {dissect.Orig, writeJob}, {dissect.Resp, writeAck}})
		// The SZL request and the read request are lost; the write and its answer are not.
		rows := c.Logs("s7comm")
		if len(rows) != 4 || rows[2].Get("function_code") != "0x05" || rows[3].Get("function_code") != "0x05" {
			t.Errorf("after the gap: %d rows", len(rows))
			for _, r := range rows {
				t.Log(r.Raw)
			}
		}
	})
}

// rowKeys summarises s7comm.log as a sorted list of (direction, reference, function).
func rowKeys(c *dissecttest.Capture) string {
	var keys []string
	for _, r := range c.Logs("s7comm") {
		keys = append(keys, r.Get("is_orig")+"/"+r.Get("pdu_reference")+"/"+r.Get("function_code"))
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}

func TestProbe(t *testing.T) {
	mmsCR := tpkt([]byte{0x11, 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00,
		0xc0, 0x01, 0x0d,
		0xc1, 0x02, 0x00, 0x01, // calling TSAP 0x0001
		0xc2, 0x02, 0x00, 0x01}) // called TSAP 0x0001
	mmsDT := dt([]byte{0x0d, 0xb2, 0x05, 0x06, 0x13, 0x01, 0x00}) // session CONNECT SPDU
	tests := []struct {
		name string
		in   []byte
		want dissect.Verdict
	}{
		{"S7 CR", crPDU, dissect.Match},
		{"S7 CC", ccPDU, dissect.Match},
		{"S7comm DT", readJob, dissect.Match},
		{"S7comm-plus DT", plusReq, dissect.Match},
		{"first 8 bytes of a DT", readJob[:9], dissect.Match},
		{"partial header", crPDU[:4], dissect.NeedMore},
		{"MMS CR alone", mmsCR, dissect.NeedMore},
		{"MMS CR then session SPDU", cat(mmsCR, mmsDT), dissect.NoMatch},
		{"MMS DT", mmsDT, dissect.NoMatch},
		{"HTTP", []byte("GET / HTTP/1.1\r\nHost: plc\r\n\r\n"), dissect.NoMatch},
		{"TLS", []byte{0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00}, dissect.NoMatch},
		{"zero bytes", make([]byte, 32), dissect.NoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Probe(dissect.Orig, tt.in); got != tt.want {
				t.Errorf("Probe = %v, want %v", got, tt.want)
			}
		})
	}
}

// Non-S7 bytes on port 102: the probe refuses them, and even a parser forced onto them logs
// nothing but anomalies.
func TestNonS7OnPort102(t *testing.T) {
	junk := []byte("SSH-2.0-OpenSSH_8.9\r\n\x00\x00\x01\x14\x0a\x14random-key-exchange-bytes")
	if v := Probe(dissect.Orig, junk); v != dissect.NoMatch {
		t.Fatalf("Probe = %v", v)
	}
	s, c := newTest(t)
	feed(t, s, []chunk{{dissect.Orig, junk}, {dissect.Resp, junk}})
	for _, r := range c.Records {
		if r.Log != "weird" {
			t.Errorf("logged %s: %s", r.Log, r.Raw)
		}
	}
	if len(c.Facts) != 0 || len(c.Events) != 0 {
		t.Errorf("facts %v events %v", c.Facts, c.Events)
	}
}

// steady is a steady-state loop: read var, a cyclic push and S7comm-plus traffic.
var steady = []chunk{
	{dissect.Orig, readJob}, {dissect.Resp, readAck},
	{dissect.Resp, cyclicPush},
	{dissect.Orig, dt(s7(RosUserData, 0x0a00, nil, []byte{0x00, 0x01, 0x12, 0x04, 0x11, 0x47, 0x01, 0x00}, []byte{0x0a, 0x00, 0x00, 0x00}))},
	{dissect.Resp, dt(s7(RosUserData, 0x0a00, nil, []byte{0x00, 0x01, 0x12, 0x08, 0x12, 0x87, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00}, []byte{0xff, 0x09, 0x00, 0x00}))},
	{dissect.Resp, plusNotif},
}

func TestSteadyStateAllocs(t *testing.T) {
	env, _ := dissecttest.NewEnv("s7comm", dissecttest.Flow(6, 102))
	env.Out = dissecttest.Discard{}
	p := dissect.Lookup("s7comm").New(env)
	for _, c := range session { // warm up: buffers grow, roles are set
		p.Parse(c.dir, c.b)
	}
	allocs := testing.AllocsPerRun(200, func() {
		for _, c := range steady {
			if n, err := p.Parse(c.dir, c.b); n != len(c.b) || err != nil {
				t.Fatalf("Parse = %d, %v", n, err)
			}
		}
	})
	if allocs != 0 {
		t.Errorf("%.1f allocs per steady-state loop, want 0", allocs)
	}
	if env.Weirds != 0 {
		t.Errorf("%d anomalies in steady state", env.Weirds)
	}
}

func BenchmarkParse(b *testing.B) {
	env, _ := dissecttest.NewEnv("s7comm", dissecttest.Flow(6, 102))
	env.Out = dissecttest.Discard{}
	p := dissect.Lookup("s7comm").New(env)
	var bytes int64
	for _, c := range steady {
		bytes += int64(len(c.b))
	}
	b.SetBytes(bytes)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range steady {
			p.Parse(c.dir, c.b)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(steady)), "ns/PDU")
}
