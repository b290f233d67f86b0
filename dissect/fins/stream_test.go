package fins

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// The segmentation matrix for FINS/TCP.
func TestSegmentation(t *testing.T) {
	a, b := tcp(memReadCmd), tcp(runCmd)
	two := dissecttest.Cat(a, b)
	tests := []struct {
		name string
		feed func(t *testing.T, s *dissecttest.Stream)
		want int
	}{
		{"one frame over two segments", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, a[:9])
			if s.Pending(dissect.Orig) != 9 {
				t.Errorf("pending %d, want 9", s.Pending(dissect.Orig))
			}
			s.Write(t, dissect.Orig, a[9:])
		}, 1},
		{"two frames in one segment", func(t *testing.T, s *dissecttest.Stream) { s.Write(t, dissect.Orig, two) }, 2},
		{"byte at a time", func(t *testing.T, s *dissecttest.Stream) {
			for _, c := range two {
				s.Write(t, dissect.Orig, []byte{c})
			}
		}, 2},
		{"gap then resync", func(t *testing.T, s *dissecttest.Stream) {
			s.Write(t, dissect.Orig, a[:20])
			s.Gap(dissect.Orig, 30)
			s.Write(t, dissect.Orig, dissecttest.Cat(a[25:], b)) // tail of a lost frame, then b
		}, 1},
		{"gap with the magic split", func(t *testing.T, s *dissecttest.Stream) {
			s.Gap(dissect.Orig, 5)
			s.Write(t, dissect.Orig, dissecttest.Cat([]byte{1, 2, 3}, b[:2]))
			s.Write(t, dissect.Orig, b[2:])
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, c := dissecttest.NewEnv("fins", dissecttest.Flow(6, Port))
			s := &dissecttest.Stream{P: newParser(env)}
			tc.feed(t, s)
			if n := len(c.Logs(logFINS)); n != tc.want {
				t.Errorf("%d records, want %d", n, tc.want)
			}
			if s.Pending(dissect.Orig) != 0 {
				t.Errorf("%d bytes pending", s.Pending(dissect.Orig))
			}
			if w := c.WeirdNames(); len(w) != 0 {
				t.Errorf("weirds %v", w)
			}
		})
	}
}

// Garbage on a synchronised stream is reported once and never accumulates.
func TestGarbage(t *testing.T) {
	env, c := dissecttest.NewEnv("fins", dissecttest.Flow(6, Port))
	s := &dissecttest.Stream{P: newParser(env)}
	junk := make([]byte, 3000)
	for i := range junk {
		junk[i] = byte(i*13 + 7)
	}
	for i := 0; i < 10; i++ {
		s.Write(t, dissect.Orig, junk)
		if s.Pending(dissect.Orig) > 3 {
			t.Fatalf("%d bytes pending after garbage", s.Pending(dissect.Orig))
		}
	}
	// An impossible length is dropped too.
	s.Write(t, dissect.Orig, []byte{'F', 'I', 'N', 'S', 0x10, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0})
	s.Write(t, dissect.Orig, tcp(stopCmd))
	if n := len(c.Logs(logFINS)); n != 1 {
		t.Errorf("%d records after garbage and a frame, want 1", n)
	}
	if n := c.WeirdCounts()[weirdBadMagic]; n != 1 {
		t.Errorf("%d bad magic weirds, want 1 per loss of sync (%v)", n, c.WeirdNames())
	}
}

// Non-FINS bytes on 9600: the probe refuses them and a parser fed them logs nothing.
func TestNonFINS(t *testing.T) {
	payloads := [][]byte{
		[]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		{0x16, 0x03, 0x01, 0x00, 0x85, 0x01, 0x00, 0x00, 0x81, 0x03, 0x03, 0x00, 0x00},
		[]byte("SSH-2.0-OpenSSH_8.9\r\n"),
		{0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x01}, // Modbus/TCP
	}
	for _, b := range payloads {
		if v := Probe(dissect.Orig, b); v != dissect.NoMatch {
			t.Errorf("Probe(%q) = %d, want NoMatch", b, v)
		}
		c := runTCP(t, req(b))
		if n := len(c.Logs(logFINS)); n != 0 {
			t.Errorf("%q produced %d fins records", b, n)
		}
	}
}
