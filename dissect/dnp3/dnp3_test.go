package dnp3

import (
	"bytes"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// linkFrame builds one data link frame carrying user (transport header + application bytes),
// with the header and block CRCs. ctrl 0xC4 is master→outstation unconfirmed user data,
// 0x44 outstation→master.
func linkFrame(ctrl byte, dst, src uint16, user []byte) []byte {
	b := []byte{start1, start2, byte(5 + len(user)), ctrl, byte(dst), byte(dst >> 8), byte(src), byte(src >> 8)}
	c := crc16(b)
	b = append(b, byte(c), byte(c>>8))
	for len(user) > 0 {
		k := min(len(user), 16)
		c := crc16(user[:k])
		b = append(b, user[:k]...)
		b = append(b, byte(c), byte(c>>8))
		user = user[k:]
	}
	return b
}

// fragment splits an application fragment into transport segments and link frames.
func fragment(ctrl byte, dst, src uint16, seq byte, app []byte) []byte {
	var out []byte
	first := true
	for {
		k := min(len(app), maxUserData-1)
		th := seq & tpSEQ
		if first {
			th |= tpFIR
		}
		if k == len(app) {
			th |= tpFIN
		}
		out = append(out, linkFrame(ctrl, dst, src, append([]byte{th}, app[:k]...))...)
		app = app[k:]
		seq++
		first = false
		if len(app) == 0 {
			return out
		}
	}
}

const (
	master     = 3
	outstation = 4
)

func req(app ...byte) []byte  { return fragment(0xc4, outstation, master, 0, app) }
func resp(app ...byte) []byte { return fragment(0x44, master, outstation, 0, app) }

// Typical exchange: class 0 read and its response.
var (
	readClass0 = req(
		0xc1, 0x01, // AC: FIR FIN seq 1; READ
		0x3c, 0x01, 0x06, // g60v1 class 0, qualifier 06 (all)
	)
	readClass0Resp = resp(
		0xc1, 0x81, 0x00, 0x00, // AC seq 1; RESPONSE; IIN 0000
		0x01, 0x02, 0x00, 0x00, 0x02, // g1v2, qualifier 00, start 0 stop 2
		0x01, 0x81, 0x01, // three flag bytes
		0x1e, 0x02, 0x00, 0x05, 0x05, // g30v2 q00 5..5
		0x01, 0x34, 0x12, // flags, value 0x1234
	)
	selectCROB = req(
		0xc2, 0x03, // SELECT
		0x0c, 0x01, 0x28, 0x01, 0x00, // g12v1, qualifier 28 (2-byte index prefix, 2-byte count) count 1
		0x08, 0x00, // index 8
		0x41, 0x01, 0xf4, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // Close+Pulse On, count 1, on 500, off 0, status 0
	)
	selectCROBResp = resp(
		0xc2, 0x81, 0x00, 0x00,
		0x0c, 0x01, 0x28, 0x01, 0x00, 0x08, 0x00,
		0x41, 0x01, 0xf4, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	)
)

func newTest(t testing.TB, proto uint8) (*parser, *dissecttest.Capture) {
	env, c := dissecttest.NewEnv("dnp3", dissecttest.Flow(proto, 20000))
	return NewParser(env, DefaultConfig()).(*parser), c
}

func TestCRC(t *testing.T) {
	// Reference: the header of a real frame (zeek dnp3_read.pcap) and its CRC bytes.
	hdr := []byte{0x05, 0x64, 0x11, 0xc4, 0x04, 0x00, 0x03, 0x00}
	if !crcOK(hdr, []byte{0x4e, 0xef}) {
		t.Fatalf("crc16 = %04x, want ef4e", crc16(hdr))
	}
	if crcOK(hdr, []byte{0x4e, 0xee}) {
		t.Fatal("corrupted CRC accepted")
	}
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want dissect.Verdict
	}{
		{"read request", readClass0, dissect.Match},
		{"header only", readClass0[:10], dissect.Match},
		{"short prefix", readClass0[:5], dissect.NeedMore},
		{"empty", nil, dissect.NeedMore},
		{"bad header crc", append([]byte{0x05, 0x64, 0x05, 0xc0, 0, 0, 0, 0}, 0, 0), dissect.NoMatch},
		{"length below 5", linkFrame(0xc0, 1, 2, nil)[:2], dissect.NeedMore},
		{"http", []byte("GET / HTTP/1.1\r\n"), dissect.NoMatch},
		{"second byte wrong", []byte{0x05, 0x65}, dissect.NoMatch},
	}
	for _, tt := range tests {
		if got := Probe(dissect.Orig, tt.in); got != tt.want {
			t.Errorf("%s: Probe = %d, want %d", tt.name, got, tt.want)
		}
	}
	bad := linkFrame(0xc0, 1, 2, nil)
	bad[2] = 4 // LEN < 5, then fix the CRC so only the length is wrong
	c := crc16(bad[:8])
	bad[8], bad[9] = byte(c), byte(c>>8)
	if Probe(dissect.Orig, bad) != dissect.NoMatch {
		t.Error("LEN 4 matched")
	}
}

