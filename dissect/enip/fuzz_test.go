package enip

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func FuzzParse(f *testing.F) {
	orig, resp := conversation()
	var seed []byte
	for i := range orig {
		seed = append(seed, dissecttest.Sep...)
		seed = append(append(seed, 0), orig[i]...)
		seed = append(seed, dissecttest.Sep...)
		seed = append(append(seed, 1), resp[i]...)
	}
	f.Add(seed)
	f.Add(cat([]byte{0}, encapPDU(cmdListIdentity, 0, 1, nil), dissecttest.Sep, []byte{0xff, 1, 2, 3}, dissecttest.Sep,
		[]byte{0}, orig[1][5:], orig[2]))
	write := req(svcWriteTag, []byte{0x91, 0x01, 'X', 0x00}, cat(le16(0xc4), le16(1), le32(1)))
	us := cat([]byte{0x0a, 0xf0}, le16(uint16(len(write))), write, []byte{0x01, 0x00, 0x01, 0x00})
	f.Add(cat([]byte{0}, encapPDU(cmdSendRRData, session, 7, rrData(req(svcUnconnectedSend, cls(0x06, 0x01), us)))))
	f.Add(cat([]byte{0}, encapPDU(cmdSendRRData, session, 1, rrData(req(svcExecutePCCC, cls(0x67, 0x01),
		[]byte{0x07, 0x01, 0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x00, 0x01, 0x00, 0x11}))), dissecttest.Sep,
		[]byte{1}, encapPDU(cmdSendRRData, session, 1, rrData(rsp(svcExecutePCCC, 0, []byte{0x07, 1, 0, 1, 2, 3, 4, 0x4f, 0, 1, 0})))))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "enip", data, 70000)
	})
}
