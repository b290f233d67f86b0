package arp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse runs the registry-wide harness over direction-tagged frames (dissecttest.Sep).
func FuzzParse(f *testing.F) {
	seed := dissecttest.SeedFrames
	req := arpv4(opRequest, macA, [4]byte{10, 0, 0, 2}, [6]byte{}, [4]byte{10, 0, 0, 1})
	rep := arpv4(opReply, macB, [4]byte{10, 0, 0, 1}, macA, [4]byte{10, 0, 0, 2})
	f.Add(seed(req, rep))
	f.Add(seed(arpv4(opReply, macX, [4]byte{10, 0, 0, 1}, bcast, [4]byte{10, 0, 0, 1}), req[:11]))
	f.Add(seed([]byte{0x00, 0x01, 0x08, 0x00, 0xff, 0x04, 0x00, 0x01, 1, 2, 3}, []byte{0x00, 0x06, 0x86, 0xdd, 0x06, 0x10, 0x00, 0x09}))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "arp", data, 70000)
	})
}
