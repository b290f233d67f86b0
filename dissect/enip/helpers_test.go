package enip

import (
	"encoding/binary"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// Builders for test PDUs. Field layouts are annotated in parse_test.go; these only save typing.

func le16(v uint16) []byte { return binary.LittleEndian.AppendUint16(nil, v) }
func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// encapPDU builds an encapsulation header (status 0, options 0) and body.
func encapPDU(cmd uint16, session uint32, ctx uint64, body []byte) []byte {
	h := make([]byte, 24)
	binary.LittleEndian.PutUint16(h[0:], cmd)
	binary.LittleEndian.PutUint16(h[2:], uint16(len(body)))
	binary.LittleEndian.PutUint32(h[4:], session)
	binary.BigEndian.PutUint64(h[12:], ctx)
	return append(h, body...)
}

func cpfItem(typ uint16, data []byte) []byte { return cat(le16(typ), le16(uint16(len(data))), data) }

// rrData builds a SendRRData body: interface handle 0, timeout, null address, unconnected data.
func rrData(cip []byte) []byte {
	return cat(le32(0), le16(10), le16(2), cpfItem(itemNullAddress, nil), cpfItem(itemUnconnectedData, cip))
}

// unitData builds a SendUnitData body: connected address, connected data with sequence count.
func unitData(conn uint32, seq uint16, cip []byte) []byte {
	return cat(le32(0), le16(0), le16(2), cpfItem(itemConnectedAddress, le32(conn)), cpfItem(itemConnectedData, cat(le16(seq), cip)))
}

// req builds a CIP request: service, path size in words, path, data.
func req(svc uint8, path []byte, data []byte) []byte {
	if len(path)%2 != 0 {
		panic("odd path")
	}
	return cat([]byte{svc, byte(len(path) / 2)}, path, data)
}

// rsp builds a CIP response: service|0x80, reserved, status, no extended status, data.
func rsp(svc uint8, status uint8, data []byte) []byte {
	return cat([]byte{svc | 0x80, 0, status, 0}, data)
}

func cls(c, inst uint8) []byte { return []byte{0x20, c, 0x24, inst} }

const session = 0x11020100

func newTest(t testing.TB, proto uint8, port uint16) (*dissect.Env, *dissecttest.Capture, dissect.Parser) {
	env, c := dissecttest.NewEnv("enip", dissecttest.Flow(proto, port))
	return env, c, newParser(env)
}

// feed writes whole PDUs in one direction and fails on a parse error or leftover bytes.
func feed(t testing.TB, p dissect.Parser, dir dissect.Dir, pdus ...[]byte) {
	t.Helper()
	for _, b := range pdus {
		n, err := p.Parse(dir, b)
		if err != nil || n != len(b) {
			t.Fatalf("Parse: n=%d of %d, err=%v", n, len(b), err)
		}
	}
}

func kinds(c *dissecttest.Capture) []string {
	var out []string
	for _, e := range c.Events {
		out = append(out, e.Kind)
	}
	return out
}

func fact(c *dissecttest.Capture, side dissect.Dir, attr string) string {
	for _, f := range c.Facts {
		if f.Side == side && f.Attr == attr {
			return f.Value
		}
	}
	return ""
}

// identityAttrs is a Get_Attributes_All reply body of a 1756-L61 (attributes 1-8).
var identityAttrs = cat(
	le16(1),        // vendor: Rockwell
	le16(0x0e),     // device type: PLC
	le16(0x36),     // product code 54
	[]byte{20, 11}, // revision 20.11
	le16(0x3060),   // status
	le32(0x00c0ffee),
	[]byte{16}, []byte("1756-L61/B LOGIX"),
	[]byte{3}, // state: operational
)
