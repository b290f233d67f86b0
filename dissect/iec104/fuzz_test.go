package iec104

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// fuzzInput joins direction-tagged chunks with dissecttest.Sep (dir byte 0xff = gap).
func fuzzInput(chunks ...chunk) []byte {
	var out []byte
	for i, ch := range chunks {
		if i > 0 {
			out = append(out, dissecttest.Sep...)
		}
		out = append(out, byte(ch.dir))
		out = append(out, ch.b...)
	}
	return out
}

func FuzzParse(f *testing.F) {
	ses := session()
	f.Add(fuzzInput(ses...))
	f.Add(fuzzInput(chunk{orig, cat(ses[0].b, ses[2].b, ses[7].b)}, chunk{resp, cat(ses[1].b, ses[3].b, ses[4].b, ses[5].b)}))
	f.Add(fuzzInput(ses[0], ses[1], chunk{0xff, make([]byte, 7)}, ses[4], ses[5]))
	f.Add(fuzzInput(
		chunk{orig, iFrame(0, 0, cSC(cotAct)...)},
		chunk{resp, iFrame(0, 1, cSC(0x40|cotActCon)...)},
		chunk{orig, iFrame(1, 0, 0x3a, 0x01, 0x06, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x01, 0x9d, 0x42, 0x17, 0x09, 0x84, 0x07, 0x0d)},
		chunk{orig, iFrame(2, 0, 0x32, 0x01, 0x06, 0x00, 0x01, 0x00, 0x10, 0x27, 0x00, 0x00, 0x00, 0xc0, 0x7f, 0x00)},
		chunk{resp, iFrame(1, 3, 0x7d, 0x01, 0x0d, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x02, 0xaa, 0xbb)},
	))
	f.Add(fuzzInput(chunk{resp, []byte{0x00, 0x68, 0x02, 0x68, 0xfe, 0x68, 0x04, 0x0f, 0, 0, 0}}))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "iec104", data, 70000)
	})
}
