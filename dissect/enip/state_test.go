package enip

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func TestIdentityGetAttributesAll(t *testing.T) {
	_, c, p := newTest(t, 6, 44818)
	feed(t, p, dissect.Orig, encapPDU(cmdSendRRData, session, 0x0102030405060708,
		rrData(req(svcGetAttributesAll, cls(0x01, 0x01), nil))))
	feed(t, p, dissect.Resp, encapPDU(cmdSendRRData, session, 0x0102030405060708,
		rrData(rsp(svcGetAttributesAll, 0, identityAttrs))))

	cip := c.Logs("cip")
	if len(cip) != 2 {
		t.Fatalf("%d cip lines", len(cip))
	}
	if r := cip[0]; r.Get("direction") != "request" || r.Get("cip_service_code") != "0x01" ||
		r.Get("cip_service") != "Get Attributes All" || r.Get("class_id") != "0x01" ||
		r.Get("class_name") != "Identity" || r.Get("instance_id") != "0x01" || r.Get("cip_sequence_count") != "" {
		t.Errorf("request line %s", r.Raw)
	}
	if r := cip[1]; r.Get("direction") != "response" || r.Get("cip_status_code") != "0x00" ||
		r.Get("cip_status") != "Success" || r.Get("class_id") != "" || r.Get("is_orig") != "false" ||
		r.Get("source_h") != "10.0.0.2" {
		t.Errorf("response line %s", r.Raw)
	}
	enip := c.Logs("enip")
	if len(enip) != 2 || enip[0].Get("sender_context") != "0x0102030405060708" || enip[0].Get("session_handle") != "0x11020100" ||
		enip[0].Get("enip_command") != "Send RR Data" || enip[0].Get("enip_command_code") != "0x6f" || enip[0].Get("length") != "22" {
		t.Errorf("enip lines %v", enip)
	}
	id := c.Logs("cip_identity")
	if len(id) != 1 {
		t.Fatalf("%d cip_identity lines", len(id))
	}
	want := map[string]string{"vendor_id": "1", "vendor_name": "Rockwell Automation/Allen-Bradley",
		"device_type_id": "14", "device_type_name": "Programmable Logic Controller", "product_code": "54",
		"revision": "20.11", "device_status": "0x3060", "serial_number": "0x00c0ffee",
		"product_name": "1756-L61/B LOGIX", "device_state": "0x0003"}
	for k, v := range want {
		if got := id[0].Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	for attr, v := range map[string]string{dissect.AttrVendor: "Rockwell Automation/Allen-Bradley",
		dissect.AttrVendorID: "1", dissect.AttrFirmware: "20.11", dissect.AttrSerial: "0x00c0ffee",
		dissect.AttrModel: "1756-L61/B LOGIX", dissect.AttrDeviceType: "Programmable Logic Controller",
		dissect.AttrProductCode: "54", dissect.AttrRole: "enip_server"} {
		if got := fact(c, dissect.Resp, attr); got != v {
			t.Errorf("fact %s = %q, want %q", attr, got, v)
		}
	}
	if fact(c, dissect.Orig, dissect.AttrRole) != "enip_client" {
		t.Error("no client role")
	}
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
}

func TestMultipleServicePacketConnected(t *testing.T) {
	_, c, p := newTest(t, 6, 44818)
	msp := cat(le16(2), le16(6), le16(14),
		req(svcGetAttributeSingle, cat(cls(0x01, 0x01), []byte{0x30, 0x01}), nil),
		req(svcGetAttributesAll, cls(0x02, 0x01), nil))
	feed(t, p, dissect.Orig, encapPDU(cmdSendUnitData, session, 0, unitData(0x11223344, 1929,
		req(svcMultipleService, cls(0x02, 0x01), msp))))
	rmsp := cat(le16(2), le16(6), le16(12),
		rsp(svcGetAttributeSingle, 0, le16(1)),
		rsp(svcGetAttributesAll, 0x08, nil))
	feed(t, p, dissect.Resp, encapPDU(cmdSendUnitData, session, 0, unitData(0x55667788, 1929,
		rsp(svcMultipleService, 0x1e, rmsp))))

	cip := c.Logs("cip")
	var got []string
	for _, r := range cip {
		got = append(got, r.Get("cip_sequence_count")+" "+r.Get("direction")+" "+r.Get("cip_service_code")+" "+r.Get("class_id")+r.Get("cip_status_code"))
	}
	want := []string{"1929 request 0x0a 0x02", "1929 request 0x0e 0x01", "1929 request 0x01 0x02",
		"1929 response 0x0a 0x1e", "1929 response 0x0e 0x00", "1929 response 0x01 0x08"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("cip lines\n got %q\nwant %q", got, want)
	}
	if cip[3].Get("cip_status") != "Embedded Service Error" || cip[5].Get("cip_status") != "Service Not Supported" {
		t.Errorf("status names: %s / %s", cip[3].Raw, cip[5].Raw)
	}
	// Attribute 1 of Identity was answered: a vendor id fact for the responder.
	if fact(c, dissect.Resp, dissect.AttrVendorID) != "1" {
		t.Errorf("facts %+v", c.Facts)
	}
	if w := c.WeirdNames(); !reflect.DeepEqual(w, []string{"cip_error_status", "cip_error_status"}) {
		t.Errorf("weirds %v", w)
	}
}

func TestUnconnectedSendWriteTag(t *testing.T) {
	_, c, p := newTest(t, 6, 44818)
	write := req(svcWriteTag, []byte{0x91, 0x05, 'S', 'p', 'e', 'e', 'd', 0x00}, cat(le16(0xc4), le16(1), le32(1500)))
	us := cat([]byte{0x0a, 0xf0}, le16(uint16(len(write))), write, // priority, ticks, size, message (even)
		[]byte{0x01, 0x00, 0x01, 0x00}) // route path: 1 word, reserved, port 1 slot 0
	feed(t, p, dissect.Orig, encapPDU(cmdSendRRData, session, 7, rrData(req(svcUnconnectedSend, cls(0x06, 0x01), us))))
	feed(t, p, dissect.Resp, encapPDU(cmdSendRRData, session, 7, rrData(rsp(svcWriteTag, 0, nil))))

	cip := c.Logs("cip")
	if len(cip) != 3 {
		t.Fatalf("%d cip lines", len(cip))
	}
	if cip[0].Get("cip_service") != "Unconnected Send" || cip[0].Get("class_name") != "Connection Manager" {
		t.Errorf("outer: %s", cip[0].Raw)
	}
	if cip[1].Get("cip_service_code") != "0x4d" || cip[1].Get("class_id") != "" {
		t.Errorf("inner: %s", cip[1].Raw)
	}
	if cip[2].Get("direction") != "response" || cip[2].Get("cip_service_code") != "0x4d" {
		t.Errorf("reply: %s", cip[2].Raw)
	}
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvWrite || c.Events[0].Src != dissect.Orig ||
		!strings.Contains(c.Events[0].Detail, "tag=Speed") {
		t.Fatalf("events %+v", c.Events)
	}
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
}

func TestEvents(t *testing.T) {
	tests := []struct {
		name string
		cip  []byte
		want string
	}{
		{"reset identity", req(svcReset, cls(0x01, 0x01), []byte{0}), dissect.EvRestart},
		{"start", req(svcStart, cls(0x8e, 0x01), nil), dissect.EvPLCStart},
		{"stop", req(svcStop, cls(0x8e, 0x01), nil), dissect.EvPLCStop},
		{"set attribute single", req(svcSetAttributeSingle, cat(cls(0xf5, 0x01), []byte{0x30, 0x05}), le32(0)), dissect.EvWrite},
		{"set attributes all", req(svcSetAttributesAll, cls(0x04, 0x64), []byte{1, 2}), dissect.EvWrite},
		{"write tag fragmented on symbol object", req(svcWriteTagFragmented, []byte{0x20, 0x6b, 0x24, 0x09}, nil), dissect.EvWrite},
		{"pccc get edit resource", req(svcExecutePCCC, cls(0x67, 0x01),
			[]byte{0x07, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x00, 0x01, 0x00, 0x11}), dissect.EvProgramDownload},
		{"pccc typed write", req(svcExecutePCCC, cls(0x67, 0x01),
			[]byte{0x07, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x00, 0x02, 0x00, 0xaa, 0x02, 0x07, 0x89, 0x00, 0x00, 0x01, 0x00}), dissect.EvWrite},
		{"read modify write on other object is no write", req(svcReadModifyWrite, cls(0xb2, 0x21), nil), ""},
		{"read", req(svcGetAttributeSingle, cat(cls(0x01, 0x01), []byte{0x30, 0x01}), nil), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c, p := newTest(t, 6, 44818)
			feed(t, p, dissect.Orig, encapPDU(cmdSendRRData, session, 1, rrData(tt.cip)))
			var want []string
			if tt.want != "" {
				want = []string{tt.want}
			}
			if got := kinds(c); !reflect.DeepEqual(got, want) {
				t.Fatalf("events %v, want %v", got, want)
			}
		})
	}
}

