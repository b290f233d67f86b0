package mqtt

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// The segmentation matrix: framing must not depend on how TCP cut the stream.
func TestSegmentation(t *testing.T) {
	a, b := pkt(0x30, s("plant/temp"), make([]byte, 200)), pub0 // a has a two-octet length
	two := append(append([]byte(nil), a...), b...)
	tests := []struct {
		name string
		feed func(t *testing.T, st *dissecttest.Stream)
		pubs int
	}{
		{"one packet over two segments", func(t *testing.T, st *dissecttest.Stream) {
			st.Write(t, dissect.Orig, a[:2])
			if st.Pending(dissect.Orig) != 2 {
				t.Errorf("pending %d, want 2", st.Pending(dissect.Orig))
			}
			st.Write(t, dissect.Orig, a[2:])
		}, 1},
		{"two packets in one segment", func(t *testing.T, st *dissecttest.Stream) {
			st.Write(t, dissect.Orig, two)
		}, 2},
		{"one and a half packets", func(t *testing.T, st *dissecttest.Stream) {
			st.Write(t, dissect.Orig, two[:len(a)+3])
			if st.Pending(dissect.Orig) != 3 {
				t.Errorf("pending %d, want 3", st.Pending(dissect.Orig))
			}
			st.Write(t, dissect.Orig, two[len(a)+3:])
		}, 2},
		{"byte at a time", func(t *testing.T, st *dissecttest.Stream) {
			for _, c := range append(append([]byte(nil), connect311...), two...) {
				st.Write(t, dissect.Orig, []byte{c})
			}
		}, 2},
		{"gap then resync", func(t *testing.T, st *dissecttest.Stream) {
			st.Write(t, dissect.Orig, a[:50])
			st.Gap(dissect.Orig, 100)
			st.Write(t, dissect.Orig, append(append(append([]byte(nil), a[160:]...), pingreq...), b...))
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env, c := dissecttest.NewEnv("mqtt", dissecttest.Flow(6, 1883))
			st := &dissecttest.Stream{P: newParser(env)}
			tc.feed(t, st)
			if n := len(c.Logs(logPublish)); n != tc.pubs {
				t.Errorf("%d publish lines, want %d", n, tc.pubs)
			}
			if n := st.Pending(dissect.Orig); n != 0 {
				t.Errorf("%d bytes pending", n)
			}
			for _, r := range c.Logs(logPublish) {
				if r.Get("topic") != "plant/temp" {
					t.Errorf("bogus publish after resync: %s", r.Raw)
				}
			}
		})
	}
}
