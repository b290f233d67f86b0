package snmp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse runs the registry-wide harness over direction-tagged datagrams
// (dissecttest.Sep).
func FuzzParse(f *testing.F) {
	seed := func(steps ...step) []byte {
		var out []byte
		for i, s := range steps {
			if i > 0 {
				out = append(out, dissecttest.Sep...)
			}
			out = append(out, byte(s.dir))
			out = append(out, s.b...)
		}
		return out
	}
	f.Add(seed(q(getSys), a(rspSys)))
	f.Add(seed(q(setName), a(setResp), q(bulk)))
	f.Add(seed(q(trapV1), q(v3Get), a(v3Resp), q(v3Priv)))
	f.Add(seed(q(getSys[:20]), a(rspSys[10:])))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "snmp", data, 70000)
	})
}
