package modbus

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// The segmentation matrix: framing must not depend on how TCP cut the stream.
func TestSegmentation(t *testing.T) {
	two := cat(readHoldingReq, readCoilsReq)
	tests := []struct {
		name    string
		feed    func(t *testing.T, s *dissecttest.Stream)
		modbus  int
		pending int
	}{
		{"one PDU over two segments", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, readHoldingReq[:5])
			if s.Pending(dissect.Orig) != 5 {
				t.Errorf("pending %d after a partial header, want 5", s.Pending(dissect.Orig))
			}
			s.Write(t, dissect.Orig, readHoldingReq[5:])
		}, 1, 0},
		{"split inside the body", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Resp, readHoldingResp[:12])
			s.Write(t, dissect.Resp, readHoldingResp[12:])
		}, 1, 0},
		{"two PDUs in one segment", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, two)
		}, 2, 0},
		{"one and a half PDUs", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, two[:len(readHoldingReq)+3])
			if s.Pending(dissect.Orig) != 3 {
				t.Errorf("pending %d, want 3", s.Pending(dissect.Orig))
			}
			s.Write(t, dissect.Orig, two[len(readHoldingReq)+3:])
		}, 2, 0},
		{"byte at a time", func(t *testing.T, s *dissecttest.Stream) {
			for _, b := range cat(two, readHoldingReq) {
				s.Write(t, dissect.Orig, []byte{b})
			}
		}, 3, 0},
		{"gap then resync", func(t *testing.T, s *dissecttest.Stream) {
			// The first half of a request arrives, then bytes are lost: the tail of that
			// request and the start of the next are garbage to the parser, which must find
			// the third request's header and parse from there.
			s.Write(t, dissect.Orig, readHoldingReq[:9])
			s.Gap(dissect.Orig, 40)
			s.Write(t, dissect.Orig, cat(readCoilsReq[4:], readHoldingReq))
		}, 1, 0},
		{"gap then resync byte at a time", func(t *testing.T, s *dissecttest.Stream) {
			s.Gap(dissect.Orig, 7)
			for _, b := range cat([]byte{0x99, 0x00, 0x00, 0x17}, readCoilsReq, readHoldingReq) {
				s.Write(t, dissect.Orig, []byte{b})
			}
		}, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, c := dissecttest.NewEnv("modbus", dissecttest.Flow(6, 502))
			s := &dissecttest.Stream{P: newParser(env)}
			tc.feed(t, s)
			if n := len(c.Logs("modbus")); n != tc.modbus {
				t.Errorf("modbus.log: %d lines, want %d", n, tc.modbus)
			}
			if n := s.Pending(dissect.Orig) + s.Pending(dissect.Resp); n != tc.pending {
				t.Errorf("%d bytes pending, want %d", n, tc.pending)
			}
			if w := c.WeirdNames(); len(w) != 0 {
				t.Errorf("weirds %v", w)
			}
			for _, r := range c.Logs("modbus") {
				if f := r.Get("func"); f != "READ_HOLDING_REGISTERS" && f != "READ_COILS" {
					t.Errorf("resync produced a bogus PDU: %s", r.Raw)
				}
			}
		})
	}
}

// A peer that sends an impossible header followed by garbage must not make the parser wait:
// it drops what cannot start a header and keeps only a header's worth of bytes.
func TestGarbageDoesNotAccumulate(t *testing.T) {
	env, c := dissecttest.NewEnv("modbus", dissecttest.Flow(6, 502))
	s := &dissecttest.Stream{P: newParser(env)}
	junk := make([]byte, 4000)
	for i := range junk {
		junk[i] = byte(i*7 + 1)
	}
	junk[2], junk[3] = 0x12, 0x34 // protocol id != 0
	for i := 0; i < 20; i++ {
		s.Write(t, dissect.Orig, junk)
		if s.Pending(dissect.Orig) > mbapLen {
			t.Fatalf("%d bytes pending after garbage, want at most %d", s.Pending(dissect.Orig), mbapLen)
		}
	}
	if n := c.WeirdCounts()[weirdInvalidProtocolID]; n != 1 {
		t.Errorf("%d protocol id weirds, want 1 per loss of sync", n)
	}
	s.Write(t, dissect.Orig, readHoldingReq)
	if n := len(c.Logs("modbus")); n != 1 {
		t.Errorf("modbus.log: %d lines after garbage then a valid ADU, want 1", n)
	}
}

