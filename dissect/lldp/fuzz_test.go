package lldp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse runs the registry-wide harness over direction-tagged frames (dissecttest.Sep).
func FuzzParse(f *testing.F) {
	seed := dissecttest.SeedFrames
	f.Add(seed(switchPDU, orgPDU))
	f.Add(seed(switchPDU[:30], orgPDU, switchPDU))
	f.Add(seed(cat(tlv(tlvChassisID, 0x07, 'a'), tlv(tlvPortID, 0x07, 'b'), tlv(tlvTTL, 0, 120), tlv(tlvTTL, 0, 1))))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "lldp", data, 70000)
	})
}
