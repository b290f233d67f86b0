package srtp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// msg builds a 56-byte SRTP message (layout of Wireshark's ge_srtp dissector) with set
// bytes given as offset, value pairs, followed by text.
func msg(ptype byte, seq uint16, mbxSeq, mbxType byte, text []byte, set ...int) []byte {
	b := make([]byte, msgLen, msgLen+len(text))
	b[0] = ptype                                     // packet type
	b[2], b[3] = byte(seq), byte(seq>>8)             // sequence number (LE)
	b[4], b[5] = byte(len(text)), byte(len(text)>>8) // text length
	b[30], b[31] = mbxSeq, mbxType                   // mailbox sequence and type
	b[36], b[37] = 0x10, 0x0e                        // mailbox destination: CPU slot 1
	for i := 0; i+1 < len(set); i += 2 {
		b[set[i]] = byte(set[i+1])
	}
	return append(b, text...)
}

var (
	initReq  = make([]byte, msgLen)
	initResp = msg(typeInitResponse, 0, 0, 0, nil)
	// readR: Read System Memory (0x04) of %R (0x08), offset 0, 4 words.
	readR = msg(typeRequest, 2, 1, mbxInitial, nil, 42, 0x04, 43, 0x08, 44, 0x00, 46, 0x04)
	// readRResp: completion ACK with text (8 bytes), PLC status word: state RUN_IO_ENABLED.
	readRResp = msg(typeResponse, 2, 1, mbxAckWithText, []byte{1, 0, 2, 0, 3, 0, 4, 0}, 42, 8, 54, 0x00, 55, 0x01)
	// writeQ: Write System Memory (0x07) of %Q bits (0x48) at 16, 1 point.
	writeQ     = msg(typeRequest, 3, 2, mbxInitial, nil, 42, 0x07, 43, 0x48, 44, 16, 46, 1, 48, 1)
	writeQResp = msg(typeResponse, 3, 2, mbxAck, nil, 55, 0x00)
	// stop: Set PLC State (0x23) to STOP_IO_ENABLED (6); the PLC answers with state 6.
	stop     = msg(typeRequest, 4, 3, mbxInitial, nil, 42, 0x23, 43, 6)
	stopResp = msg(typeResponse, 4, 3, mbxAck, nil, 55, 0x60)
	// nack: an error NACK (major 5 service request error, minor 0xf0 only valid in stop mode).
	nack = msg(typeResponse, 5, 4, mbxErrorNack, nil, 42, 5, 43, 0xf0)
)

func dirOf(b []byte) dissect.Dir {
	if b[0] == typeInitResponse || b[0] == typeResponse {
		return dissect.Resp
	}
	return dissect.Orig
}

func run(t testing.TB, msgs ...[]byte) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("srtp", dissecttest.Flow(6, Port))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, m := range msgs {
		if err := s.Write(t, dirOf(m), m); err != nil {
			t.Fatal(err)
		}
	}
	s.P.Close()
	return c
}

func TestMessages(t *testing.T) {
	c := run(t, initReq, initResp, readR, readRResp, writeQ, writeQResp, stop, stopResp)
	logs := c.Logs(logSRTP)
	if len(logs) != 8 {
		t.Fatalf("%d records", len(logs))
	}
	dissecttest.Want(t, "init", logs[0], "packet_type", "INIT_REQUEST", "is_orig", "true", "mailbox_type", "")
	dissecttest.Want(t, "read", logs[2], "packet_type", "REQUEST", "sequence_number", "2", "mailbox_sequence", "1",
		"mailbox_type", "INITIAL_REQUEST", "mailbox_destination", "0x00000e10", "service_request_code", "0x04",
		"service_request", "READ_SYSTEM_MEMORY", "segment_selector", "0x08", "memory", "%R", "offset", "0", "length", "4")
	dissecttest.Want(t, "read response", logs[3], "is_orig", "false", "mailbox_type", "COMPLETION_ACK_WITH_TEXT",
		"text_length", "8", "service_request", "READ_SYSTEM_MEMORY", "plc_state", "RUN_IO_ENABLED")
	dissecttest.Want(t, "write", logs[4], "service_request", "WRITE_SYSTEM_MEMORY", "memory", "%Q", "offset", "16")
	dissecttest.Want(t, "stop", logs[6], "service_request", "SET_PLC_STATE", "requested_plc_state", "STOP_IO_ENABLED")
	dissecttest.Want(t, "stop response", logs[7], "plc_state", "STOP_IO_ENABLED", "status_code", "0")
	kinds := map[string]string{}
	for _, e := range c.Events {
		kinds[e.Kind] = e.Detail
	}
	if kinds[dissect.EvWrite] != "WRITE_SYSTEM_MEMORY" || kinds[dissect.EvPLCStop] != "SET_PLC_STATE" {
		t.Errorf("events %+v", c.Events)
	}
	var modes []string
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrPLCMode {
			modes = append(modes, f.Value)
		}
	}
	if len(modes) != 2 || modes[0] != "run" || modes[1] != "stop" {
		t.Errorf("plc modes %v", modes)
	}
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
}

