package hartip

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// Annotated messages (HCF_SPEC-085 §10.3; token-passing PDU HCF_SPEC-081 §5).

// initReq: Session Initiate request, primary host, inactivity timer 30000 ms.
var initReq = []byte{
	0x01,       // version 1
	0x00,       // message type: request
	0x00,       // message id: session initiate
	0x00,       // status
	0x00, 0x01, // sequence number 1
	0x00, 0x0d, // byte count 13
	0x01,                   // host type: primary
	0x00, 0x00, 0x75, 0x30, // inactivity close timer 30000
}

var initResp = []byte{0x01, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0d, 0x01, 0x00, 0x00, 0x75, 0x30}

// cmd0Req: pass-through of HART command 0 to short address 0.
var cmd0Req = []byte{
	0x01, 0x00, 0x03, 0x00, 0x00, 0x02, 0x00, 0x0d, // header: request, pass through, seq 2, 13 bytes
	0x02, // delimiter: STX, short address
	0x80, // address: primary master, polling address 0
	0x00, // command 0
	0x00, // byte count 0
	0x82, // checksum
}

// cmd0Resp: the device answers with its identity (HART 7, 22 data bytes).
var cmd0Resp = []byte{
	0x01, 0x01, 0x03, 0x00, 0x00, 0x02, 0x00, 0x25, // header: response, pass through, seq 2, 37 bytes
	0x06,       // delimiter: ACK, short address
	0x80,       // address
	0x00,       // command 0
	0x18,       // byte count 24: response code, device status, 22 data bytes
	0x00, 0x00, // response code 0, device status 0
	0xfe,       // expansion code 254
	0x26, 0x0c, // expanded device type 0x260c
	0x05, 0x07, // min preambles, HART revision 7
	0x03,             // device revision
	0x02,             // software revision 2
	0x0c,             // hardware revision 1, signaling 4
	0x00,             // flags
	0x12, 0x34, 0x56, // device id
	0x05, 0x04, 0x00, 0x01, 0x00, // preambles, max device variables, config change counter, extended status
	0x00, 0x26, // manufacturer id 38
	0x00, 0x26, 0x00, // private label, device profile
	0x00, // checksum
}

// cmd42Req: device reset, long address.
var cmd42Req = []byte{0x01, 0x00, 0x03, 0x00, 0x00, 0x03, 0x00, 0x11,
	0x82,                         // delimiter: STX, long address
	0xa6, 0x0c, 0x12, 0x34, 0x56, // long address
	0x2a, 0x00, // command 42, byte count 0
	0x00}

func run(t testing.TB, proto uint8, msgs ...[]byte) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("hartip", dissecttest.Flow(proto, Port))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, m := range msgs {
		dir := dissect.Dir(0)
		if len(m) > 1 && m[1] != 0 {
			dir = dissect.Resp
		}
		if proto == 17 {
			s.P.Parse(dir, m)
		} else if err := s.Write(t, dir, m); err != nil {
			t.Fatal(err)
		}
	}
	s.P.Close()
	return c
}

func TestMessages(t *testing.T) {
	c := run(t, 17, initReq, initResp, cmd0Req, cmd0Resp, cmd42Req)
	logs := c.Logs(logHARTIP)
	if len(logs) != 5 {
		t.Fatalf("%d records", len(logs))
	}
	dissecttest.Want(t, "initiate", logs[0], "is_orig", "true", "version", "1", "message_type", "REQUEST",
		"message_id", "SESSION_INITIATE", "status", "0", "sequence_number", "1", "byte_count", "13",
		"host_type", "primary", "inactivity_close_timer", "30000")
	dissecttest.Want(t, "cmd0", logs[2], "message_id", "PASS_THROUGH", "hart_command", "0",
		"hart_command_name", "READ_UNIQUE_IDENTIFIER", "hart_short_address", "0", "hart_response_code", "")
	dissecttest.Want(t, "cmd0 response", logs[3], "is_orig", "false", "message_type", "RESPONSE", "hart_command", "0",
		"hart_response_code", "0", "hart_device_status", "0x00")
	dissecttest.Want(t, "cmd42", logs[4], "hart_command", "42", "hart_command_name", "PERFORM_DEVICE_RESET",
		"hart_long_address", "a60c123456")
	facts := map[string]string{}
	for _, f := range c.Facts {
		facts[f.Attr] = f.Value
	}
	for attr, want := range map[string]string{dissect.AttrProductCode: "0x260c", dissect.AttrFirmware: "2",
		dissect.AttrHardware: "1", dissect.AttrSerial: "1193046", dissect.AttrVendorID: "38"} {
		if facts[attr] != want {
			t.Errorf("fact %s = %q, want %q", attr, facts[attr], want)
		}
	}
	var restart bool
	for _, e := range c.Events {
		restart = restart || e.Kind == dissect.EvRestart && e.Detail == "PERFORM_DEVICE_RESET"
	}
	if !restart {
		t.Errorf("no restart event: %+v", c.Events)
	}
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
}

