package goose

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func FuzzParse(f *testing.F) {
	seeds := [][]byte{
		sampleFrame,
		fr(fields{ref: "IED1/LLN0$GO$gcb1", st: 1, sq: 0, confRev: 1}),
		frame(1, 0x8000, el(tagGoosePdu, 0x1f, 0x1a, 0x01, 0x00)),
		frame(1, 0, el(tagGoosePdu, el(tagAllData, el(0xa2, el(0xa2, el(0x83, 1)...)...)...)...)),
	}
	for _, s := range seeds {
		f.Add(append([]byte{0}, s...))
	}
	f.Add(cat([]byte{0}, seeds[0], dissecttest.Sep, []byte{0}, seeds[1], dissecttest.Sep, []byte{0}, seeds[1]))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "goose", data, 70000)
	})
}
