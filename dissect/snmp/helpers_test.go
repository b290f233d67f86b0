package snmp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// tlv builds one BER TLV with a short or long definite length.
func tlv(tag byte, parts ...[]byte) []byte {
	var v []byte
	for _, p := range parts {
		v = append(v, p...)
	}
	b := []byte{tag}
	switch n := len(v); {
	case n < 0x80:
		b = append(b, byte(n))
	case n < 0x100:
		b = append(b, 0x81, byte(n))
	default:
		b = append(b, 0x82, byte(n>>8), byte(n))
	}
	return append(b, v...)
}

func integer(n int64) []byte {
	var v []byte
	for {
		v = append([]byte{byte(n)}, v...)
		if (n < 128 && n >= -128) || len(v) == 8 {
			break
		}
		n >>= 8
	}
	return tlv(tagInteger, v)
}

func octets(s string) []byte { return tlv(tagOctets, []byte(s)) }

func null() []byte { return []byte{tagNull, 0} }

// oid encodes a dotted OID given as arcs.
func oid(arcs ...uint64) []byte {
	var v []byte
	subs := append([]uint64{arcs[0]*40 + arcs[1]}, arcs[2:]...)
	for _, a := range subs {
		var enc []byte
		enc = append(enc, byte(a&0x7f))
		for a >>= 7; a > 0; a >>= 7 {
			enc = append([]byte{byte(a&0x7f | 0x80)}, enc...)
		}
		v = append(v, enc...)
	}
	return tlv(tagOID, v)
}

func sysOID(n uint64) []byte { return oid(1, 3, 6, 1, 2, 1, 1, n, 0) }

func vb(name, value []byte) []byte { return tlv(tagSequence, name, value) }

// pdu builds a generic PDU: request-id, error-status, error-index, bindings.
func pdu(tag byte, id int64, bindings ...[]byte) []byte {
	return tlv(tag, integer(id), integer(0), integer(0), tlv(tagSequence, bindings...))
}

// v2c wraps a PDU in an SNMPv2c message with community c.
func v2c(c string, p []byte) []byte { return tlv(tagSequence, integer(1), octets(c), p) }

func v1(c string, p []byte) []byte { return tlv(tagSequence, integer(0), octets(c), p) }

// v3 builds an SNMPv3 message (noAuthNoPriv unless flags say otherwise) with USM user.
func v3(msgID int64, flags byte, user string, scoped []byte) []byte {
	usm := tlv(tagSequence, octets("\x80\x00\x1f\x88\x80\xa9"), integer(221), integer(221), octets(user), octets(""), octets(""))
	return tlv(tagSequence, integer(3),
		tlv(tagSequence, integer(msgID), integer(65507), tlv(tagOctets, []byte{flags}), integer(3)),
		tlv(tagOctets, usm),
		scoped)
}

func scoped(p []byte) []byte {
	return tlv(tagSequence, octets("\x80\x00\x1f\x88\x80\xa9"), octets(""), p)
}

var (
	getSys = v2c("public", pdu(pduGet, 7, vb(sysOID(1), null()), vb(sysOID(2), null()), vb(sysOID(3), null()), vb(sysOID(5), null()), vb(sysOID(6), null())))
	rspSys = v2c("public", pdu(pduResponse, 7,
		vb(sysOID(1), octets("SIMATIC NET, SCALANCE X308-2, HW: 5, FW: V4.1.0")),
		vb(sysOID(2), oid(1, 3, 6, 1, 4, 1, 4329, 20, 1, 1)),
		vb(sysOID(3), tlv(tagTimeTicks, []byte{0x00, 0x98, 0x96, 0x80})), // 10,000,000 ticks = 100000 s
		vb(sysOID(5), octets("sw-cell-3")),
		vb(sysOID(6), octets("Hall 2 cabinet 7"))))
	setName = v1("private", pdu(pduSet, 9, vb(sysOID(5), octets("pwned")), vb(sysOID(6), octets("x"))))
	setResp = v1("private", pdu(pduResponse, 9, vb(sysOID(5), octets("pwned")), vb(sysOID(6), octets("x"))))
	bulk    = v2c("public", tlv(pduGetBulk, integer(11), integer(0), integer(10), tlv(tagSequence, vb(oid(1, 3, 6, 1, 2, 1, 2), null()))))
	trapV1  = v1("public", tlv(pduTrapV1, oid(1, 3, 6, 1, 4, 1, 31337, 0), tlv(tagIPAddress, []byte{127, 0, 0, 1}),
		integer(0), integer(0), tlv(tagTimeTicks, []byte{0}), tlv(tagSequence, vb(oid(1, 3, 6, 1, 2, 1, 2, 1, 0), integer(33)))))
	v3Get  = v3(544943986, flagReportable, "username", scoped(pdu(pduGet, 544943986, vb(sysOID(6), null()))))
	v3Resp = v3(544943986, 0, "username", scoped(pdu(pduResponse, 544943986, vb(sysOID(6), octets("")))))
	v3Priv = tlv(tagSequence, integer(3),
		tlv(tagSequence, integer(5), integer(65507), tlv(tagOctets, []byte{flagAuth | flagPriv | flagReportable}), integer(3)),
		tlv(tagOctets, tlv(tagSequence, octets("\x80\x00"), integer(1), integer(2), octets("admin"), octets("12345678"), octets("salt"))),
		octets("\x8a\x31\xe0\x01encrypted"))
)

const t0 = int64(1_600_000_000_000_000_000)

type step struct {
	dir dissect.Dir
	b   []byte
}

func q(b []byte) step { return step{dissect.Orig, b} }
func a(b []byte) step { return step{dissect.Resp, b} }

// run feeds datagrams 1 ms apart to a fresh parser on 10.0.0.1:50000 → 10.0.0.2:port and
// closes it.
func run(t testing.TB, port uint16, steps ...step) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("snmp", dissecttest.Flow(17, port))
	env.TS = t0
	p := newParser(env)
	for _, s := range steps {
		if n, err := p.Parse(s.dir, s.b); n != len(s.b) || err != nil {
			t.Fatalf("Parse = %d, %v", n, err)
		}
		env.TS += 1e6
	}
	p.Close()
	return c
}

func weirdNames(c *dissecttest.Capture) map[string]string {
	m := map[string]string{}
	for _, r := range c.Logs("weird") {
		m[r.Get("name")] = r.Get("addl")
	}
	return m
}
