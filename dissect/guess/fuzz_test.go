package guess

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func FuzzParse(f *testing.F) {
	chunk, seed := dissecttest.Chunk, dissecttest.Seed
	f.Add(seed(chunk(0, []byte{0xbb, 0xbb, 0x01, 0x02}), chunk(1, []byte{0xbb, 0xbb})))
	f.Add(seed(chunk(0, []byte("GET / HTTP/1.1\r\n\r\n")), chunk(0xff, []byte{1, 2}), chunk(1, []byte{0x16, 3, 1})))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "guess", data, 70000)
	})
}
