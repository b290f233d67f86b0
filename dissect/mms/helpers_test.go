package mms

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// el builds one BER element: identifier octets, a definite length, then the content.
func el(id []byte, content ...[]byte) []byte {
	var c []byte
	for _, p := range content {
		c = append(c, p...)
	}
	out := append([]byte(nil), id...)
	switch n := len(c); {
	case n < 0x80:
		out = append(out, byte(n))
	case n < 0x100:
		out = append(out, 0x81, byte(n))
	default:
		out = append(out, 0x82, byte(n>>8), byte(n))
	}
	return append(out, c...)
}

// t1 builds an element with a one-octet identifier.
func t1(id byte, content ...[]byte) []byte { return el([]byte{id}, content...) }

// str is a primitive element holding s.
func str(id byte, s string) []byte { return t1(id, []byte(s)) }

// integer is a primitive INTEGER-like element with one content octet.
func integer(id, v byte) []byte { return []byte{id, 1, v} }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// tpkt wraps a COTP TPDU (header and data) in a TPKT header.
func tpkt(cotp []byte) []byte {
	n := len(cotp) + 4
	return append([]byte{0x03, 0x00, byte(n >> 8), byte(n)}, cotp...)
}

// dt is a TPKT carrying one COTP DT (class 0, EOT) with payload.
func dt(payload []byte) []byte { return tpkt(append([]byte{0x02, 0xf0, 0x80}, payload...)) }

// dtMore is a DT without EOT (first fragments of a TSDU).
func dtMore(payload []byte) []byte { return tpkt(append([]byte{0x02, 0xf0, 0x00}, payload...)) }

// cr is a COTP connection request with MMS TSAPs (calling 0x0001, called 0x0001).
var cr = tpkt([]byte{
	0x11, 0xe0, // LI 17, CR
	0x00, 0x00, 0x00, 0x01, 0x00, // dst ref, src ref, class 0
	0xc0, 0x01, 0x0a, // TPDU size 1024
	0xc1, 0x02, 0x00, 0x01, // calling TSAP
	0xc2, 0x02, 0x00, 0x01, // called TSAP
})

// cc is the matching connection confirm.
var cc = tpkt([]byte{
	0x11, 0xd0, 0x00, 0x01, 0x00, 0x02, 0x00,
	0xc0, 0x01, 0x0a, 0xc1, 0x02, 0x00, 0x01, 0xc2, 0x02, 0x00, 0x01,
})

var (
	oidACSEel  = t1(0x06, []byte(oidACSE))
	oidMMSel   = t1(0x06, []byte(oidMMS))
	oidBER     = []byte{0x06, 0x02, 0x51, 0x01} // 2.1.1 basic encoding
	appCtxMMS  = t1(0xa1, []byte{0x06, 0x05, 0x28, 0xca, 0x22, 0x02, 0x03})
	ctxACSE    = 1
	ctxMMS     = 3
	sessParams = []byte{
		0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02, // connect/accept item: options, version 2
		0x14, 0x02, 0x00, 0x02, // session user requirements: duplex
	}
)

// userInfo is ACSE user-information with one EXTERNAL carrying pdu as single-ASN1-type.
func userInfo(pdu []byte) []byte {
	return t1(0xbe, t1(0x28, oidBER, integer(0x02, byte(ctxMMS)), t1(0xa0, pdu)))
}

// fullyEncoded is presentation user data with one PDV of context pci.
func fullyEncoded(pci int, apdu []byte) []byte {
	return t1(0x61, t1(0x30, integer(0x02, byte(pci)), t1(0xa0, apdu)))
}

// connect is the client's first DT: session CONNECT, CP-type with the ACSE and MMS
// contexts, AARQ carrying pdu (an initiate request). auth adds an ACSE password.
func connect(pdu []byte, auth bool) []byte {
	var aarq []byte
	if auth {
		aarq = t1(0x60, appCtxMMS, t1(0x8a, []byte{0x07, 0x80}), t1(0x8b, []byte{0x52, 0x03, 0x01}),
			t1(0xac, str(0x80, "secret")), userInfo(pdu))
	} else {
		aarq = t1(0x60, appCtxMMS, userInfo(pdu))
	}
	cp := t1(0x31,
		t1(0xa0, integer(0x80, 1)), // mode-selector: normal
		t1(0xa2,
			str(0x81, "\x00\x00\x00\x01"), str(0x82, "\x00\x00\x00\x01"),
			t1(0xa4, // presentation-context-definition-list
				t1(0x30, integer(0x02, byte(ctxACSE)), oidACSEel, t1(0x30, oidBER)),
				t1(0x30, integer(0x02, byte(ctxMMS)), oidMMSel, t1(0x30, oidBER))),
			fullyEncoded(ctxACSE, aarq)))
	return dt(mkSPDU(spduConnect, sessParams, cp))
}