func TestPCCCFields(t *testing.T) {
	_, c, p := newTest(t, 6, 44818)
	feed(t, p, dissect.Orig, encapPDU(cmdSendRRData, session, 1, rrData(req(svcExecutePCCC, cls(0x67, 0x01),
		[]byte{0x07, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x00, 0x01, 0x00, 0xa2, 0x02, 0x07, 0x89, 0x00, 0x00}))))
	feed(t, p, dissect.Resp, encapPDU(cmdSendRRData, session, 1, rrData(rsp(svcExecutePCCC, 0,
		[]byte{0x07, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x4f, 0x10, 0x01, 0x00}))))
	cip := c.Logs("cip")
	if len(cip) != 2 || cip[0].Get("pccc_command_code") != "0x0f" || cip[0].Get("pccc_function_code") != "0xa2" ||
		cip[0].Get("pccc_function") != "Protected typed logical read with three address fields" {
		t.Fatalf("%v", cip)
	}
	if cip[1].Get("pccc_command_code") != "0x4f" || cip[1].Get("pccc_status_code") != "0x10" || cip[1].Get("pccc_function") != "" {
		t.Errorf("reply %s", cip[1].Raw)
	}
}

func TestListIdentityUDP(t *testing.T) {
	_, c, p := newTest(t, 17, 44818)
	feed(t, p, dissect.Orig, encapPDU(cmdListIdentity, 0, 0xc1debed1, nil))
	item := cat(le16(1), // encapsulation version
		[]byte{0x00, 0x02, 0xaf, 0x12, 10, 1, 1, 164}, make([]byte, 8), // sockaddr: AF_INET, 44818, 10.1.1.164
		identityAttrs)
	feed(t, p, dissect.Resp, encapPDU(cmdListIdentity, 0, 0xc1debed1, cat(le16(1), cpfItem(itemListIdentity, item))))
	if got := kinds(c); !reflect.DeepEqual(got, []string{dissect.EvScan}) || c.Events[0].Src != dissect.Orig {
		t.Fatalf("events %v", got)
	}
	id := c.Logs("cip_identity")
	if len(id) != 1 || id[0].Get("socket_address") != "10.1.1.164" || id[0].Get("socket_port") != "44818" ||
		id[0].Get("encapsulation_version") != "1" || id[0].Get("revision") != "20.11" {
		t.Fatalf("%v", id)
	}
	if fact(c, dissect.Resp, dissect.AttrSerial) != "0x00c0ffee" {
		t.Error("no serial fact")
	}
}

