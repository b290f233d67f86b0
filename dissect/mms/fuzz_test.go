package mms

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse feeds direction-tagged chunks (dissecttest.Sep between them) to a fresh parser
// through the registry-wide harness.
func FuzzParse(f *testing.F) {
	tag := func(dir byte, b []byte) []byte { return append([]byte{dir}, b...) }
	join := func(parts ...[]byte) []byte {
		var out []byte
		for i, p := range parts {
			if i > 0 {
				out = append(out, dissecttest.Sep...)
			}
			out = append(out, p...)
		}
		return out
	}
	var all [][]byte
	for _, st := range session {
		f.Add(tag(byte(st.dir), st.b))
		all = append(all, tag(byte(st.dir), st.b))
	}
	f.Add(join(all...))
	f.Add(join(tag(0, data(startReq)), tag(0, data(stopReq)), tag(0, data(fileDelReq)), tag(0, data(defNVLReq)),
		tag(1, data(errPDU)), tag(1, data(rejectPDU)), tag(0, data(unknownSvc)), tag(0, connect(initReq, true)),
		tag(1, accept(initResp, 1))))
	f.Add(join(tag(0, data(readReq)[:9]), tag(0xff, []byte{1, 2, 3}), tag(0, data(readReq)[9:]), tag(0, dt(writeReq))))
	p := cat([]byte{0x01, 0x00, 0x01, 0x00}, fullyEncoded(ctxMMS, readReq))
	f.Add(join(tag(0, dtMore(p[:10])), tag(0, dt(p[10:])), tag(1, data(readRespErr)), tag(1, data(writeFail))))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "mms", data, 70000)
	})
}
