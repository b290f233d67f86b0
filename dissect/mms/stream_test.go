package mms

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// The segmentation matrix: framing must not depend on how TCP cut the stream.
func TestSegmentation(t *testing.T) {
	a, b := data(readReq), data(writeReq)
	two := cat(a, b)
	tests := []struct {
		name    string
		feed    func(t *testing.T, s *dissecttest.Stream)
		records int
	}{
		{"one PDU over two segments", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, a[:3])
			if s.Pending(dissect.Orig) != 3 {
				t.Errorf("pending %d after a partial header, want 3", s.Pending(dissect.Orig))
			}
			s.Write(t, dissect.Orig, a[3:])
		}, 1},
		{"split inside the body", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, a[:20])
			s.Write(t, dissect.Orig, a[20:])
		}, 1},
		{"two PDUs in one segment", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, two)
		}, 2},
		{"one and a half PDUs", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, two[:len(a)+5])
			if s.Pending(dissect.Orig) != 5 {
				t.Errorf("pending %d, want 5", s.Pending(dissect.Orig))
			}
			s.Write(t, dissect.Orig, two[len(a)+5:])
		}, 2},
		{"byte at a time", func(t *testing.T, s *dissecttest.Stream) {
			for _, c := range cat(cr, connect(initReq, false), two) {
				s.Write(t, dissect.Orig, []byte{c})
			}
		}, 3},
		{"gap then resync", func(t *testing.T, s *dissecttest.Stream) {
			// Half a PDU, a hole, then the tail of another PDU: the parser must skip to the
			// next TPKT header and decode from there.
			s.Write(t, dissect.Orig, a[:12])
			s.Gap(dissect.Orig, 30)
			s.Write(t, dissect.Orig, cat(b[9:], a))
		}, 1},
		{"gap then resync byte at a time", func(t *testing.T, s *dissecttest.Stream) {
			s.Gap(dissect.Orig, 7)
			for _, c := range cat([]byte{0x99, 0x03, 0x00, 0x17}, a, b) {
				s.Write(t, dissect.Orig, []byte{c})
			}
		}, 2},
		{"gap inside a fragmented TSDU", func(t *testing.T, s *dissecttest.Stream) {
			p := cat([]byte{0x01, 0x00, 0x01, 0x00}, fullyEncoded(ctxMMS, readReq))
			s.Write(t, dissect.Orig, dtMore(p[:10]))
			s.Gap(dissect.Orig, 20)
			s.Write(t, dissect.Orig, cat(dt(p[30:]), b))
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, c := dissecttest.NewEnv("mms", dissecttest.Flow(6, 102))
			s := &dissecttest.Stream{P: newParser(env)}
			tc.feed(t, s)
			if n := len(c.Logs("mms")); n != tc.records {
				t.Errorf("mms.log: %d lines, want %d", n, tc.records)
			}
			if n := s.Pending(dissect.Orig); n != 0 {
				t.Errorf("%d bytes pending, want 0", n)
			}
			for _, r := range c.Logs("mms") {
				switch r.Get("service") {
				case "read", "write", "":
				default:
					t.Errorf("resync produced a bogus PDU: %s", r.Raw)
				}
			}
			for _, w := range c.WeirdNames() {
				if w != WeirdResync && w != WeirdTPKTVersion && w != WeirdUnmatched {
					t.Errorf("weird %s", w)
				}
			}
		})
	}
}
