package iec104

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// newTest returns a parser on a fresh recording Env over 10.0.0.1:50000 → 10.0.0.2:2404.
func newTest() (*parser, *dissecttest.Capture) {
	env, c := dissecttest.NewEnv("iec104", dissecttest.Flow(6, 2404))
	return newParser(env).(*parser), c
}

// feed parses whole APDUs in dir and fails if anything is left over.
func feed(t testing.TB, p *parser, dir dissect.Dir, b []byte) {
	t.Helper()
	n, err := p.Parse(dir, b)
	if err != nil || n != len(b) {
		t.Fatalf("Parse(%d bytes) = %d, %v", len(b), n, err)
	}
}

// apdu builds START, length, control field and ASDU.
func apdu(ctrl [4]byte, asdu ...byte) []byte {
	b := []byte{startByte, byte(4 + len(asdu)), ctrl[0], ctrl[1], ctrl[2], ctrl[3]}
	return append(b, asdu...)
}

// iFrame builds an I-format APDU with N(S)=ns, N(R)=nr.
func iFrame(ns, nr uint16, asdu ...byte) []byte {
	return apdu([4]byte{byte(ns << 1), byte(ns >> 7), byte(nr << 1), byte(nr >> 7)}, asdu...)
}

// sFrame builds an S-format APDU acknowledging up to nr.
func sFrame(nr uint16) []byte {
	return apdu([4]byte{0x01, 0x00, byte(nr << 1), byte(nr >> 7)})
}

// uFrame builds a U-format APDU with function octet c.
func uFrame(c byte) []byte { return apdu([4]byte{c, 0, 0, 0}) }

func cat(bs ...[]byte) []byte {
	var out []byte
	for _, b := range bs {
		out = append(out, b...)
	}
	return out
}

// weirdNames returns the names of the weird records captured.
func weirdNames(c *dissecttest.Capture) []string {
	var out []string
	for _, r := range c.Logs("weird") {
		out = append(out, r.Get("name"))
	}
	return out
}

func hasWeird(c *dissecttest.Capture, name string) bool {
	for _, n := range weirdNames(c) {
		if n == name {
			return true
		}
	}
	return false
}

// session is a typical exchange, orig = controlling station, resp = controlled (CA 10).
type chunk struct {
	dir dissect.Dir
	b   []byte
}

func session() []chunk {
	o, r := dissect.Orig, dissect.Resp
	return []chunk{
		{o, uFrame(uStartDTAct)},
		{r, uFrame(uStartDTCon)},
		{o, iFrame(0, 0, 0x64, 0x01, 0x06, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x14)}, // C_IC_NA_1 act QOI 20
		{r, iFrame(0, 1, 0x64, 0x01, 0x07, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x14)}, // C_IC_NA_1 actcon
		{r, iFrame(1, 1, 0x0d, 0x82, 0x14, 0x00, 0x0a, 0x00, // M_ME_NC_1 SQ 2 objects inrogen
			0x01, 0x00, 0x00, // IOA 1
			0x00, 0x00, 0xc0, 0x3f, 0x00, // 1.5, QDS 0
			0x00, 0x00, 0x20, 0x41, 0x00)}, // 10.0, QDS 0
		{r, iFrame(2, 1, 0x01, 0x02, 0x14, 0x00, 0x0a, 0x00, // M_SP_NA_1 2 objects inrogen
			0x0b, 0x00, 0x00, 0x01, // IOA 11 ON
			0x0c, 0x00, 0x00, 0x00)}, // IOA 12 OFF
		{r, iFrame(3, 1, 0x64, 0x01, 0x0a, 0x00, 0x0a, 0x00, 0x00, 0x00, 0x00, 0x14)}, // C_IC_NA_1 actterm
		{o, sFrame(4)},
		{o, uFrame(uTestFRAct)},
		{r, uFrame(uTestFRCon)},
	}
}