func TestReadExchange(t *testing.T) {
	p, c := newTest(t, 6)
	if n, err := p.Parse(dissect.Orig, readClass0); n != len(readClass0) || err != nil {
		t.Fatalf("Parse = %d, %v", n, err)
	}
	p.Parse(dissect.Resp, readClass0Resp)
	p.Close()
	logs := c.Logs("dnp3")
	if len(logs) != 1 {
		t.Fatalf("%d dnp3 records, want 1: %v", len(logs), c.Records)
	}
	if r := logs[0]; r.Get("fc_request") != "READ" || r.Get("fc_reply") != "RESPONSE" || r.Get("iin") != "0" {
		t.Errorf("dnp3 record %s", r.Raw)
	}
	objs := c.Logs("dnp3_objects")
	if len(objs) != 3 {
		t.Fatalf("%d object records, want 3", len(objs))
	}
	if objs[0].Get("object_type") != "Class 0 Data" || objs[0].Get("function_code") != "READ" ||
		objs[0].Get("object_count") != "" || objs[0].Get("is_orig") != "true" {
		t.Errorf("read header record %s", objs[0].Raw)
	}
	if o := objs[1]; o.Get("object_type") != "Binary Input With Status" || o.Get("object_count") != "3" ||
		o.Get("range_low") != "0" || o.Get("range_high") != "2" || o.Get("source_h") != "10.0.0.2" {
		t.Errorf("response header record %s", o.Raw)
	}
	if o := objs[2]; o.Get("object_type") != "16-Bit Analog Input" || o.Get("range_low") != "5" {
		t.Errorf("second response header %s", o.Raw)
	}
	if len(c.Logs("weird")) != 0 {
		t.Errorf("weirds: %v", c.WeirdCounts())
	}
	facts := map[string]string{}
	for _, f := range c.Facts {
		facts[f.Side.String()+" "+f.Attr] = f.Value
	}
	want := map[string]string{
		"orig station_address": "3", "resp station_address": "4",
		"orig role": roleMaster, "resp role": roleOutstation,
	}
	for k, v := range want {
		if facts[k] != v {
			t.Errorf("fact %s = %q, want %q (all: %v)", k, facts[k], v, facts)
		}
	}
	if len(c.Events) != 0 {
		t.Errorf("events on a read: %v", c.Events)
	}
	if env := p.env; env.PDUs != 2 {
		t.Errorf("PDUs = %d, want 2 link frames", env.PDUs)
	}
}

func TestControl(t *testing.T) {
	p, c := newTest(t, 6)
	p.Parse(dissect.Orig, selectCROB)
	p.Parse(dissect.Resp, selectCROBResp)
	ctl := c.Logs("dnp3_control")
	if len(ctl) != 2 {
		t.Fatalf("%d control records, want 2", len(ctl))
	}
	want := map[string]string{"block_type": "Control Relay Output Block", "function_code": "SELECT",
		"index_number": "8", "trip_control_code": "Close", "operation_type": "Pulse On", "clear_bit": "false",
		"execute_count": "1", "on_time": "500", "off_time": "0", "status_code": "", "is_orig": "true"}
	for k, v := range want {
		if got := ctl[0].Get(k); got != v {
			t.Errorf("request %s = %q, want %q", k, got, v)
		}
	}
	if ctl[1].Get("function_code") != "RESPONSE" || ctl[1].Get("status_code") != "Success" {
		t.Errorf("response record %s", ctl[1].Raw)
	}
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvCommand || c.Events[0].Src != dissect.Orig ||
		c.Events[0].Detail != "SELECT g12v1 index 8 Close Pulse On" {
		t.Errorf("events %+v", c.Events)
	}
}