func TestNack(t *testing.T) {
	c := run(t, nack)
	dissecttest.Want(t, "nack", c.Logs(logSRTP)[0], "mailbox_type", "ERROR_NACK", "major_error_status", "5", "minor_error_status", "0xf0")
	if w := c.WeirdNames(); len(w) != 1 || w[0] != weirdUnmatched {
		t.Errorf("weirds %v", w)
	}
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"init", initReq, dissect.Match},
		{"init response", initResp, dissect.Match},
		{"request", readR, dissect.Match},
		{"partial", readR[:30], dissect.NeedMore},
		{"zeros then data", append(make([]byte, 40), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16), dissect.NoMatch},
		{"bad mailbox type", msg(typeRequest, 1, 1, 0x42, nil), dissect.NoMatch},
		{"unknown service", msg(typeRequest, 1, 1, mbxInitial, nil, 42, 0xee), dissect.NoMatch},
		{"HTTP", []byte("GET / HTTP/1.1\r\n\r\n"), dissect.NoMatch},
		{"TLS", []byte{0x16, 0x03, 0x01, 0x00}, dissect.NoMatch},
	}
	for _, tc := range tests {
		if got := Probe(dissect.Orig, tc.b); got != tc.want {
			t.Errorf("%s: Probe = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestSegmentation(t *testing.T) {
	dissecttest.Matrix{Name: "srtp", Port: Port, New: newParser, Log: logSRTP,
		First: readR, Second: writeQ, Cut: 20, GapAt: 10, GapLen: 30,
		CheckEach: func(t *testing.T, r dissecttest.Rec) {
			if n := r.Get("service_request"); n != "READ_SYSTEM_MEMORY" && n != "WRITE_SYSTEM_MEMORY" {
				t.Errorf("bogus message %s", r.Raw)
			}
		}}.Run(t)
}

func TestNonSRTP(t *testing.T) {
	env, c := dissecttest.NewEnv("srtp", dissecttest.Flow(6, Port))
	s := &dissecttest.Stream{P: newParser(env)}
	junk := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if Probe(dissect.Orig, junk) != dissect.NoMatch {
		t.Error("probe matched HTTP")
	}
	for i := 0; i < 100; i++ {
		s.Write(t, dissect.Orig, junk)
	}
	if s.Pending(dissect.Orig) > msgLen || len(c.Logs(logSRTP)) != 0 || len(c.WeirdNames()) != 1 {
		t.Errorf("pending %d, records %d, weirds %v", s.Pending(dissect.Orig), len(c.Logs(logSRTP)), c.WeirdNames())
	}
}

func FuzzParse(f *testing.F) {
	chunk, seed := dissecttest.Chunk, dissecttest.Seed
	f.Add(seed(chunk(0, initReq), chunk(1, initResp), chunk(0, readR), chunk(1, readRResp), chunk(0, stop), chunk(1, stopResp)))
	f.Add(seed(chunk(0, writeQ[:20]), chunk(0xff, []byte{1, 2}), chunk(0, writeQ), chunk(1, nack)))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "srtp", data, 70000)
	})
}

var typical = [][]byte{readR, readRResp, writeQ, writeQResp}

func TestSteadyStateAllocs(t *testing.T) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, Port), Name: "srtp", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env)
	cycle := func() {
		for _, m := range typical {
			if n, _ := p.Parse(dirOf(m), m); n != len(m) {
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
	env := &dissect.Env{Flow: dissecttest.Flow(6, Port), Name: "srtp", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, m := range typical {
			p.Parse(dirOf(m), m)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
}
