package dhcp

import (
	"net/netip"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// bootp builds a DHCPv4 message (RFC 2131 §2): op, xid, yiaddr, chaddr, the magic cookie and
// the given options (code, value pairs), ended by option 255.
func bootp(op byte, xid uint32, yiaddr [4]byte, mac [6]byte, opts ...opt) []byte {
	b := make([]byte, bootpLen)
	b[0], b[1], b[2] = op, 1, 6 // op, htype Ethernet, hlen 6
	b[4], b[5], b[6], b[7] = byte(xid>>24), byte(xid>>16), byte(xid>>8), byte(xid)
	copy(b[16:20], yiaddr[:]) // yiaddr
	copy(b[28:34], mac[:])    // chaddr
	b = append(b, 0x63, 0x82, 0x53, 0x63)
	for _, o := range opts {
		b = append(b, o.code, byte(len(o.v)))
		b = append(b, o.v...)
	}
	return append(b, optEnd)
}

type opt struct {
	code byte
	v    []byte
}

func msgType(t byte) opt { return opt{optMsgType, []byte{t}} }

var (
	clientMAC = [6]byte{0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42}
	none      = [4]byte{}
	leased    = [4]byte{192, 168, 0, 10}
	discover  = bootp(1, 0x3903f326, none, clientMAC, msgType(1),
		opt{optHostName, []byte("plc-7")}, opt{optVendor, []byte("MSFT 5.0")},
		opt{optParamList, []byte{1, 3, 6, 15}}, opt{optClientID, append([]byte{1}, clientMAC[:]...)})
	offer = bootp(2, 0x3903f326, leased, clientMAC, msgType(2), opt{optServerID, []byte{192, 168, 0, 1}},
		opt{optLease, []byte{0, 0, 0x0e, 0x10}}, opt{optDomainName, []byte("plant.local")})
	request = bootp(1, 0x3903f326, none, clientMAC, msgType(3), opt{optRequested, leased[:]},
		opt{optServerID, []byte{192, 168, 0, 1}}, opt{optHostName, []byte("plc-7")})
	ack = bootp(2, 0x3903f326, leased, clientMAC, msgType(5), opt{optServerID, []byte{192, 168, 0, 1}},
		opt{optLease, []byte{0, 0, 0x0e, 0x10}})
)

// clientFlow is 0.0.0.0:68 → 255.255.255.255:67; serverFlow 192.168.0.1:67 → 255.255.255.255:68.
func clientFlow(uid string) *dissect.FlowInfo {
	return &dissect.FlowInfo{UID: uid, Proto: 17,
		Orig: dissect.Endpoint{IP: netip.IPv4Unspecified(), Port: 68},
		Resp: dissect.Endpoint{IP: netip.MustParseAddr("255.255.255.255"), Port: 67}}
}

func serverFlow(uid string) *dissect.FlowInfo {
	return &dissect.FlowInfo{UID: uid, Proto: 17,
		Orig: dissect.Endpoint{IP: netip.MustParseAddr("192.168.0.1"), Port: 67},
		Resp: dissect.Endpoint{IP: netip.MustParseAddr("255.255.255.255"), Port: 68}}
}

func newTestParser(tab *table, flow *dissect.FlowInfo) (*parser, *dissect.Env, *dissecttest.Capture) {
	env, c := dissecttest.NewEnv("dhcp", flow)
	return newParserTable(env, tab), env, c
}