func TestAnalogOutput(t *testing.T) {
	p, c := newTest(t, 6)
	p.Parse(dissect.Orig, req(0xc3, 0x05, // DIRECT_OPERATE
		0x29, 0x02, 0x17, 0x01, 0x03, // g41v2, q17 (1-byte index, 1-byte count), index 3
		0x9c, 0xff, 0x00)) // -100, status 0
	ctl := c.Logs("dnp3_control")
	if len(ctl) != 1 || ctl[0].Get("block_type") != "Analog Output Block" || ctl[0].Get("value") != "-100" ||
		ctl[0].Get("index_number") != "3" {
		t.Fatalf("control %v", ctl)
	}
	if len(c.Events) != 1 || c.Events[0].Detail != "DIRECT_OPERATE g41v2 index 3 value -100" {
		t.Errorf("events %+v", c.Events)
	}
}

func TestEvents(t *testing.T) {
	tests := []struct {
		name   string
		frag   []byte
		kind   string
		detail string
	}{
		{"cold restart", req(0xc0, 0x0d), dissect.EvRestart, "COLD_RESTART"},
		{"warm restart", req(0xc0, 0x0e), dissect.EvRestart, "WARM_RESTART"},
		{"stop", req(0xc0, 0x12), dissect.EvPLCStop, "STOP_APPL"},
		{"start", req(0xc0, 0x11), dissect.EvPLCStart, "START_APPL"},
		{"freeze", req(0xc0, 0x07, 0x14, 0x00, 0x06), dissect.EvCommand, "IMMED_FREEZE g20v0"},
		{"write time", req(0xc0, 0x02, 0x32, 0x01, 0x07, 0x01, 1, 2, 3, 4, 5, 6), dissect.EvTimeSync, "WRITE g50v1"},
		{"write iin", req(0xc0, 0x02, 0x50, 0x01, 0x00, 0x07, 0x07, 0x00), dissect.EvWrite, "WRITE g80v1"},
		{"record time", req(0xc0, 0x18), dissect.EvTimeSync, "RECORD_CURRENT_TIME"},
		{"delay", req(0xc0, 0x17), dissect.EvTimeSync, "DELAY_MEASURE"},
		{"delete file", req(0xc0, 0x1b), dissect.EvFileTransfer, "DELETE_FILE"},
		{"auth", req(0xc0, 0x20, 0x78, 0x04, 0x07, 0x01, 0x01, 0x00), dissect.EvPassword, "AUTHENTICATE_REQ g120v4"},
		{"save config", req(0xc0, 0x13), dissect.EvConfigWrite, "SAVE_CONFIG"},
	}
	for _, tt := range tests {
		p, c := newTest(t, 6)
		p.Parse(dissect.Orig, tt.frag)
		if len(c.Events) != 1 || c.Events[0].Kind != tt.kind || c.Events[0].Detail != tt.detail {
			t.Errorf("%s: events %+v", tt.name, c.Events)
		}
		if w := c.WeirdCounts(); len(w) != 0 {
			t.Errorf("%s: weirds %v", tt.name, w)
		}
	}
}

