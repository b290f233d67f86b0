package profinet

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func FuzzParse(f *testing.F) {
	req, res := steady()
	f.Add(cat([]byte{0}, req, dissecttest.Sep, []byte{1}, res))
	f.Add(cat([]byte{0}, rpc(ptRequest, 0x20, opControl, 2, 0, ndrReq(controlBlock(0x0110, 1))), dissecttest.Sep,
		[]byte{1}, rpc(ptFack, 0, opWrite, 1, 0, []byte{1, 0, 0, 1, 0, 0, 5, 0xb8, 0, 0, 5, 0xb8, 0, 0, 0, 9})))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "profinet", data, 70000)
	})
}
