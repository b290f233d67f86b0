package pndcp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func FuzzParse(f *testing.F) {
	f.Add(append([]byte{0}, identifyResponse...))
	f.Add(cat([]byte{0}, dcpFrame(fidGetSet, svcSet, 0, 3, blk(1, 2, 0, 1, 10, 0, 0, 9, 255, 0, 0, 0, 10, 0, 0, 1)),
		dissecttest.Sep, []byte{0}, rtFrame(0x8001, 1, 0x35), dissecttest.Sep, []byte{0}, dcpFrame(fidGetSet, svcGet, 0, 7, []byte{2, 2})))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "pndcp", data, 70000)
	})
}
