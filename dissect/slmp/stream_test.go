package slmp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func TestSegmentation(t *testing.T) {
	two := dissecttest.Cat(readD100, writeM0)
	tests := []struct {
		name string
		feed func(t *testing.T, s *dissecttest.Stream)
		want int
	}{
		{"one frame over two segments", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, readD100[:7])
			s.Write(t, dissect.Orig, readD100[7:])
		}, 1},
		{"two frames in one segment", func(t *testing.T, s *dissecttest.Stream) { s.Write(t, dissect.Orig, two) }, 2},
		{"byte at a time", func(t *testing.T, s *dissecttest.Stream) {
			for _, c := range two {
				s.Write(t, dissect.Orig, []byte{c})
			}
		}, 2},
		{"gap then resync", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, readD100[:10])
			s.Gap(dissect.Orig, 12)
			s.Write(t, dissect.Orig, dissecttest.Cat(writeM0[13:], readD100, writeM0))
		}, 2},
		{"gap then resync byte at a time", func(t *testing.T, s *dissecttest.Stream) {
			s.Gap(dissect.Orig, 3)
			for _, c := range dissecttest.Cat([]byte{0x00, 0x50, 0x00, 0x07}, readD100) {
				s.Write(t, dissect.Orig, []byte{c})
			}
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, c := dissecttest.NewEnv("slmp", dissecttest.Flow(6, 5007))
			s := &dissecttest.Stream{P: newParser(env)}
			tc.feed(t, s)
			logs := c.Logs(logSLMP)
			if len(logs) != tc.want {
				t.Errorf("%d records, want %d", len(logs), tc.want)
			}
			for _, r := range logs {
				if f := r.Get("command"); f != "DEVICE_READ" && f != "DEVICE_WRITE" {
					t.Errorf("bogus frame %s", r.Raw)
				}
			}
			if s.Pending(dissect.Orig) != 0 {
				t.Errorf("%d pending", s.Pending(dissect.Orig))
			}
		})
	}
}

func TestGarbage(t *testing.T) {
	env, c := dissecttest.NewEnv("slmp", dissecttest.Flow(6, 5007))
	s := &dissecttest.Stream{P: newParser(env)}
	junk := make([]byte, 3000)
	for i := range junk {
		junk[i] = byte(i*31 + 3)
	}
	for i := 0; i < 10; i++ {
		s.Write(t, dissect.Orig, junk)
		if s.Pending(dissect.Orig) > hdr4E+maxDataLength {
			t.Fatalf("%d bytes pending", s.Pending(dissect.Orig))
		}
	}
	s.Write(t, dissect.Orig, dissecttest.Cat(readD100, readD100))
	if n := len(c.Logs(logSLMP)); n < 1 {
		t.Errorf("no record after garbage then frames")
	}
	if w := c.WeirdNames(); len(w) != 1 {
		t.Errorf("weirds %v, want one per loss of sync", w)
	}
}

func TestNonSLMP(t *testing.T) {
	for _, b := range [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		{0x16, 0x03, 0x01, 0x00, 0x85, 0x01, 0x00, 0x00, 0x81, 0x03, 0x03, 0x00, 0x00},
		[]byte("500000FF03FF000018001004010000D*0001000003"),
	} {
		if v := Probe(dissect.Orig, b); v != dissect.NoMatch {
			t.Errorf("Probe(%q) = %d", b, v)
		}
	}
}
