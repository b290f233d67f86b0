package modbus

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse runs the registry-wide harness over direction-tagged chunks (dissecttest.Sep):
// no panic, 0 <= n <= len(b), valid JSON in every record, bounded pending bytes.
func FuzzParse(f *testing.F) {
	chunk, seed := dissecttest.Chunk, dissecttest.Seed
	f.Add(seed(chunk(0, readHoldingReq), chunk(1, readHoldingResp)))
	f.Add(seed(chunk(0, readCoilsReq), chunk(1, readCoilsResp), chunk(0, exceptionReq), chunk(1, exceptionResp)))
	f.Add(seed(chunk(0, maskWriteReq), chunk(1, maskWriteReq), chunk(0, rwReq), chunk(1, rwResp)))
	f.Add(seed(chunk(0, devIDReq), chunk(1, devIDResp)))
	f.Add(seed(chunk(0, readHoldingReq[:5]), chunk(0xff, []byte{1, 2, 3}), chunk(0, readHoldingReq[5:]), chunk(0, readCoilsReq)))
	f.Add(seed(chunk(0, adu(1, 1, 0x08, 0, 1, 0xff, 0)), chunk(1, adu(1, 1, 0x08, 0, 1, 0xff, 0))))
	f.Add(seed(chunk(0, adu(1, 1, 0x11)), chunk(1, adu(1, 1, 0x11, 3, 1, 0xff, 'a'))))
	f.Add(seed(chunk(0, adu(1, 1, 0x14, 7, 6, 0, 4, 0, 1, 0, 2)), chunk(1, adu(1, 1, 0x14, 6, 5, 6, 0, 1, 0, 2))))
	f.Add(seed(chunk(0, adu(1, 1, 0x18, 0, 0)), chunk(1, adu(1, 1, 0x18, 0, 4, 0, 1, 0, 9))))
	f.Add(seed(chunk(0, []byte{0, 1, 0, 0, 1, 0, 1, 3}), chunk(1, []byte{0, 1, 0, 9, 0, 3, 1, 0x83, 2})))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "modbus", data, 70000)
	})
}