func TestForwardOpenTiesIO(t *testing.T) {
	// TCP: Forward Open request and success reply.
	env, _, p := newTest(t, 6, 44818)
	env.Flow.UID = "CFORWARDOPEN00001"
	fo := cat([]byte{0x0a, 0x0e}, le32(0), le32(0x80fe0001), // priority, ticks, O->T id (target picks), T->O id
		le16(0x4242), le16(1), le32(0xabcdef01), // connection serial, vendor, originator serial
		[]byte{1, 0, 0, 0}, le32(20000), le16(0x4806), le32(10000), le16(0x4806), // RPIs 20 ms / 10 ms
		[]byte{0x01}, []byte{0x02}, cls(0x04, 0x64)) // transport class 1, path
	feed(t, p, dissect.Orig, encapPDU(cmdSendRRData, session, 9, rrData(req(svcForwardOpen, cls(0x06, 0x01), fo))))
	reply := cat(le32(0x20202020), le32(0x80fe0001), le16(0x4242), le16(1), le32(0xabcdef01),
		le32(20000), le32(10000), []byte{0, 0})
	feed(t, p, dissect.Resp, encapPDU(cmdSendRRData, session, 9, rrData(rsp(svcForwardOpen, 0, reply))))

	// UDP 2222: T->O packets come from the target (10.0.0.2, the TCP responder). In this UDP
	// flow the target sent first, so it is the UDP flow's originator.
	uenv, uc := dissecttest.NewEnv("enip", dissecttest.Flow(17, 2222))
	uenv.Runs = env.Runs // one engine run: the I/O flow sees the session's Forward Open
	uenv.Flow.Orig, uenv.Flow.Resp = env.Flow.Resp, env.Flow.Orig
	up := newParser(uenv)
	io := func(id, seq uint32, data []byte) []byte {
		return cat(le16(2), le16(itemSequencedAddress), le16(8), le32(id), le32(seq), le16(itemConnectedData), le16(uint16(len(data))), data)
	}
	for i := uint32(0); i < 700; i++ { // 100 ms apart: 70 s of packets
		uenv.TS = 1_600_000_000_000_000_000 + int64(i)*100_000_000
		feed(t, up, dissect.Orig, io(0x80fe0001, 100+i, []byte{byte(i), 0, 1, 2}))
	}
	up.Close()
	lines := uc.Logs("cip_io")
	if len(lines) != 3 {
		t.Fatalf("%d cip_io lines: %v", len(lines), lines)
	}
	first, sum1, sum2 := lines[0], lines[1], lines[2]
	if first.Get("record_type") != "first" || first.Get("connection_id") != "0x80fe0001" || first.Get("io_data") != "00000102" ||
		first.Get("forward_open_uid") != "CFORWARDOPEN00001" || first.Get("rpi_us") != "10000" || first.Get("transport_class") != "1" {
		t.Errorf("first %s", first.Raw)
	}
	if sum1.Get("record_type") != "summary" || sum1.Get("packet_count") != "600" || sum1.Get("sequence_min") != "100" ||
		sum1.Get("sequence_max") != "699" || sum1.Get("byte_count") != "2400" {
		t.Errorf("summary 1 %s", sum1.Raw)
	}
	if sum2.Get("packet_count") != "100" || sum2.Get("sequence_max") != "799" {
		t.Errorf("summary 2 %s", sum2.Raw)
	}
	if fact(uc, dissect.Orig, dissect.AttrRole) != "cip_io_producer" {
		t.Error("no producer role")
	}
}

