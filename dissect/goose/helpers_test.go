package goose

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// el and cat build frames: BER TLVs and their concatenation.
var el, cat = dissecttest.BER, dissecttest.Cat

func str(tag byte, s string) []byte { return el(tag, []byte(s)...) }

// frame builds a GOOSE payload (after the Ethertype): header with the right Length + APDU.
func frame(appid uint16, reserved1 uint16, apdu []byte) []byte {
	n := headerLen + len(apdu)
	return cat([]byte{byte(appid >> 8), byte(appid), byte(n >> 8), byte(n), byte(reserved1 >> 8), byte(reserved1), 0, 0}, apdu)
}

// fields is a goosePdu content; fullPDU fills a typical frame with stNum/sqNum/confRev.
type fields struct {
	ref      string
	st, sq   byte
	confRev  byte
	sim, nds byte
	ttl      []byte
}

func (f fields) pdu() []byte {
	ttl := f.ttl
	if ttl == nil {
		ttl = []byte{0x07, 0xd0} // 2000 ms
	}
	return el(tagGoosePdu, cat(
		str(tagGocbRef, f.ref),
		el(tagTTL, ttl...),
		str(tagDatSet, "IED1/LLN0$DS1"),
		str(tagGoID, "IED1_GO1"),
		el(tagT, 0x38, 0x6e, 0xbb, 0xf3, 0x42, 0x17, 0x28, 0x0a),
		el(tagStNum, f.st),
		el(tagSqNum, f.sq),
		el(tagSimulation, f.sim),
		el(tagConfRev, f.confRev),
		el(tagNdsCom, f.nds),
		el(tagNumEntries, 2),
		el(tagAllData, cat(el(0x83, 1), el(0x84, 0x03, 0x00))...),
	)...)
}

func gooseFlow() *dissect.FlowInfo {
	return &dissect.FlowInfo{
		UID:       "CGOOSE000000000001",
		Orig:      dissect.Endpoint{MAC: [6]byte{0x00, 0xa0, 0xf4, 0x08, 0x2f, 0x77}},
		Resp:      dissect.Endpoint{MAC: [6]byte{0x01, 0x0c, 0xcd, 0x01, 0x00, 0x01}},
		EtherType: EtherType,
	}
}

// run feeds frames to a fresh parser and returns what it emitted.
func run(t testing.TB, frames ...[]byte) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("goose", gooseFlow())
	p := newParser(env)
	for _, f := range frames {
		n, err := p.Parse(dissect.Orig, f)
		if err != nil || n != len(f) {
			t.Fatalf("Parse = %d, %v; want %d, nil", n, err, len(f))
		}
	}
	p.Close()
	return c
}

func count(list []string, name string) int {
	n := 0
	for _, s := range list {
		if s == name {
			n++
		}
	}
	return n
}
