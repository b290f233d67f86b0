package dns

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// Message builders: every byte of a test message is spelled out by one of these.

// name encodes a dotted name as labels ending in the root label (RFC 1035 §3.1).
func name(s string) []byte {
	var b []byte
	if s != "" {
		for _, l := range strings.Split(s, ".") {
			b = append(b, byte(len(l)))
			b = append(b, l...)
		}
	}
	return append(b, 0)
}

func u16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }
func u32(v uint32) []byte { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// hdr builds a header: id, flags, then the four section counts.
func hdr(id, flags, qd, an, ns, ar uint16) []byte {
	return cat(u16(id), u16(flags), u16(qd), u16(an), u16(ns), u16(ar))
}

// question is QNAME QTYPE QCLASS (RFC 1035 §4.1.2).
func question(n string, typ, class uint16) []byte { return cat(name(n), u16(typ), u16(class)) }

// record is NAME TYPE CLASS TTL RDLENGTH RDATA (RFC 1035 §4.1.3); owner is already encoded.
func record(owner []byte, typ, class uint16, ttl uint32, rdata []byte) []byte {
	return cat(owner, u16(typ), u16(class), u32(ttl), u16(uint16(len(rdata))), rdata)
}

// ptr is a compression pointer to offset off.
func ptr(off int) []byte { return []byte{0xc0 | byte(off>>8), byte(off)} }

// cs is a <character-string>.
func cs(s string) []byte { return append([]byte{byte(len(s))}, s...) }

const (
	flagsQuery    = 0x0100 // RD
	flagsResponse = 0x8180 // QR RD RA
)

var (
	aQuery = cat(hdr(0x1234, flagsQuery, 1, 0, 0, 0), // id 0x1234, RD, one question
		question("plc1.example.com", typeA, 1)) // plc1.example.com A IN
	aReply = cat(hdr(0x1234, flagsResponse, 1, 1, 0, 0),
		question("plc1.example.com", typeA, 1),
		record(ptr(12), typeA, 1, 300, []byte{192, 0, 2, 10})) // owner = question name, 192.0.2.10
)

type tcase struct {
	env *dissect.Env
	cap *dissecttest.Capture
	p   *parser
}

func newCase(proto uint8, port uint16) *tcase {
	env, c := dissecttest.NewEnv("dns", dissecttest.Flow(proto, port))
	return &tcase{env: env, cap: c, p: newParser(env).(*parser)}
}

func (tc *tcase) udp(t *testing.T, dir dissect.Dir, b []byte) {
	t.Helper()
	if n, err := tc.p.Parse(dir, b); n != len(b) || err != nil {
		t.Fatalf("Parse = %d, %v", n, err)
	}
	tc.env.TS += 1_000_000 // 1 ms between messages
}

// tcpFrame prefixes a message with its 2-byte length (RFC 1035 §4.2.2).
func tcpFrame(m []byte) []byte { return cat(u16(uint16(len(m))), m) }

type netipAddr = netip.Addr

func parseAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