func TestAnomalies(t *testing.T) {
	tests := []struct {
		name string
		dir  dissect.Dir
		pdu  []byte
		want []string
	}{
		{"encapsulation error status", dissect.Resp, func() []byte {
			b := encapPDU(cmdRegisterSession, 0, 0, cat(le16(1), le16(0)))
			b[8] = 0x69 // Unsupported Protocol Version
			return b
		}(), []string{"enip_error_status"}},
		{"unknown command", dissect.Orig, encapPDU(0x0099, session, 0, []byte{1, 2}), []string{"enip_unknown_command"}},
		{"absurd item count", dissect.Orig, encapPDU(cmdSendRRData, session, 0, cat(le32(0), le16(0), le16(500))), []string{"enip_cpf_item_count"}},
		{"register session length", dissect.Orig, encapPDU(cmdRegisterSession, 0, 0, []byte{1, 0}), []string{"enip_bad_length"}},
		{"truncated cip", dissect.Orig, encapPDU(cmdSendRRData, session, 0, rrData([]byte{0x0e, 0x05, 0x20})), []string{"cip_truncated"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, c, p := newTest(t, 6, 44818)
			// A good PDU first, so the direction is in step.
			feed(t, p, tt.dir, encapPDU(cmdRegisterSession, 0, 0, cat(le16(1), le16(0))))
			feed(t, p, tt.dir, tt.pdu)
			if got := c.WeirdNames(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("weirds %v, want %v", got, tt.want)
			}
			if len(c.Logs("enip")) != 2 {
				t.Errorf("%d enip lines", len(c.Logs("enip")))
			}
		})
	}
}