func TestUnmatchedAndMalformed(t *testing.T) {
	bad := []byte{0x01, 0x00, 0x03, 0x00, 0x00, 0x09, 0x00, 0x0a, 0x05, 0x80} // delimiter 5: not STX/ACK
	c := run(t, 17, initResp, bad)
	if got := c.WeirdCounts(); got[weirdUnmatched] != 1 || got[weirdBadPDU] != 1 {
		t.Errorf("weirds %v", c.WeirdNames())
	}
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"initiate", initReq, dissect.Match},
		{"pass through response", cmd0Resp, dissect.Match},
		{"partial", initReq[:5], dissect.NeedMore},
		{"version 3", []byte{0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x08}, dissect.NoMatch},
		{"unknown message id", []byte{0x01, 0x00, 0x09, 0x00, 0x00, 0x01, 0x00, 0x08}, dissect.NoMatch},
		{"byte count below header", []byte{0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x04}, dissect.NoMatch},
		{"HTTP", []byte("GET / HTTP/1.1\r\n\r\n"), dissect.NoMatch},
		{"TLS", []byte{0x16, 0x03, 0x01, 0x00, 0x85, 0x01, 0x00, 0x00}, dissect.NoMatch},
	}
	for _, tc := range tests {
		if got := Probe(dissect.Orig, tc.b); got != tc.want {
			t.Errorf("%s: Probe = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestSegmentation(t *testing.T) {
	dissecttest.Matrix{Name: "hartip", Port: Port, New: newParser, Log: logHARTIP,
		First: cmd0Req, Second: cmd42Req, Cut: 6, GapAt: 4, GapLen: 5}.Run(t)
}

// Non-HART-IP on 5094: refused by the probe; garbage on a stream never accumulates.
func TestNonHARTIP(t *testing.T) {
	env, c := dissecttest.NewEnv("hartip", dissecttest.Flow(6, Port))
	s := &dissecttest.Stream{P: newParser(env)}
	junk := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if Probe(dissect.Orig, junk) != dissect.NoMatch {
		t.Error("probe matched HTTP")
	}
	for i := 0; i < 100; i++ {
		s.Write(t, dissect.Orig, junk)
	}
	if s.Pending(dissect.Orig) > hdrLen || len(c.Logs(logHARTIP)) != 0 || len(c.WeirdNames()) != 1 {
		t.Errorf("pending %d, records %d, weirds %v", s.Pending(dissect.Orig), len(c.Logs(logHARTIP)), c.WeirdNames())
	}
}

func FuzzParse(f *testing.F) {
	chunk, seed := dissecttest.Chunk, dissecttest.Seed
	f.Add(seed(chunk(0, initReq), chunk(1, initResp), chunk(0, cmd0Req), chunk(1, cmd0Resp), chunk(0, cmd42Req)))
	f.Add(seed(chunk(0, cmd0Req[:3]), chunk(0xff, []byte{1}), chunk(0, cmd42Req)))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "hartip", data, 70000)
	})
}

var typical = [][]byte{cmd0Req, cmd0Resp, initReq, initResp}

func TestSteadyStateAllocs(t *testing.T) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, Port), Name: "hartip", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env)
	cycle := func() {
		for _, m := range typical {
			dir := dissect.Orig
			if m[1] != 0 {
				dir = dissect.Resp
			}
			if n, _ := p.Parse(dir, m); n != len(m) {
				t.Fatalf("Parse = %d", n)
			}
		}
	}
	cycle()
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per cycle, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, Port), Name: "hartip", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, m := range typical {
			dir := dissect.Orig
			if m[1] != 0 {
				dir = dissect.Resp
			}
			p.Parse(dir, m)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
}
