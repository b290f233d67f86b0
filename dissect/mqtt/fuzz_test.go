package mqtt

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse feeds direction-tagged chunks (dissecttest.Sep between them) to a fresh parser
// through the registry-wide harness.
func FuzzParse(f *testing.F) {
	tag := func(dir byte, b []byte) []byte { return append([]byte{dir}, b...) }
	var all []byte
	for i, st := range session {
		f.Add(tag(byte(st.dir), st.b))
		if i > 0 {
			all = append(all, dissecttest.Sep...)
		}
		all = append(all, tag(byte(st.dir), st.b)...)
	}
	f.Add(all)
	var v5 []byte
	for i, b := range [][]byte{connect5, connack5, pkt(0x32, s("t5"), u16(9), []byte{0x02, 0x01, 0x01}, []byte("v")),
		pkt(0x82, u16(5), []byte{0x00}, s("a/+"), []byte{0x02})} {
		if i > 0 {
			v5 = append(v5, dissecttest.Sep...)
		}
		v5 = append(v5, tag(byte(i&1), b)...)
	}
	f.Add(v5)
	f.Add(append(append(tag(0, pub1[:3]), dissecttest.Sep...), tag(0xff, []byte{1, 2, 3})...))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "mqtt", data, 70000)
	})
}