func TestUnmatchedResponse(t *testing.T) {
	_, c, p := newTest(t, 6, 44818)
	// A reply before any request (capture started mid-conversation): not an anomaly.
	feed(t, p, dissect.Resp, encapPDU(cmdSendRRData, session, 5, rrData(rsp(svcGetAttributeSingle, 0, nil))))
	feed(t, p, dissect.Orig, encapPDU(cmdSendRRData, session, 6, rrData(req(svcGetAttributeSingle, cat(cls(1, 1), []byte{0x30, 1}), nil))))
	feed(t, p, dissect.Resp, encapPDU(cmdSendRRData, session, 6, rrData(rsp(svcGetAttributeSingle, 0, le16(1)))))
	if len(c.WeirdNames()) != 0 {
		t.Fatalf("weirds %v", c.WeirdNames())
	}
	// Sender context 7 was never asked.
	feed(t, p, dissect.Resp, encapPDU(cmdSendRRData, session, 7, rrData(rsp(svcGetAttributeSingle, 0, nil))))
	if got := c.WeirdNames(); !reflect.DeepEqual(got, []string{"cip_unmatched_response"}) {
		t.Fatalf("weirds %v", got)
	}
}

func TestPendingFlood(t *testing.T) {
	_, c, p := newTest(t, 6, 44818)
	for i := 0; i < maxPending+10; i++ {
		feed(t, p, dissect.Orig, encapPDU(cmdSendRRData, session, uint64(i), rrData(req(svcGetAttributesAll, cls(1, 1), nil))))
	}
	if got := c.WeirdNames(); !reflect.DeepEqual(got, []string{"enip_pending_flood"}) {
		t.Fatalf("weirds %v", got)
	}
	// The newest requests are still paired.
	feed(t, p, dissect.Resp, encapPDU(cmdSendRRData, session, uint64(maxPending+9), rrData(rsp(svcGetAttributesAll, 0, identityAttrs))))
	if len(c.Logs("cip_identity")) != 1 {
		t.Fatal("newest request lost")
	}
}

// conversation is a typical exchange used by the segmentation, allocation and benchmark tests.
func conversation() (orig, resp [][]byte) {
	orig = [][]byte{
		encapPDU(cmdRegisterSession, 0, 1, cat(le16(1), le16(0))),
		encapPDU(cmdSendRRData, session, 2, rrData(req(svcGetAttributesAll, cls(1, 1), nil))),
		encapPDU(cmdSendUnitData, session, 0, unitData(0x1000, 3, req(svcMultipleService, cls(2, 1),
			cat(le16(2), le16(6), le16(12), req(svcGetAttributeList, cls(0x69, 0), cat(le16(1), le16(1))),
				req(svcReadTag, []byte{0x91, 0x02, 'A', 'B'}, le16(1)))))),
	}
	resp = [][]byte{
		encapPDU(cmdRegisterSession, session, 1, cat(le16(1), le16(0))),
		encapPDU(cmdSendRRData, session, 2, rrData(rsp(svcGetAttributesAll, 0, identityAttrs))),
		encapPDU(cmdSendUnitData, session, 0, unitData(0x2000, 3, rsp(svcMultipleService, 0,
			cat(le16(2), le16(6), le16(14), rsp(svcGetAttributeList, 0, cat(le16(1), le16(1), le16(0), le16(5))),
				rsp(svcReadTag, 0, cat(le16(0xc4), le32(42))))))),
	}
	return orig, resp
}

