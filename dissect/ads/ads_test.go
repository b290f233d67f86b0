package ads

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// frame builds an AMS/TCP frame: AMS/TCP header, AMS header (TE1000 layout, little-endian)
// from client 192.168.1.10.1.1:32905 to PLC 5.1.2.3.1.1:851, then data.
func frame(cmd, flags uint16, invoke uint32, data ...byte) []byte {
	n := amsLen + len(data)
	b := []byte{
		0x00, 0x00, // AMS/TCP reserved
		byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24), // length
		5, 1, 2, 3, 1, 1, // target NetId
		0x53, 0x03, // target port 851
		192, 168, 1, 10, 1, 1, // source NetId
		0x89, 0x80, // source port 32905
		byte(cmd), byte(cmd >> 8), // command id
		byte(flags), byte(flags >> 8), // state flags
		byte(len(data)), byte(len(data) >> 8), byte(len(data) >> 16), 0, // data length
		0, 0, 0, 0, // error code
		byte(invoke), byte(invoke >> 8), byte(invoke >> 16), byte(invoke >> 24),
	}
	if flags&flagResponse != 0 { // responses travel the other way: swap the addresses
		copy(b[6:14], []byte{192, 168, 1, 10, 1, 1, 0x89, 0x80})
		copy(b[14:22], []byte{5, 1, 2, 3, 1, 1, 0x53, 0x03})
	}
	return append(b, data...)
}

var (
	// readReq: Read index group 0x4020 (%M), offset 0, 4 bytes.
	readReq  = frame(cmdRead, 0x0004, 1, 0x20, 0x40, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0)
	readResp = frame(cmdRead, 0x0005, 1, 0, 0, 0, 0, 4, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef)
	// writeReq: Write 2 bytes at 0x4020/8.
	writeReq  = frame(cmdWrite, 0x0004, 2, 0x20, 0x40, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 0x01, 0x00)
	writeResp = frame(cmdWrite, 0x0005, 2, 0, 0, 0, 0)
	// stopReq: Write Control to ADS state STOP (6), device state 0.
	stopReq = frame(cmdWriteControl, 0x0004, 3, 6, 0, 0, 0, 0, 0, 0, 0)
	// infoReq / infoResp: Read Device Info → 3.1.4024 "Plc30 App".
	infoReq  = frame(cmdReadDeviceInfo, 0x0004, 4)
	infoResp = frame(cmdReadDeviceInfo, 0x0005, 4, append([]byte{0, 0, 0, 0, 3, 1, 0xb8, 0x0f}, []byte("Plc30 App\x00\x00\x00\x00\x00\x00\x00")...)...)
	// stateReq / stateResp: Read State → RUN (5), device state 0.
	stateReq  = frame(cmdReadState, 0x0004, 5)
	stateResp = frame(cmdReadState, 0x0005, 5, 0, 0, 0, 0, 5, 0, 0, 0)
)

func dirOf(b []byte) dissect.Dir {
	if len(b) > 24 && b[24]&1 != 0 {
		return dissect.Resp
	}
	return dissect.Orig
}

func run(t testing.TB, frames ...[]byte) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("ads", dissecttest.Flow(6, PortTCP))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, f := range frames {
		if err := s.Write(t, dirOf(f), f); err != nil {
			t.Fatal(err)
		}
	}
	s.P.Close()
	return c
}

