package smb

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// The segmentation matrix: framing must not depend on how TCP cut the stream.
func TestSegmentation(t *testing.T) {
	steps := session()
	type counts struct{ ntlm, mapping, files, rpc int }
	full := counts{1, 2, 2, 1}
	tests := []struct {
		name string
		feed func(t *testing.T, s *dissecttest.Stream)
		want counts
	}{
		{"one PDU over two segments", func(t *testing.T, s *dissecttest.Stream) {
			for _, st := range steps {
				h := len(st.b) / 2
				s.Write(t, st.dir, st.b[:h])
				s.Write(t, st.dir, st.b[h:])
			}
		}, full},
		{"split inside the NBSS header", func(t *testing.T, s *dissecttest.Stream) {
			for _, st := range steps {
				s.Write(t, st.dir, st.b[:2])
				if s.Pending(st.dir) != 2 {
					t.Fatalf("pending %d after 2 header bytes", s.Pending(st.dir))
				}
				s.Write(t, st.dir, st.b[2:])
			}
		}, full},
		{"two PDUs in one segment", func(t *testing.T, s *dissecttest.Stream) {
			for i := 0; i < len(steps); i++ {
				b := steps[i].b
				for i+1 < len(steps) && steps[i+1].dir == steps[i].dir {
					i++
					b = cat(b, steps[i].b)
				}
				s.Write(t, steps[i].dir, b)
			}
		}, full},
		{"byte at a time", func(t *testing.T, s *dissecttest.Stream) {
			for _, st := range steps {
				for _, c := range st.b {
					s.Write(t, st.dir, []byte{c})
				}
			}
		}, full},
		{"gap then resync", func(t *testing.T, s *dissecttest.Stream) {
			// The recipes tree connect is cut by a gap: its response finds no request, the
			// file opened on it has no path, and everything after the gap parses.
			for _, st := range steps[:6] {
				s.Write(t, st.dir, st.b)
			}
			tc := steps[6].b
			s.Write(t, dissect.Orig, tc[:10])
			s.Gap(dissect.Orig, 40)
			s.Write(t, dissect.Orig, tc[50:])
			for _, st := range steps[7:] {
				s.Write(t, st.dir, st.b)
			}
		}, counts{1, 1, 2, 1}},
		{"oversized message skipped without buffering", func(t *testing.T, s *dissecttest.Stream) {
			for _, st := range steps[:10] {
				s.Write(t, st.dir, st.b)
			}
			s.Write(t, dissect.Orig, steps[10].b) // read request
			big := nbss(smb2Msg(smb2Read, 5, true, 0, 5, readResp(make([]byte, 200<<10))))
			for off := 0; off < len(big); off += 1460 {
				s.Write(t, dissect.Resp, big[off:min(off+1460, len(big))])
				if s.Pending(dissect.Resp) > headPart {
					t.Fatalf("%d bytes pending inside a 200 KiB message", s.Pending(dissect.Resp))
				}
			}
			for _, st := range steps[12:] {
				s.Write(t, st.dir, st.b)
			}
		}, full},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, c := dissecttest.NewEnv("smb", dissecttest.Flow(6, 445))
			s := &dissecttest.Stream{P: newParser(env)}
			tc.feed(t, s)
			s.P.Close()
			got := counts{len(c.Logs("ntlm")), len(c.Logs("smb_mapping")), len(c.Logs("smb_files")), len(c.Logs("dce_rpc"))}
			if got != tc.want {
				t.Errorf("ntlm/mapping/files/dce_rpc = %+v, want %+v", got, tc.want)
			}
			if n := s.Pending(dissect.Orig) + s.Pending(dissect.Resp); n != 0 {
				t.Errorf("%d bytes pending at the end", n)
			}
			if w := c.WeirdNames(); len(w) != 0 {
				t.Errorf("weirds %v", w)
			}
		})
	}
}

// TestResyncAfterGarbage: an impossible NBSS type is reported and the stream resynchronises
// on the next SMB header.
func TestResyncAfterGarbage(t *testing.T) {
	steps := session()
	c := run(t, 445, steps[0], steps[1],
		c2s(cat([]byte{0x47, 0x45, 0x54, 0x20, 0x2f}, steps[2].b)), steps[3], steps[4], steps[5])
	if len(c.Logs("ntlm")) != 1 {
		t.Errorf("ntlm.log after resync: %d lines", len(c.Logs("ntlm")))
	}
	if w := c.WeirdNames(); len(w) != 1 || w[0] != weirdNetbiosType {
		t.Errorf("weirds %v, want one %s", w, weirdNetbiosType)
	}
}

// TestRequestFlood: the pending table is bounded and its overflow reported once.
func TestRequestFlood(t *testing.T) {
	env, c := dissecttest.NewEnv("smb", dissecttest.Flow(6, 445))
	p := newParser(env).(*parser)
	for i := 0; i < maxPending+10; i++ {
		p.Parse(dissect.Orig, nbss(smb2Msg(smb2Read, uint64(i), false, 0, 5, readReq(1, 2))))
	}
	if len(p.pend) != maxPending {
		t.Errorf("%d pending, want %d", len(p.pend), maxPending)
	}
	if w := c.WeirdNames(); len(w) != 1 || w[0] != weirdRequestFlood {
		t.Errorf("weirds %v", w)
	}
}