// accept is the server's answer: session ACCEPT, CPA-PPDU, AARE (accepted) carrying pdu.
func accept(pdu []byte, result byte) []byte {
	aare := t1(0x61, appCtxMMS, t1(0xa2, integer(0x02, result)), userInfo(pdu))
	cpa := t1(0x31, t1(0xa0, integer(0x80, 1)), t1(0xa2, str(0x83, "\x00\x00\x00\x01"),
		fullyEncoded(ctxACSE, aare)))
	return dt(mkSPDU(spduAccept, sessParams, cpa))
}

// mkSPDU builds a connection-phase SPDU with params and SS-user data in a c1 parameter.
func mkSPDU(si byte, params, user []byte) []byte {
	p := append(append([]byte(nil), params...), spUserData)
	if len(user) < 255 {
		p = append(p, byte(len(user)))
	} else {
		p = append(p, 0xff, byte(len(user)>>8), byte(len(user)))
	}
	p = append(p, user...)
	if len(p) < 255 {
		return append([]byte{si, byte(len(p))}, p...)
	}
	return append([]byte{si, 0xff, byte(len(p) >> 8), byte(len(p))}, p...)
}

// data is a DT carrying an MMS PDU in GIVE TOKENS + DATA TRANSFER and fully encoded data.
func data(pdu []byte) []byte {
	return dt(cat([]byte{0x01, 0x00, 0x01, 0x00}, fullyEncoded(ctxMMS, pdu)))
}