func TestFrames(t *testing.T) {
	c := run(t, readReq, readResp, writeReq, writeResp, stopReq, infoReq, infoResp, stateReq, stateResp)
	logs := c.Logs(logADS)
	if len(logs) != 9 {
		t.Fatalf("%d records", len(logs))
	}
	dissecttest.Want(t, "read", logs[0], "is_orig", "true", "target_net_id", "5.1.2.3.1.1", "target_port", "851",
		"source_net_id", "192.168.1.10.1.1", "source_port", "32905", "command_id", "2", "command", "READ",
		"pdu_type", "request", "state_flags", "0x0004", "data_length", "12", "error_code", "0x00000000", "invoke_id", "1",
		"index_group", "0x00004020", "index_offset", "0x00000000", "length", "4")
	dissecttest.Want(t, "read response", logs[1], "is_orig", "false", "pdu_type", "response", "result", "0x00000000", "length", "4",
		"target_net_id", "192.168.1.10.1.1")
	dissecttest.Want(t, "write control", logs[4], "command", "WRITE_CONTROL", "ads_state", "STOP", "device_state", "0")
	dissecttest.Want(t, "device info", logs[6], "version", "3.1.4024", "device_name", "Plc30 App")
	dissecttest.Want(t, "read state", logs[8], "ads_state", "RUN")
	facts := map[string]string{}
	for _, f := range c.Facts {
		facts[f.Attr] = f.Value
	}
	for attr, want := range map[string]string{dissect.AttrSoftware: "Plc30 App", dissect.AttrFirmware: "3.1.4024",
		dissect.AttrPLCMode: "run", dissect.AttrStationAddr: "5.1.2.3.1.1"} {
		if facts[attr] != want {
			t.Errorf("fact %s = %q, want %q", attr, facts[attr], want)
		}
	}
	kinds := map[string]string{}
	for _, e := range c.Events {
		kinds[e.Kind] = e.Detail
	}
	if kinds[dissect.EvWrite] != "WRITE" || kinds[dissect.EvPLCStop] != "STOP" {
		t.Errorf("events %+v", c.Events)
	}
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
}

func TestUnmatchedAndError(t *testing.T) {
	bad := frame(cmdWrite, 0x0005, 9, 0x05, 0x07, 0, 0) // ADS error 0x705
	c := run(t, writeReq, bad)
	if w := c.WeirdNames(); len(w) != 1 || w[0] != weirdUnmatched {
		t.Errorf("weirds %v", w)
	}
	dissecttest.Want(t, "error", c.Logs(logADS)[1], "result", "0x00000705")
}

// A large read response is handled from its first bytes and the rest skipped unbuffered.
func TestLargeFrame(t *testing.T) {
	big := frame(cmdRead, 0x0005, 1, append([]byte{0, 0, 0, 0, 0x00, 0x00, 0x02, 0x00}, make([]byte, 0x20000)...)...)
	env, c := dissecttest.NewEnv("ads", dissecttest.Flow(6, PortTCP))
	s := &dissecttest.Stream{P: newParser(env)}
	s.Write(t, dissect.Orig, readReq)
	for i := 0; i < len(big); i += 1400 {
		s.Write(t, dissect.Resp, big[i:min(len(big), i+1400)])
		if s.Pending(dissect.Resp) > 200 {
			t.Fatalf("%d bytes pending inside a large frame", s.Pending(dissect.Resp))
		}
	}
	s.Write(t, dissect.Resp, stateResp)
	if n := len(c.Logs(logADS)); n != 3 {
		t.Errorf("%d records, want 3", n)
	}
	dissecttest.Want(t, "big", c.Logs(logADS)[1], "length", "131072")
}

