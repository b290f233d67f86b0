package dnp3

import (
	"bytes"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// join builds a fuzz input of direction-tagged chunks (see dissecttest.Sep).
func join(chunks ...[]byte) []byte { return bytes.Join(chunks, dissecttest.Sep) }

func tagged(dir byte, b []byte) []byte { return append([]byte{dir}, b...) }

// FuzzParse runs the registry-wide harness (CRC checks on, as deployed) and, on the same input,
// a parser with CRC checks off so that mutations reach the transport and application layers.
func FuzzParse(f *testing.F) {
	big := []byte{0xc3, 0x81, 0x00, 0x00, 0x1e, 0x04, 0x01, 0x00, 0x00, 0x2a, 0x01}
	for i := 0; i < 299; i++ {
		big = append(big, byte(i), 0)
	}
	seeds := [][]byte{
		join(tagged(0, readClass0), tagged(1, readClass0Resp)),
		join(tagged(0, selectCROB), tagged(1, selectCROBResp)),
		join(tagged(1, resp(big...))),
		join(tagged(0, readClass0[:7]), tagged(0xff, []byte("xxxx")), tagged(0, readClass0)),
		join(tagged(0, req(0xc0, 0x19, 0x46, 0x03, 0x5b, 0x01, 0x02, 0x00, 0x1a, 0x00))),
		join(tagged(1, resp(0xc0, 0x81, 0x80, 0x00, 0x00, 0xfc, 0x00, 0x00, 0x00, 0x01, 0x02, 'h', 'i'))),
		join(tagged(0, req(0xc0, 0x05, 0x29, 0x03, 0x17, 0x01, 0x03, 0, 0, 0x80, 0x3f, 0))),
		join(tagged(0, req(0xc0, 0x02, 0x70, 0x00, 0x01, 0x00, 0x00, 0xff, 0xff))),
	}
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "dnp3", data, 70000)
		cfg := DefaultConfig()
		cfg.CheckCRC = false
		for _, proto := range []uint8{6, 17} {
			env, _ := dissecttest.NewEnv("dnp3", dissecttest.Flow(proto, 20000))
			s := &dissecttest.Stream{P: NewParser(env, cfg)}
			for _, chunk := range bytes.Split(data, dissecttest.Sep) {
				if len(chunk) == 0 {
					continue
				}
				if chunk[0] == 0xff {
					s.Gap(dissect.Orig, len(chunk)-1)
					continue
				}
				dir := dissect.Dir(chunk[0] & 1)
				if proto == 6 {
					s.Write(t, dir, chunk[1:])
					if s.Pending(dir) > maxFrameLen {
						t.Fatalf("%d bytes pending", s.Pending(dir))
					}
				} else if n, _ := s.P.Parse(dir, chunk[1:]); n != len(chunk)-1 {
					t.Fatalf("UDP Parse consumed %d of %d", n, len(chunk)-1)
				}
			}
			s.P.Close()
		}
	})
}
