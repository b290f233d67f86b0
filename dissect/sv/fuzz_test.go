package sv

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func FuzzParse(f *testing.F) {
	f.Add(append([]byte{0}, svFrame(0, asduBytes("MU1", 1, 1, 2))...))
	f.Add(cat([]byte{0}, svFrame(0x8000, asduBytes("MU1", 1, 1, 0), asduBytes("MU2", 9, 3, 1)), dissecttest.Sep,
		[]byte{0}, svFrame(0, asduBytes("MU1", 7, 2, 2))))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "sv", data, 70000)
	})
}