func TestOpenFileName(t *testing.T) {
	// OPEN_FILE g70v3 q5b: 26 fixed bytes then the name (zeek dnp3_file_read.pcap layout).
	obj := []byte{
		0x1a, 0x00, // name offset 26
		0x09, 0x00, // name size 9
		0, 0, 0, 0, 0xb3, 0xc5, // creation time
		0, 0, // permissions
		0, 0, 0, 0, // authentication key
		0, 0, 0, 0, // file size
		0x01, 0x00, // mode: read
		0x00, 0x04, // max block size
		0x00, 0x00, // request id
	}
	obj = append(obj, "/test.xml"...)
	app := append([]byte{0xc0, 0x19, 0x46, 0x03, 0x5b, 0x01, byte(len(obj)), 0x00}, obj...)
	p, c := newTest(t, 6)
	p.Parse(dissect.Orig, req(app...))
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvFileTransfer || c.Events[0].Detail != "OPEN_FILE /test.xml" {
		t.Errorf("events %+v weirds %v", c.Events, c.WeirdCounts())
	}
}

func TestDeviceAttributes(t *testing.T) {
	p, c := newTest(t, 6)
	attr := func(v byte, s string) []byte {
		return append([]byte{0x00, v, 0x00, 0x00, 0x00, 0x01, byte(len(s))}, s...)
	}
	app := []byte{0xc0, 0x81, 0x00, 0x00}
	app = append(app, attr(252, "ACME Corp")...)
	app = append(app, attr(250, "RTU-9000")...)
	app = append(app, attr(242, "V2.9")...)
	app = append(app, attr(248, "SN123")...)
	p.Parse(dissect.Resp, resp(app...))
	got := map[string]string{}
	for _, f := range c.Facts {
		if f.Side == dissect.Resp {
			got[f.Attr] = f.Value
		}
	}
	want := map[string]string{dissect.AttrVendor: "ACME Corp", dissect.AttrModel: "RTU-9000",
		dissect.AttrFirmware: "V2.9", dissect.AttrSerial: "SN123"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}

func TestIINDeviceFlags(t *testing.T) {
	p, c := newTest(t, 6)
	restart := resp(0xc0, 0x81, 0x80, 0x20) // IIN1.7 device restart, IIN2.5 config corrupt
	p.Parse(dissect.Resp, restart)
	p.Parse(dissect.Resp, restart) // still set: no new event
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvDeviceFlag || c.Events[0].Src != dissect.Resp ||
		c.Events[0].Detail != "device_restart config_corrupt" {
		t.Fatalf("events %+v", c.Events)
	}
	p.Parse(dissect.Resp, resp(0xc0, 0x81, 0x00, 0x00))
	p.Parse(dissect.Resp, restart) // set again after clearing: a new event
	if len(c.Events) != 2 {
		t.Errorf("events %+v", c.Events)
	}
	if r := c.Logs("dnp3")[0]; r.Get("iin") != "32800" {
		t.Errorf("iin %s", r.Get("iin"))
	}
}

// Zeek pairing: one pending request per flow; a second request replaces the first; a reply
// without a pending request logs fc_reply alone; Close flushes a pending request.
func TestZeekPairing(t *testing.T) {
	p, c := newTest(t, 6)
	p.Parse(dissect.Resp, resp(0xf0, 0x82, 0x10, 0x00)) // unsolicited, no request
	p.Parse(dissect.Orig, req(0xc0, 0x00))              // CONFIRM
	p.Parse(dissect.Orig, req(0xc1, 0x01, 0x3c, 0x02, 0x06))
	p.Parse(dissect.Resp, resp(0xc1, 0x81, 0x00, 0x00))
	p.Parse(dissect.Orig, req(0xc2, 0x0d)) // COLD_RESTART, never answered
	p.Close()
	var got []string
	for _, r := range c.Logs("dnp3") {
		got = append(got, r.Get("fc_request")+"/"+r.Get("fc_reply")+"/"+r.Get("iin"))
	}
	want := []string{"/UNSOLICITED_RESPONSE/4096", "READ/RESPONSE/0", "COLD_RESTART//"}
	if len(got) != len(want) {
		t.Fatalf("got %v want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("line %d = %s, want %s", i, got[i], want[i])
		}
	}
}

func TestAnomalies(t *testing.T) {
	badHeader := append([]byte(nil), readClass0...)
	badHeader[8] ^= 0xff
	badData := append([]byte(nil), readClass0...)
	badData[len(badData)-1] ^= 0xff
	badLen := linkFrame(0xc4, 4, 3, nil)
	badLen[2] = 3
	cc := crc16(badLen[:8])
	badLen[8], badLen[9] = byte(cc), byte(cc>>8)
	// Two segments where the second has the wrong transport sequence number.
	seg1 := linkFrame(0xc4, 4, 3, []byte{tpFIR | 0, 0xc0, 0x01})
	seg3 := linkFrame(0xc4, 4, 3, []byte{tpFIN | 2, 0x3c, 0x01, 0x06})
	tooMany := []byte{0xc0, 0x01}
	for i := 0; i < 30; i++ {
		tooMany = append(tooMany, 0x3c, 0x02, 0x06)
	}
	tests := []struct {
		name string
		dir  dissect.Dir
		in   []byte
		cfg  func(*Config)
		want string
	}{
		{"bad header crc", dissect.Orig, badHeader, nil, weirdBadCRC},
		{"bad data crc", dissect.Orig, badData, nil, weirdBadCRC},
		{"bad link length", dissect.Orig, badLen, nil, weirdBadLinkLength},
		{"unknown function", dissect.Orig, req(0xc0, 0x40), nil, weirdUnknownFunction},
		{"unknown group", dissect.Orig, req(0xc0, 0x01, 0xff, 0x00, 0x06), nil, weirdUnknownGroup},
		{"unknown variation", dissect.Resp, resp(0xc0, 0x81, 0, 0, 0x01, 0x09, 0x00, 0, 0), nil, weirdUnknownObject},
		{"truncated object", dissect.Resp, resp(0xc0, 0x81, 0, 0, 0x1e, 0x01, 0x00, 0, 3, 1, 2), nil, weirdTruncatedObject},
		{"bad qualifier", dissect.Orig, req(0xc0, 0x01, 0x3c, 0x04, 0xed), nil, weirdBadQualifier},
		{"bad range", dissect.Resp, resp(0xc0, 0x81, 0, 0, 0x01, 0x02, 0x00, 5, 2), nil, weirdBadRange},
		{"too many objects", dissect.Orig, req(tooMany...), func(c *Config) { c.MaxObjects = 10 }, weirdTooManyObjects},
		{"too many points", dissect.Resp, resp(0xc0, 0x81, 0, 0, 0x01, 0x01, 0x01, 0, 0, 0xff, 0xff), nil, weirdTooManyObjects},
		{"transport sequence", dissect.Orig, append(seg1, seg3...), nil, weirdTransportSeq},
		{"first segment missing", dissect.Orig, seg3, nil, weirdFirstMissing},
		{"garbage", dissect.Orig, append([]byte("garbage!"), readClass0...), nil, weirdLacksMagic},
		{"app header short", dissect.Resp, resp(0xc0, 0x81, 0x00), nil, weirdTruncatedAppHdr},
		{"secondary frame with data", dissect.Orig, linkFrame(0x00, 4, 3, []byte{0xc0, 0xc0, 0x01}), nil, weirdUnexpectedData},
	}
	for _, tt := range tests {
		cfg := DefaultConfig()
		if tt.cfg != nil {
			tt.cfg(&cfg)
		}
		env, c := dissecttest.NewEnv("dnp3", dissecttest.Flow(6, 20000))
		p := NewParser(env, cfg)
		n, err := p.Parse(tt.dir, tt.in)
		if err != nil || n != len(tt.in) {
			t.Errorf("%s: Parse = %d/%d, %v", tt.name, n, len(tt.in), err)
		}
		if w := c.WeirdCounts(); w[tt.want] != 1 {
			t.Errorf("%s: weirds %v, want one %s", tt.name, w, tt.want)
		}
	}
}

func TestFragmentTooLarge(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxFragment = 300
	env, c := dissecttest.NewEnv("dnp3", dissecttest.Flow(6, 20000))
	p := NewParser(env, cfg)
	app := append([]byte{0xc0, 0x02}, bytes.Repeat([]byte{0x3c, 0x02, 0x06}, 200)...)
	p.Parse(dissect.Orig, req(app...))
	if w := c.WeirdCounts(); w[weirdFragmentTooLarge] != 1 {
		t.Errorf("weirds %v", w)
	}
	if len(c.Logs("dnp3")) != 0 {
		t.Error("dropped fragment still parsed")
	}
}

func TestUnsolicitedWithoutEnable(t *testing.T) {
	p, c := newTest(t, 6)
	disable := req(0xc0, 0x15, 0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06)
	enable := req(0xc0, 0x14, 0x3c, 0x02, 0x06)
	unsol := resp(0xf0, 0x82, 0x00, 0x00, 0x02, 0x01, 0x17, 0x01, 0x00, 0x81)
	null := resp(0xf0, 0x82, 0x00, 0x00)
	p.Parse(dissect.Resp, unsol) // state unknown: fine
	p.Parse(dissect.Orig, disable)
	p.Parse(dissect.Resp, null) // null unsolicited: always allowed
	p.Parse(dissect.Resp, unsol)
	p.Parse(dissect.Orig, enable)
	p.Parse(dissect.Resp, unsol)
	if w := c.WeirdCounts(); w[weirdUnsolDisabled] != 1 || len(w) != 1 {
		t.Errorf("weirds %v", w)
	}
}

func TestUnmatchedResponse(t *testing.T) {
	p, c := newTest(t, 6)
	p.Parse(dissect.Resp, resp(0xc5, 0x81, 0, 0)) // before any request: capture started mid-flow
	p.Parse(dissect.Orig, req(0xc1, 0x01, 0x3c, 0x01, 0x06))
	p.Parse(dissect.Resp, resp(0xc1, 0x81, 0, 0))
	p.Parse(dissect.Resp, resp(0xc7, 0x81, 0, 0)) // seq 7: nobody asked
	if w := c.WeirdCounts(); w[weirdUnmatched] != 1 || len(w) != 1 {
		t.Errorf("weirds %v", w)
	}
}

func TestMultiFrameFragment(t *testing.T) {
	// A response of 600 bytes: three transport segments.
	app := []byte{0xc3, 0x81, 0x00, 0x00, 0x1e, 0x04, 0x01, 0x00, 0x00, 0x2a, 0x01} // g30v4 q01 0..298
	for i := 0; i < 299; i++ {
		app = append(app, byte(i), 0)
	}
	frames := resp(app...)
	p, c := newTest(t, 6)
	p.Parse(dissect.Resp, frames)
	objs := c.Logs("dnp3_objects")
	if len(objs) != 1 || objs[0].Get("object_count") != "299" || objs[0].Get("range_high") != "298" {
		t.Fatalf("objects %v weirds %v", objs, c.WeirdCounts())
	}
	if p.env.PDUs != 3 {
		t.Errorf("PDUs %d, want 3 frames", p.env.PDUs)
	}
}

func TestUDP(t *testing.T) {
	p, c := newTest(t, 17)
	two := append(append([]byte(nil), readClass0...), readClass0...)
	if n, _ := p.Parse(dissect.Orig, two); n != len(two) {
		t.Fatalf("n = %d", n)
	}
	if n, _ := p.Parse(dissect.Resp, readClass0Resp[:20]); n != 20 {
		t.Fatalf("n = %d", n)
	}
	if w := c.WeirdCounts(); w[weirdTruncatedFrame] != 1 {
		t.Errorf("weirds %v", w)
	}
	p.Parse(dissect.Resp, readClass0Resp)
	if l := c.Logs("dnp3"); len(l) != 1 || l[0].Get("fc_request") != "READ" {
		t.Errorf("dnp3 %v", l)
	}
}

func TestNewParserInvalidConfig(t *testing.T) {
	env, _ := dissecttest.NewEnv("dnp3", dissecttest.Flow(6, 20000))
	p := NewParser(env, Config{MaxFragment: 1}).(*parser)
	if p.cfg.MaxFragment != DefaultConfig().MaxFragment || p.cfg.CheckCRC {
		t.Errorf("cfg %+v", p.cfg)
	}
	if (Config{MaxFragment: 2048}).Validate() == nil {
		t.Error("zero MaxObjects accepted")
	}
	if DefaultConfig().Validate() != nil {
		t.Error("defaults invalid")
	}
}
