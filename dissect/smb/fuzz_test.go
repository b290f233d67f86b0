package smb

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse runs the registry-wide harness over direction-tagged chunks (dissecttest.Sep):
// no panic, 0 <= n <= len(b), valid JSON in every record, bounded pending bytes.
func FuzzParse(f *testing.F) {
	seed := func(steps []step) []byte {
		var out []byte
		for i, st := range steps {
			if i > 0 {
				out = append(out, dissecttest.Sep...)
			}
			out = append(out, byte(st.dir))
			out = append(out, st.b...)
		}
		return out
	}
	s := session()
	f.Add(seed(s))
	f.Add(seed(s[:6]))
	f.Add(seed(s[6:]))
	f.Add(seed([]step{
		c2s(rpcBindPDU(1, "367abb81-9844-35f1-ad32-98f038001003", 2)),
		s2c(rpcBindAckPDU(1, "135")),
		c2s(rpcRequestPDU(2, 12, make([]byte, 16))),
		s2c(rpcResponsePDU(2, nil)),
	}))
	// the MS08-067 check: srvsvc NetprPathCanonicalize with a climbing path, over SMB 2
	f.Add(seed(pipeCall("srvsvc", "4b324fc8-1670-01d3-1278-5a47bf6ee188", 31, netprPathCanonicalize(`\AB\..\..\CDEF`))))
	f.Add(seed([]step{s[0], {0xff, []byte{1, 2, 3}}, s[2], s[3]}))
	f.Add(seed([]step{c2s(nbss(cat([]byte{0xff, 'S', 'M', 'B', 0x72}, make([]byte, 40))))}))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "smb", data, 70000)
	})
}