// records renders what a capture got, for comparing runs.
func records(c *dissecttest.Capture) string {
	var b strings.Builder
	for _, r := range c.Records {
		b.WriteString(r.Log + " " + r.Raw + "\n")
	}
	return b.String()
}

func TestSegmentation(t *testing.T) {
	orig, resp := conversation()
	ref := func() string {
		_, c, p := newTest(t, 6, 44818)
		for i := range orig {
			feed(t, p, dissect.Orig, orig[i])
			feed(t, p, dissect.Resp, resp[i])
		}
		return records(c)
	}()
	if strings.Count(ref, "\n") != 6+3+6+1 { // 6 enip, 1+1+3 requests... counted below
		t.Logf("reference:\n%s", ref)
	}
	run := func(t *testing.T, split func(b []byte) [][]byte) {
		_, c, p := newTest(t, 6, 44818)
		s := &dissecttest.Stream{P: p}
		for i := range orig {
			for _, ch := range split(orig[i]) {
				if err := s.Write(t, dissect.Orig, ch); err != nil {
					t.Fatal(err)
				}
			}
			for _, ch := range split(resp[i]) {
				if err := s.Write(t, dissect.Resp, ch); err != nil {
					t.Fatal(err)
				}
			}
		}
		if s.Pending(dissect.Orig)+s.Pending(dissect.Resp) != 0 {
			t.Fatal("bytes left pending")
		}
		if got := records(c); got != ref {
			t.Fatalf("got\n%s\nwant\n%s", got, ref)
		}
	}
	t.Run("one PDU over two segments", func(t *testing.T) {
		run(t, func(b []byte) [][]byte { return [][]byte{b[:len(b)/2], b[len(b)/2:]} })
	})
	t.Run("header split", func(t *testing.T) {
		run(t, func(b []byte) [][]byte { return [][]byte{b[:10], b[10:]} })
	})
	t.Run("byte at a time", func(t *testing.T) {
		run(t, func(b []byte) [][]byte {
			var out [][]byte
			for i := range b {
				out = append(out, b[i:i+1])
			}
			return out
		})
	})
	t.Run("two PDUs in one segment", func(t *testing.T) {
		_, c, p := newTest(t, 6, 44818)
		s := &dissecttest.Stream{P: p}
		for i := range orig {
			// Orig's PDU i and a NOP in one segment, then the reply.
			if err := s.Write(t, dissect.Orig, cat(orig[i], encapPDU(cmdNOP, 0, 0, nil))); err != nil {
				t.Fatal(err)
			}
			if err := s.Write(t, dissect.Resp, resp[i]); err != nil {
				t.Fatal(err)
			}
		}
		if n := len(c.Logs("enip")); n != 9 {
			t.Fatalf("%d enip lines, want 9", n)
		}
		if n := len(c.Logs("cip")); n != strings.Count(ref, "cip {") {
			t.Fatalf("%d cip lines", n)
		}
	})
	t.Run("gap then resync", func(t *testing.T) {
		_, c, p := newTest(t, 6, 44818)
		s := &dissecttest.Stream{P: p}
		pdu := orig[1]
		if err := s.Write(t, dissect.Orig, pdu[:30]); err != nil {
			t.Fatal(err)
		}
		s.Gap(dissect.Orig, 100)
		// The stream resumes in the middle of some PDU, then a whole one follows.
		if err := s.Write(t, dissect.Orig, cat(pdu[17:], orig[2])); err != nil {
			t.Fatal(err)
		}
		enip := c.Logs("enip")
		if len(enip) != 1 || enip[0].Get("enip_command") != "Send Unit Data" {
			t.Fatalf("after resync: %v", enip)
		}
		if s.Pending(dissect.Orig) != 0 {
			t.Fatalf("%d bytes pending", s.Pending(dissect.Orig))
		}
	})
}