// Non-Modbus payloads seen on port 502 (zeek modbus_and_non_modbus_on_port_502 and
// everyday scanners): the probe rejects them from either side.
func TestProbeRejectsNonModbus(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
	}{
		{"DCE/RPC bind", []byte{0x05, 0x00, 0x0b, 0x03, 0x10, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00, 0x01, 0x00}},
		{"DCE/RPC reply", []byte{0x05, 0x00, 0x0b, 0x03, 0x00, 0x03, 0x00, 0x80, 0x01}},
		{"TLS client hello", []byte{0x16, 0x03, 0x01, 0x00, 0x85, 0x01, 0x00, 0x00, 0x81, 0x03, 0x03}},
		{"HTTP GET", []byte("GET / HTTP/1.1\r\nHost: 160.97.70.34\r\n\r\n")},
		{"scanner banner", []byte("MGLNDD_160.97.70.36_502\n")},
		{"RDP cookie", []byte{0x03, 0x00, 0x00, 0x2b, 0x26, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x43, 0x6f, 0x6f, 0x6b}},
		{"ONC RPC", []byte{0x80, 0x00, 0x00, 0x28, 0x7e, 0x86, 0xab, 0x4a, 0x00, 0x00, 0x00, 0x00}},
		{"zero length", []byte{0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03}},
		{"reserved function 0", adu(1, 1, 0x00, 0, 0, 0, 1)},
		{"valid ADU then garbage header", cat(readHoldingReq, []byte{0x47, 0x45, 0x54, 0x20, 0x2f, 0x20, 0x48, 0x54})},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, dir := range []dissect.Dir{dissect.Orig, dissect.Resp} {
				if v := Probe(dir, tc.b); v != dissect.NoMatch {
					t.Errorf("Probe(%s) = %v, want NoMatch", dir, v)
				}
			}
			// Even if a parser were attached, nothing would be logged as Modbus.
			c, _ := run(t, req(tc.b), resp(tc.b))
			for _, log := range []string{"modbus", "modbus_detailed"} {
				if tc.name != "reserved function 0" && tc.name != "unassigned function 0x37" &&
					tc.name != "valid ADU then garbage header" && len(c.Logs(log)) != 0 {
					t.Errorf("%s.log has %d lines", log, len(c.Logs(log)))
				}
			}
		})
	}
}

func TestProbeAccepts(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"request", readHoldingReq, dissect.Match},
		{"response", readHoldingResp, dissect.Match},
		{"exception", exceptionResp, dissect.Match},
		{"two ADUs", cat(readHoldingReq, readCoilsReq), dissect.Match},
		{"partial header", readHoldingReq[:5], dissect.NeedMore},
		{"partial ADU", readHoldingResp[:12], dissect.NeedMore},
		{"user-defined function 65", adu(1, 1, 65, 1, 2, 3), dissect.Match},
	}
	for _, tc := range tests {
		if v := Probe(dissect.Orig, tc.b); v != tc.want {
			t.Errorf("%s: Probe = %v, want %v", tc.name, v, tc.want)
		}
	}
	f := dissect.Lookup("modbus")
	if f == nil || f.Transport != dissect.TCP || len(f.Ports) != 1 || f.Ports[0] != 502 || f.Name != "modbus" {
		t.Fatalf("factory %+v", f)
	}
}

// An undefined function code on a valid MBAP header is Modbus with an illegal function (what
// fuzzers and attackers send): it is claimed, then reported as an anomaly.
func TestProbeClaimsUnassignedFunction(t *testing.T) {
	if v := Probe(dissect.Orig, adu(1, 1, 0x37, 0, 0, 0, 1)); v != dissect.Match {
		t.Fatalf("Probe = %v, want Match", v)
	}
}
