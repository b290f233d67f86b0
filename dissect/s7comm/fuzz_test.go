package s7comm

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse feeds direction-tagged chunks (dissecttest.Sep between them) to a fresh parser
// through the registry-wide harness.
func FuzzParse(f *testing.F) {
	tag := func(dir byte, b []byte) []byte { return append([]byte{dir}, b...) }
	join := func(parts ...[]byte) []byte {
		var out []byte
		for i, p := range parts {
			if i > 0 {
				out = append(out, dissecttest.Sep...)
			}
			out = append(out, p...)
		}
		return out
	}
	for _, c := range session {
		f.Add(tag(byte(c.dir), c.b))
	}
	var all [][]byte
	for _, c := range session {
		all = append(all, tag(byte(c.dir), c.b))
	}
	f.Add(join(all...))
	f.Add(join(tag(0, stopJob), tag(1, stopAck), tag(0, startJob), tag(1, startAck), tag(0, uploadJob),
		tag(1, uploadAck), tag(1, errAck), tag(0, passReq), tag(1, cyclicPush)))
	f.Add(join(tag(0, plusReq), tag(1, plusNotif), tag(0, readJob[:7]), tag(0xff, []byte{1, 2, 3}), tag(0, readJob[7:]), tag(0, writeJob)))
	f.Add(join(tag(0, tpkt([]byte{0x02, 0xf0, 0x00}, []byte{0x32, 0x01})), tag(0, tpkt([]byte{0x02, 0xf0, 0x80}, []byte{0, 0, 1, 0, 0, 0, 0, 0}))))
	f.Add(tag(1, dt(s7(RosUserData, 1, nil, []byte{0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, 0x01, 0xd5, 0x01, 0x00, 0x00},
		szlData(0x001c, 34, make([]byte, 34))))))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "s7comm", data, 70000)
	})
}