func TestImpossibleLengthDoesNotStall(t *testing.T) {
	_, c, p := newTest(t, 6, 44818)
	s := &dissecttest.Stream{P: p}
	if err := s.Write(t, dissect.Orig, encapPDU(cmdRegisterSession, 0, 0, cat(le16(1), le16(0)))); err != nil {
		t.Fatal(err)
	}
	bad := encapPDU(0x4747, 0, 0, nil)
	bad[2], bad[3] = 0xff, 0xff // length 65535 > 65511
	bad[20] = 0x55              // options set
	if err := s.Write(t, dissect.Orig, cat(bad, encapPDU(cmdListIdentity, 0, 0, nil))); err != nil {
		t.Fatal(err)
	}
	if s.Pending(dissect.Orig) != 0 {
		t.Fatalf("%d bytes pending", s.Pending(dissect.Orig))
	}
	if got := c.WeirdNames(); !reflect.DeepEqual(got, []string{"enip_bad_header"}) {
		t.Fatalf("weirds %v", got)
	}
	if n := len(c.Logs("enip")); n != 2 {
		t.Fatalf("%d enip lines", n)
	}
}

func TestNotENIP(t *testing.T) {
	junk := [][]byte{
		[]byte("GET /index.html HTTP/1.1\r\nHost: 10.0.0.2\r\nUser-Agent: curl/8.0\r\n\r\n"),
		[]byte("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + strings.Repeat("\x00", 40)),
		bytes.Repeat([]byte{0xff}, 300),
	}
	for _, b := range junk {
		if v := probe(dissect.Orig, b); v != dissect.NoMatch {
			t.Errorf("probe(%q…) = %v", b[:8], v)
		}
		for _, proto := range []uint8{6, 17} {
			_, c, p := newTest(t, proto, 44818)
			if _, err := p.Parse(dissect.Orig, b); err != nil {
				t.Fatal(err)
			}
			p.Close()
			if len(c.Records) != 0 || len(c.Facts) != 0 || len(c.Events) != 0 {
				t.Errorf("proto %d: output from junk: %v", proto, c.Records)
			}
		}
	}
}

type nopOut struct{}

func (nopOut) Record(string, []byte) {}
func (nopOut) Fact(*dissect.Fact)    {}
func (nopOut) Event(*dissect.Event)  {}

func TestSteadyStateAllocs(t *testing.T) {
	orig, resp := conversation()
	env, _ := dissecttest.NewEnv("enip", dissecttest.Flow(6, 44818))
	env.Out = nopOut{}
	p := newParser(env)
	feed(t, p, dissect.Orig, orig...)
	feed(t, p, dissect.Resp, resp...)
	a := testing.AllocsPerRun(200, func() {
		for i := 1; i < len(orig); i++ {
			p.Parse(dissect.Orig, orig[i])
			p.Parse(dissect.Resp, resp[i])
		}
	})
	if a != 0 {
		t.Fatalf("%v allocs per exchange", a)
	}
	// Connected I/O too.
	uenv, _ := dissecttest.NewEnv("enip", dissecttest.Flow(17, 2222))
	uenv.Out = nopOut{}
	up := newParser(uenv)
	pkt := cat(le16(2), le16(itemSequencedAddress), le16(8), le32(7), le32(1), le16(itemConnectedData), le16(4), []byte{1, 2, 3, 4})
	up.Parse(dissect.Orig, pkt)
	if a := testing.AllocsPerRun(200, func() { uenv.TS += 1e6; up.Parse(dissect.Orig, pkt) }); a != 0 {
		t.Fatalf("%v allocs per I/O packet", a)
	}
}

func BenchmarkParse(b *testing.B) {
	orig, resp := conversation()
	env, _ := dissecttest.NewEnv("enip", dissecttest.Flow(6, 44818))
	env.Out = nopOut{}
	p := newParser(env)
	var bytesPer int
	for i := 1; i < len(orig); i++ {
		bytesPer += len(orig[i]) + len(resp[i])
	}
	b.SetBytes(int64(bytesPer))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := 1; j < len(orig); j++ {
			p.Parse(dissect.Orig, orig[j])
			p.Parse(dissect.Resp, resp[j])
		}
	}
	pdus := float64(b.N) * float64(2*(len(orig)-1))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/pdus, "ns/PDU")
}
