package fins

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func FuzzParse(f *testing.F) {
	chunk, seed := dissecttest.Chunk, dissecttest.Seed
	f.Add(seed(chunk(0, tcpCmd(tcpClientNodeSend, []byte{0, 0, 0, 0})), chunk(1, tcpCmd(tcpServerNodeSend, []byte{0, 0, 0, 1, 0, 0, 0, 2}))))
	f.Add(seed(chunk(0, tcp(memReadCmd)), chunk(1, tcp(memReadResp)), chunk(0, tcp(ctrlDataCmd)), chunk(1, tcp(ctrlDataResp(9)))))
	f.Add(seed(chunk(0, tcp(runCmd)[:7]), chunk(0xff, []byte{1, 2, 3}), chunk(0, tcp(stopCmd)), chunk(0, tcp(memWriteCmd))))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "fins", data, 70000)
	})
}
