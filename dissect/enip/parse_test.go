package enip

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want dissect.Verdict
	}{
		{"register session request", []byte{
			0x65, 0x00, // command: RegisterSession
			0x04, 0x00, // length 4
			0x00, 0x00, 0x00, 0x00, // session handle 0 (not yet assigned)
			0x00, 0x00, 0x00, 0x00, // status: success
			0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, // sender context
			0x00, 0x00, 0x00, 0x00, // options
			0x01, 0x00, // protocol version 1
			0x00, 0x00, // option flags
		}, dissect.Match},
		{"list identity request", []byte{
			0x63, 0x00, 0x00, 0x00, // ListIdentity, length 0
			0, 0, 0, 0, 0, 0, 0, 0, // session, status
			0, 0, 0, 0, 0xc1, 0xde, 0xbe, 0xd1, // sender context
			0, 0, 0, 0, // options
		}, dissect.Match},
		{"send rr data", []byte{
			0x6f, 0x00, 0x18, 0x00, // SendRRData, length 24
			0x00, 0x01, 0x02, 0x11, // session handle
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // status, sender context
			0, 0, 0, 0, // options
			0, 0, 0, 0, // interface handle: CIP
			0x0a, 0x00, // timeout
			0x02, 0x00, // item count 2
		}, dissect.Match},
		{"send rr data with non-CIP interface", []byte{
			0x6f, 0x00, 0x18, 0x00, 0x00, 0x01, 0x02, 0x11,
			0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
			0x07, 0, 0, 0, // interface handle 7: not CIP
			0x0a, 0x00, 0x02, 0x00,
		}, dissect.NoMatch},
		{"register session with options", []byte{
			0x65, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0,
			0, 0, 0, 0, 0, 0, 0, 0,
			0x01, 0, 0, 0, // options must be zero
			0x01, 0x00, 0x00, 0x00,
		}, dissect.NoMatch},
		{"short known command", []byte{0x65, 0x00, 0x04}, dissect.NeedMore},
		{"short unknown command", []byte{0x47, 0x45, 0x54}, dissect.NoMatch},
		{"http", []byte("GET / HTTP/1.1\r\nHost: plc\r\n\r\n"), dissect.NoMatch},
		{"connected i/o", []byte{
			0x02, 0x00, // item count 2
			0x02, 0x80, 0x08, 0x00, // sequenced address item, length 8
			0x03, 0x06, 0x4b, 0x00, // connection id 0x004b0603
			0xdb, 0x94, 0x3f, 0x00, // encapsulation sequence number
			0xb1, 0x00, 0x02, 0x00, // connected data item, length 2
			0x01, 0x00, // data
		}, dissect.Match},
		{"i/o length mismatch", []byte{0x02, 0x00, 0x02, 0x80, 0x08, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xb1, 0x00, 0x09, 0x00, 0x01, 0x00}, dissect.NoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := probe(dissect.Orig, tt.in); got != tt.want {
				t.Fatalf("probe = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestParsePath(t *testing.T) {
	tests := []struct {
		name              string
		in                []byte
		class, inst, attr int64 // -1 = absent
		symbol            string
		ok                bool
	}{
		{"class instance", []byte{0x20, 0x01, 0x24, 0x01}, 1, 1, -1, "", true},
		{"class instance attribute", []byte{0x20, 0x02, 0x24, 0x01, 0x30, 0x07}, 2, 1, 7, "", true},
		{"16-bit", []byte{
			0x21, 0x00, 0x34, 0x12, // class 0x1234 (pad byte, uint16)
			0x25, 0x00, 0x20, 0x24, // instance 0x2420
		}, 0x1234, 0x2420, -1, "", true},
		{"32-bit instance", []byte{0x20, 0x6b, 0x26, 0x00, 0x01, 0x00, 0x01, 0x00}, 0x6b, 0x10001, -1, "", true},
		{"connection point", []byte{0x20, 0x04, 0x2c, 0x64}, 4, 0x64, -1, "", true},
		{"symbol odd length padded", []byte{0x91, 0x05, 'S', 'p', 'e', 'e', 'd', 0x00}, -1, -1, -1, "Speed", true},
		{"port then class", []byte{
			0x01, 0x00, // port 1, link address 0 (backplane slot 0)
			0x20, 0x06, 0x24, 0x01,
		}, 6, 1, -1, "", true},
		{"extended port", []byte{0x12, 0x04, 10, 0, 0, 1, 0x20, 0x02}, 2, -1, -1, "", true},
		{"truncated 16-bit", []byte{0x21, 0x00, 0x34}, -1, -1, -1, "", false},
		{"unknown segment", []byte{0x20, 0x01, 0xe0, 0x00}, 1, -1, -1, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parsePath(tt.in)
			get := func(has bool, v uint32) int64 {
				if !has {
					return -1
				}
				return int64(v)
			}
			if get(p.hasClass, p.class) != tt.class || get(p.hasInst, p.instance) != tt.inst ||
				get(p.hasAttr, p.attribute) != tt.attr || string(p.symbol) != tt.symbol || p.ok != tt.ok {
				t.Fatalf("got %+v", p)
			}
		})
	}
}

func TestParseMsg(t *testing.T) {
	// Response with an extended status: Forward Open failed, "Connection in use".
	in := []byte{
		0xd4,       // service: Forward Open | response
		0x00,       // reserved
		0x01,       // general status: Connection Failure
		0x01,       // extended status size: 1 word
		0x00, 0x01, // extended status 0x0100
		0xaa, // remaining data
	}
	m, ok := parseMsg(in)
	if !ok || !m.resp || m.code != 0x54 || m.status != 1 || !m.hasExt || m.extStatus != 0x100 || len(m.data) != 1 {
		t.Fatalf("got %+v ok=%v", m, ok)
	}
	if _, ok := parseMsg([]byte{0x0e, 0x03, 0x20, 0x01}); ok {
		t.Fatal("truncated path accepted")
	}
	if _, ok := parseMsg([]byte{0x8e, 0x00, 0x00, 0x02, 0x00}); ok {
		t.Fatal("truncated extended status accepted")
	}
}

func TestMultipleSplit(t *testing.T) {
	body := []byte{
		0x02, 0x00, // 2 services
		0x06, 0x00, // offset of service 1 (from the count field)
		0x0c, 0x00, // offset of service 2
		0x0e, 0x02, 0x20, 0x01, 0x24, 0x01, // Get_Attribute_Single Identity/1
		0x01, 0x02, 0x20, 0x02, 0x24, 0x01, // Get_Attributes_All Message Router/1
	}
	split := func() (got []uint8, bad int) {
		it := newMulti(body)
		for {
			_, m, ok := it.next()
			if !ok {
				return got, it.bad
			}
			got = append(got, m[0])
		}
	}
	if got, bad := split(); bad != 0 || len(got) != 2 || got[0] != 0x0e || got[1] != 0x01 {
		t.Fatalf("bad=%d got=%x", bad, got)
	}
	body[4] = 0x40 // offset past the end: neither service can be delimited
	if _, bad := split(); bad != 2 {
		t.Fatalf("bad offset not counted: %d", bad)
	}
}

func TestParsePCCC(t *testing.T) {
	in := []byte{
		0x07,       // requester id length (counts itself)
		0x01, 0x00, // vendor
		0x78, 0x56, 0x34, 0x12, // serial
		0x0f,       // CMD 0x0F
		0x00,       // STS
		0x34, 0x12, // TNSW
		0xaa, // FNC: protected typed logical write, 3 address fields
		0x02, 0x07, 0x89, 0x00, 0x00,
	}
	p, ok := parsePCCC(in)
	if !ok || p.cmd != 0x0f || p.tns != 0x1234 || !p.hasFnc || p.fnc != 0xaa {
		t.Fatalf("got %+v ok=%v", p, ok)
	}
	if _, ok := parsePCCC([]byte{0x09, 1, 2}); ok {
		t.Fatal("requester id longer than data accepted")
	}
}
