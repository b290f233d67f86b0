package slmp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func FuzzParse(f *testing.F) {
	chunk, seed := dissecttest.Chunk, dissecttest.Seed
	f.Add(seed(chunk(0, readD100), chunk(1, readD100Resp), chunk(0, writeM0), chunk(1, writeResp)))
	f.Add(seed(chunk(0, remoteStop4E), chunk(1, remoteStop4EResp), chunk(0, typeName), chunk(1, typeNameResp)))
	f.Add(seed(chunk(0, readD100[:6]), chunk(0xff, []byte{1, 2}), chunk(0, readD100)))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "slmp", data, 70000)
	})
}
