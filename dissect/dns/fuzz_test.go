package dns

import (
	"testing"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// FuzzParse runs the registry-wide harness (DNS over TCP, as the factory's first transport)
// over direction-tagged chunks, seeded with the handmade messages of the unit tests.
func FuzzParse(f *testing.F) {
	chunk, seed := dissecttest.Chunk, dissecttest.Seed
	f.Add(seed(chunk(0, tcpFrame(aQuery)), chunk(1, tcpFrame(aReply))))
	f.Add(seed(chunk(0, tcpFrame(aQuery)[:5]), chunk(0xff, []byte{1, 2}), chunk(0, tcpFrame(aQuery)), chunk(1, tcpFrame(aReply))))
	upd := cat(hdr(1, 0x2800, 1, 1, 1, 0), question("example.org", typeSOA, 1),
		record(name("h.example.org"), typeCNAME, classNONE, 0, nil),
		record(name("h.example.org"), typeA, 1, 60, []byte{1, 2, 3, 4}))
	f.Add(seed(chunk(0, tcpFrame(upd)), chunk(1, tcpFrame(upd))))
	txt := cat(hdr(9, 0x8400, 0, 2, 0, 0), record(name("x.local"), typeTXT, 1, 1, cat(cs("md=X"), cs("a"))),
		record(ptr(12), typeRRSIG, 1, 1, cat(u16(1), []byte{5, 3}, u32(30), u32(0), u32(0), u16(1), ptr(12))))
	f.Add(seed(chunk(1, tcpFrame(txt))))
	f.Add(seed(chunk(0, tcpFrame(cat(hdr(1, 0, 1, 0, 0, 0), ptr(12), u16(1), u16(1))))))
	f.Fuzz(func(t *testing.T, data []byte) {
		dissecttest.Fuzz(t, "dns", data, 70000)
	})
}