// MMS PDUs used across the tests.
var (
	initReq = t1(0xa8, integer(0x80, 0x7f), integer(0x81, 5), integer(0x82, 5), integer(0x83, 10),
		t1(0xa4, integer(0x80, 1), []byte{0x81, 0x03, 0x05, 0xf1, 0x00},
			[]byte{0x82, 0x0c, 0x03, 0xee, 0x1c, 0x00, 0x00, 0x04, 0x08, 0x00, 0x00, 0x79, 0xef, 0x18}))
	initResp = t1(0xa9, integer(0x80, 0x7f), integer(0x81, 5), integer(0x82, 5), integer(0x83, 10),
		t1(0xa4, integer(0x80, 1), []byte{0x81, 0x03, 0x05, 0xf1, 0x00},
			[]byte{0x82, 0x0c, 0x03, 0xee, 0x1c, 0x00, 0x00, 0x04, 0x08, 0x00, 0x00, 0x79, 0xef, 0x18}))
	// objName is a domain-specific ObjectName.
	objName1 = t1(0xa1, str(0x1a, "LD0"), str(0x1a, "MMXU1$MX$TotW"))
	objName2 = t1(0xa1, str(0x1a, "LD0"), str(0x1a, "MMXU1$MX$Hz"))
	objName3 = t1(0xa1, str(0x1a, "CTRL"), str(0x1a, "CSWI1$CO$Pos$Oper"))
	// listOfVariable [0] of SEQUENCE { name [0] ObjectName }
	listOf = func(names ...[]byte) []byte {
		var items [][]byte
		for _, n := range names {
			items = append(items, t1(0x30, t1(0xa0, n)))
		}
		return t1(0xa0, items...)
	}
	readReq     = t1(0xa0, integer(0x02, 1), t1(0xa4, t1(0xa1, listOf(objName1, objName2))))
	readResp    = t1(0xa1, integer(0x02, 1), t1(0xa4, t1(0xa1, []byte{0x87, 0x05, 0x08, 0x42, 0x48, 0x00, 0x00}, integer(0x85, 50))))
	readRespErr = t1(0xa1, integer(0x02, 1), t1(0xa4, t1(0xa1, integer(0x80, 10), integer(0x85, 50))))
	writeReq    = t1(0xa0, integer(0x02, 2), t1(0xa5, listOf(objName3), t1(0xa0, []byte{0x83, 0x01, 0xff})))
	writeResp   = t1(0xa1, integer(0x02, 2), t1(0xa5, []byte{0x81, 0x00}))
	writeFail   = t1(0xa1, integer(0x02, 2), t1(0xa5, integer(0x80, 3)))
	gnlReq      = t1(0xa0, integer(0x02, 3), t1(0xa1, t1(0xa0, integer(0x80, classDomain)), t1(0xa1, []byte{0x80, 0x00})))
	gnlResp     = t1(0xa1, integer(0x02, 3), t1(0xa1, t1(0xa0, str(0x1a, "LD0"), str(0x1a, "CTRL")), integer(0x81, 0)))
	gnlVarReq   = t1(0xa0, integer(0x02, 10), t1(0xa1, t1(0xa0, integer(0x80, 0)), t1(0xa1, str(0x81, "LD0"))))
	identReq    = t1(0xa0, integer(0x02, 4), []byte{0x82, 0x00})
	identResp   = t1(0xa1, integer(0x02, 4), t1(0xa2, str(0x80, "ACME Grid"), str(0x81, "IED-9000"), str(0x82, "4.2.1")))
	errPDU      = t1(0xa2, integer(0x80, 5), t1(0xa2, t1(0xa0, integer(0x87, 2))))
	rejectPDU   = t1(0xa4, integer(0x80, 6), integer(0x81, 1))
	report      = t1(0xa3, t1(0xa0, t1(0xa1, str(0x80, "RPT")), t1(0xa0, str(0x8a, "LD0/LLN0$BR$brcb01"), []byte{0x84, 0x02, 0x06, 0x40})))
	startReq    = t1(0xa0, integer(0x02, 7), el([]byte{0xbf, 0x28}, str(0x1a, "PROG1")))
	stopReq     = t1(0xa0, integer(0x02, 8), el([]byte{0xbf, 0x29}, str(0x1a, "PROG1")))
	fileDelReq  = t1(0xa0, integer(0x02, 9), el([]byte{0xbf, 0x4c}, str(0x19, "cfg.xml")))
	defNVLReq   = t1(0xa0, integer(0x02, 11), t1(0xab, t1(0xa1, str(0x1a, "LD0"), str(0x1a, "LLN0$DS1")), listOf(objName1)))
	unknownSvc  = t1(0xa0, integer(0x02, 12), el([]byte{0xbf, 0x64}))
	concludeReq = []byte{0x8b, 0x00}
)

// step is one chunk fed to the parser.
type step struct {
	dir dissect.Dir
	b   []byte
}

func c2s(b []byte) step { return step{dissect.Orig, b} }
func s2c(b []byte) step { return step{dissect.Resp, b} }

// session is an association: connection, initiate, a polling cycle and a conclude.
var session = []step{
	c2s(cr), s2c(cc), c2s(connect(initReq, false)), s2c(accept(initResp, 0)),
	c2s(data(gnlReq)), s2c(data(gnlResp)),
	c2s(data(identReq)), s2c(data(identResp)),
	c2s(data(readReq)), s2c(data(readResp)),
	c2s(data(writeReq)), s2c(data(writeResp)),
	s2c(data(report)),
	c2s(data(concludeReq)), s2c(data([]byte{0x8c, 0x00})),
}

// run feeds steps through a Stream, closes the parser and returns what it emitted.
func run(t testing.TB, steps ...step) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("mms", dissecttest.Flow(6, 102))
	s := &dissecttest.Stream{P: newParser(env)}
	for _, st := range steps {
		if err := s.Write(t, st.dir, st.b); err != nil {
			t.Fatalf("Parse: %v", err)
		}
	}
	s.P.Close()
	return c
}

func factValues(c *dissecttest.Capture, attr string) []string {
	var out []string
	for _, f := range c.Facts {
		if f.Attr == attr {
			out = append(out, f.Value)
		}
	}
	return out
}

func eventsOf(c *dissecttest.Capture, kind string) []dissect.Event {
	var out []dissect.Event
	for _, e := range c.Events {
		if e.Kind == kind {
			out = append(out, e)
		}
	}
	return out
}
