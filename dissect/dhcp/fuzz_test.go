package dhcp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func FuzzParse(f *testing.F) {
	join := func(chunks ...[]byte) []byte {
		var out []byte
		for i, c := range chunks {
			if i > 0 {
				out = append(out, dissecttest.Sep...)
			}
			out = append(out, c...)
		}
		return out
	}
	tag := func(dir byte, b []byte) []byte { return append([]byte{dir}, b...) }
	f.Add(join(tag(0, discover), tag(1, offer), tag(0, request), tag(1, ack)))
	f.Add(join(tag(0, discover[:250])))
	f.Add(join(tag(0, []byte{1, 1, 2, 3, 0, 1, 0, 2, 0, 1, 0, 0, 0, 6, 0, 2, 0, 23})))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "dhcp", data, 70000)
	})
}