func TestUDP(t *testing.T) {
	env, c := dissecttest.NewEnv("ads", dissecttest.Flow(17, PortUDP))
	p := newParser(env)
	// Router service "server info" request and reply (magic, invoke, service, NetId, port, tags).
	reqB := []byte{0x03, 0x66, 0x14, 0x71, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0x27, 0, 0, 0, 0}
	respB := []byte{0x03, 0x66, 0x14, 0x71, 0, 0, 0, 0, 1, 0, 0, 0x80, 5, 1, 2, 3, 1, 1, 0x10, 0x27, 2, 0, 0, 0,
		5, 0, 6, 0, 'C', 'X', '-', '1', '2', 0, // tag 5: computer name
		3, 0, 4, 0, 3, 1, 0xb8, 0x0f} // tag 3: TwinCAT 3.1.4024
	p.Parse(dissect.Orig, reqB)
	p.Parse(dissect.Resp, respB)
	// An add-route request with a password in clear.
	route := []byte{0x03, 0x66, 0x14, 0x71, 0, 0, 0, 0, 6, 0, 0, 0, 192, 168, 1, 10, 1, 1, 0x10, 0x27, 2, 0, 0, 0,
		13, 0, 6, 0, 'A', 'd', 'm', 'i', 'n', 0, 2, 0, 2, 0, '1', 0}
	p.Parse(dissect.Orig, route)
	logs := c.Logs(logADS)
	if len(logs) != 3 {
		t.Fatalf("%d records", len(logs))
	}
	dissecttest.Want(t, "reply", logs[1], "command", "UDP_SERVER_INFO", "pdu_type", "response", "host_name", "CX-12",
		"source_net_id", "5.1.2.3.1.1", "tag_count", "2")
	dissecttest.Want(t, "route", logs[2], "command", "UDP_ADD_ROUTE", "user_name", "Admin")
	facts := map[string]string{}
	for _, f := range c.Facts {
		facts[f.Attr] = f.Value
	}
	if facts[dissect.AttrHostname] != "CX-12" || facts[dissect.AttrSoftware] != "TwinCAT 3.1.4024" {
		t.Errorf("facts %+v", c.Facts)
	}
	var pw bool
	for _, e := range c.Events {
		pw = pw || e.Kind == dissect.EvPassword
	}
	if !pw {
		t.Errorf("no password event: %+v", c.Events)
	}
	// AMS over UDP: a bare AMS header.
	p.Parse(dissect.Orig, readReq[amsTCPLen:])
	if n := len(c.Logs(logADS)); n != 4 {
		t.Errorf("AMS over UDP: %d records", n)
	}
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"AMS/TCP read", readReq, dissect.Match},
		{"partial", readReq[:20], dissect.NeedMore},
		{"length disagrees with AMS data length", func() []byte { b := append([]byte(nil), readReq...); b[2]++; return b }(), dissect.NoMatch},
		{"no ADS flag", func() []byte { b := append([]byte(nil), readReq...); b[24] = 0; return b }(), dissect.NoMatch},
		{"UDP magic", []byte{0x03, 0x66, 0x14, 0x71, 0, 0, 0, 0}, dissect.Match},
		{"bare AMS", readReq[amsTCPLen:], dissect.Match},
		{"HTTP", []byte("GET / HTTP/1.1\r\n\r\n"), dissect.NoMatch},
		{"TLS", []byte{0x16, 0x03, 0x01, 0x00, 0x85, 0x01, 0x00, 0x00}, dissect.NoMatch},
		{"zeros", make([]byte, 64), dissect.NoMatch},
	}
	for _, tc := range tests {
		if got := Probe(dissect.Orig, tc.b); got != tc.want {
			t.Errorf("%s: Probe = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestSegmentation(t *testing.T) {
	dissecttest.Matrix{Name: "ads", Port: PortTCP, New: newParser, Log: logADS,
		First: readReq, Second: writeReq, Cut: 10, GapAt: 12, GapLen: 20}.Run(t)
}

func TestNonADS(t *testing.T) {
	env, c := dissecttest.NewEnv("ads", dissecttest.Flow(6, PortTCP))
	s := &dissecttest.Stream{P: newParser(env)}
	junk := []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if Probe(dissect.Orig, junk) != dissect.NoMatch {
		t.Error("probe matched HTTP")
	}
	for i := 0; i < 100; i++ {
		s.Write(t, dissect.Orig, junk)
	}
	if s.Pending(dissect.Orig) > amsTCPLen+amsLen || len(c.Logs(logADS)) != 0 || len(c.WeirdNames()) != 1 {
		t.Errorf("pending %d, records %d, weirds %v", s.Pending(dissect.Orig), len(c.Logs(logADS)), c.WeirdNames())
	}
}

func FuzzParse(f *testing.F) {
	chunk, seed := dissecttest.Chunk, dissecttest.Seed
	f.Add(seed(chunk(0, readReq), chunk(1, readResp), chunk(0, writeReq), chunk(1, writeResp), chunk(0, infoReq), chunk(1, infoResp)))
	f.Add(seed(chunk(0, stopReq[:9]), chunk(0xff, []byte{1, 2}), chunk(0, stateReq), chunk(1, stateResp)))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "ads", data, 70000)
	})
}

var typical = [][]byte{readReq, readResp, writeReq, writeResp, stateReq, stateResp, infoReq, infoResp}

func TestSteadyStateAllocs(t *testing.T) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, PortTCP), Name: "ads", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env)
	cycle := func() {
		for _, f := range typical {
			if n, _ := p.Parse(dirOf(f), f); n != len(f) {
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
	env := &dissect.Env{Flow: dissecttest.Flow(6, PortTCP), Name: "ads", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, f := range typical {
			p.Parse(dirOf(f), f)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
}
