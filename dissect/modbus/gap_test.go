package modbus

import (
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// Regression tests for framing after a bad header and around gaps, as Zeek frames the stream
// (binpac flow buffer). The bytes are those of the client side of Zeek's fuzz-72 trace
// (testing/btest/Traces/modbus/fuzz-72.trace, baseline exception_handling/modbus.log), one
// segment per write, with the holes the engine reports as gaps.

// rows returns the modbus.log lines of c as "tid unit func pdu_type exception".
func rows(c *dissecttest.Capture) []string {
	var out []string
	for _, r := range c.Logs("modbus") {
		out = append(out, strings.Join([]string{r.Get("tid"), r.Get("unit"), r.Get("func"), r.Get("pdu_type"), r.Get("exception")}, " "))
	}
	return out
}

func wantRows(t *testing.T, c *dissecttest.Capture, want ...string) {
	t.Helper()
	if got := rows(c); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("modbus.log:\n got %q\nwant %q", got, want)
	}
}

func newStream() (*dissecttest.Stream, *dissecttest.Capture) {
	env, c := dissecttest.NewEnv("modbus", dissecttest.Flow(6, 502))
	return &dissecttest.Stream{P: newParser(env)}, c
}

// An impossible header with no ADU after it in its segment: the rest of the segment is dropped
// and the next segment is read from its first byte, even when its function code is one no
// resynchronisation would trust (fuzz-72 frames 6, 7, 9: Zeek logs unknown-33 and
// unknown-35, not the unknown-34 behind the zero length).
func TestBadHeaderDropsRestOfSegment(t *testing.T) {
	s, c := newStream()
	// Length 4: the ADU ends two bytes before the segment; those two bytes start the next
	// header, whose length the next segment makes 0.
	s.Write(t, dissect.Orig, []byte{0, 0, 0, 0, 0, 4, 1, 0x21, 0, 0, 0, 0})
	s.Write(t, dissect.Orig, []byte{0, 0, 0, 0, 0, 6, 1, 0x22, 0, 0, 0, 0})
	if n := s.Pending(dissect.Orig); n != 0 {
		t.Errorf("%d bytes kept after an impossible header ending its segment, want 0", n)
	}
	s.Write(t, dissect.Orig, []byte{0x54, 0, 0, 0, 0, 6, 1, 0x23, 0, 0, 0, 0})
	s.Write(t, dissect.Orig, []byte{0, 0, 0, 0, 0, 6, 1, 0x24, 8, 0, 0, 0xaa})
	wantRows(t, c, "0 1 unknown-33 REQ ", "21504 1 unknown-35 REQ ", "0 1 unknown-36 REQ ")
	if n := c.WeirdCounts()[weirdInvalidLength]; n != 1 {
		t.Errorf("%d %s, want 1", n, weirdInvalidLength)
	}
}

// A gap cuts an ADU whose header had arrived: the header is logged (Zeek logs it as soon as it
// has it) and the bytes after the gap complete its body, whatever they are; the start of a
// header cut by the next gap is completed by the bytes after that gap, and a header that then
// turns out impossible drops its segment without a weird (fuzz-72 frames 14, 16-18, 22, 24).
func TestGapCompletesCutADU(t *testing.T) {
	s, c := newStream()
	s.Write(t, dissect.Orig, []byte{0, 0, 0, 0, 0, 0x25, 0, 0x26, 0, 0, 0, 0}) // 12 of 43 bytes
	s.Gap(dissect.Orig, 48)
	wantRows(t, c, "0 0 unknown-38 REQ ")
	s.Write(t, dissect.Orig, []byte{0, 0, 0, 0, 0, 6, 1, 0x2b, 0, 0, 0, 0}) // body of unknown-38
	s.Gap(dissect.Orig, 24)
	s.Write(t, dissect.Orig, []byte{0, 0, 0, 0, 0, 6, 1, 0x2e, 0, 0, 0, 0x11}) // body
	s.Write(t, dissect.Orig, []byte{0, 0, 0, 0, 0, 6, 1, 0x2f, 0, 0, 0, 0})    // 7 of body, 5 of a header
	s.Gap(dissect.Orig, 48)
	s.Write(t, dissect.Orig, []byte{0, 0, 0, 0, 0, 6, 1, 0x34, 0, 0, 0, 0}) // header 2f00 0000 0000: dropped
	s.Gap(dissect.Orig, 12)
	s.Write(t, dissect.Orig, []byte{0, 0, 0, 0, 0, 6, 1, 0x36, 0, 0, 0, 0})
	wantRows(t, c, "0 0 unknown-38 REQ ", "0 1 unknown-54 REQ ")
	if n := c.WeirdCounts()[weirdInvalidLength] + c.WeirdCounts()[weirdInvalidProtocolID]; n != 0 {
		t.Errorf("weirds %v: a header broken by lost bytes is not the sender's anomaly", c.WeirdNames())
	}
	if n := s.Pending(dissect.Orig); n != 0 {
		t.Errorf("%d bytes pending, want 0", n)
	}
}

// The start of a header cut by a gap, completed by bytes that make a valid ADU, is parsed as
// one ADU with its fields intact.
func TestGapCarriedHeader(t *testing.T) {
	s, c := newStream()
	s.Write(t, dissect.Orig, cat(readCoilsReq, readHoldingReq[:5]))
	s.Gap(dissect.Orig, 10)
	s.Write(t, dissect.Orig, cat(readHoldingReq[5:], readCoilsReq))
	wantRows(t, c, "1 4 READ_COILS REQ ", "6 5 READ_HOLDING_REGISTERS REQ ", "1 4 READ_COILS REQ ")
	if n := s.Pending(dissect.Orig); n != 0 {
		t.Errorf("%d bytes pending, want 0", n)
	}
	s.Write(t, dissect.Resp, readHoldingResp)
	var d *dissecttest.Rec
	for _, r := range c.Logs("modbus_detailed") {
		if r.Get("func") == "READ_HOLDING_REGISTERS" {
			d = &r
		}
	}
	if d == nil || d.Get("address") != "1" || d.Get("quantity") != "8" || d.Get("matched") != "true" {
		t.Errorf("detailed %v: the carried request must decode whole", c.Logs("modbus_detailed"))
	}
}

// An exception response cut by a gap is logged once its code has arrived (Zeek logs an
// exception from its body), not from its header alone.
func TestGapCutException(t *testing.T) {
	long := []byte{0, 1, 0, 0, 0, 4, 0, 0x83, 0x02, 0x00} // exception with a trailing byte
	s, c := newStream()
	s.Write(t, dissect.Resp, long[:9])
	s.Gap(dissect.Resp, 5)
	wantRows(t, c, "1 0 READ_HOLDING_REGISTERS_EXCEPTION RESP ILLEGAL_DATA_ADDRESS")

	s, c = newStream()
	s.Write(t, dissect.Resp, long[:8])
	s.Gap(dissect.Resp, 5)
	wantRows(t, c)
}
