package cdp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse runs the registry-wide harness over direction-tagged frames (dissecttest.Sep).
func FuzzParse(f *testing.F) {
	seed := dissecttest.SeedFrames
	f.Add(seed(router, sw))
	f.Add(seed(router[:30], sw[:50], router))
	f.Add(seed(cat(router[:4], tlv(tlvAddresses, 0, 0, 0, 9, 0x01, 0x01, 0xcc, 0x00, 0x04, 1, 2, 3, 4))))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "cdp", data, 70000)
	})
}
