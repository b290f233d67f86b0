package opcua

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse runs the registry-wide harness over direction-tagged chunks seeded with
// handmade conversations.
func FuzzParse(f *testing.F) {
	tag := func(dir byte, b []byte) []byte { return append([]byte{dir}, b...) }
	join := func(chunks ...[]byte) []byte {
		var out []byte
		for _, c := range chunks {
			out = append(out, dissecttest.Sep...)
			out = append(out, c...)
		}
		return out
	}
	orig, resp := session()
	f.Add(join(tag(0, orig[0]), tag(1, resp[0]), tag(0, orig[1]), tag(1, resp[1]), tag(0, orig[2]), tag(1, resp[2])))
	f.Add(join(tag(0, cat(activateUserName(3), callRequest(4))), tag(0, writeRequest(5))))
	body := readRequest(6)[hdrLen+16:]
	ch := chunked(body, 3, 6)
	f.Add(join(tag(0, ch[0]), tag(0, ch[1][:7]), tag(0, ch[1][7:]), tag(0, ch[2])))
	f.Add(join(tag(0, readRequest(2)[:30]), tag(0xff, make([]byte, 20)), tag(0, readRequest(3))))
	f.Add(join(tag(1, message("ERR", 'F', cat(u32(0x80830000), str("x"))))))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "opcua", data, 70000)
	})
}
