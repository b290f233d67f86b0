package dhcp

import "net/netip"

// message is the part of a DHCPv4 message (RFC 2131 §2, Figure 1) that dhcp.log and the facts
// use. Byte slices alias the datagram.
type message struct {
	op             uint8
	htype          uint8
	hlen           uint8
	xid            uint32
	ciaddr         netip.Addr
	yiaddr         netip.Addr
	chaddr         []byte
	msgType        uint8
	hostName       []byte
	domain         []byte
	clientFQDN     []byte
	requested      netip.Addr
	lease          uint32
	hasLease       bool
	message        []byte
	serverID       netip.Addr
	paramList      []byte
	vendor         []byte
	clientID       []byte // type octet then identifier (RFC 2132 §9.14)
	overrun        bool   // an option ran past its area
	clientFQDNWire []byte
}

// problems of a DHCPv4 message.
type problem uint8

const (
	probNone problem = iota
	probShort
	probCookie
)

// parseV4 decodes the fixed header and the options, including those overloaded into the file
// and sname fields (RFC 2132 §9.3).
func parseV4(b []byte, m *message) problem {
	*m = message{}
	if len(b) < bootpLen+4 {
		return probShort
	}
	m.op, m.htype, m.hlen = b[0], b[1], b[2]
	m.xid = uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
	m.ciaddr = netip.AddrFrom4([4]byte(b[12:16]))
	m.yiaddr = netip.AddrFrom4([4]byte(b[16:20]))
	hl := int(m.hlen)
	if hl > 16 {
		hl = 16
	}
	m.chaddr = b[28 : 28+hl]
	cookie := uint32(b[236])<<24 | uint32(b[237])<<16 | uint32(b[238])<<8 | uint32(b[239])
	if cookie != magicCookie {
		return probCookie
	}
	overload := m.options(b[240:])
	if overload&1 != 0 {
		m.options(b[108:236]) // file
	}
	if overload&2 != 0 {
		m.options(b[44:108]) // sname
	}
	return probNone
}

// options walks one option area and returns the overload option's value.
func (m *message) options(b []byte) (overload uint8) {
	for i := 0; i < len(b); {
		code := b[i]
		if code == optPad {
			i++
			continue
		}
		if code == optEnd {
			return
		}
		if i+1 >= len(b) || i+2+int(b[i+1]) > len(b) {
			m.overrun = true
			return
		}
		v := b[i+2 : i+2+int(b[i+1])]
		i += 2 + len(v)
		switch code {
		case optMsgType:
			if len(v) == 1 {
				m.msgType = v[0]
			}
		case optHostName:
			m.hostName = v
		case optDomainName:
			m.domain = trimNUL(v)
		case optRequested:
			if len(v) == 4 {
				m.requested = netip.AddrFrom4([4]byte(v))
			}
		case optLease:
			if len(v) == 4 {
				m.lease, m.hasLease = uint32(v[0])<<24|uint32(v[1])<<16|uint32(v[2])<<8|uint32(v[3]), true
			}
		case optOverload:
			if len(v) == 1 {
				overload = v[0]
			}
		case optServerID:
			if len(v) == 4 {
				m.serverID = netip.AddrFrom4([4]byte(v))
			}
		case optParamList:
			m.paramList = v
		case optMessage:
			m.message = v
		case optVendor:
			m.vendor = v
		case optClientID:
			m.clientID = v
		case optClientFQDN:
			// RFC 4702 §2: flags, two deprecated RCODEs, then the name, in DNS wire format
			// when the E flag is set, else ASCII.
			if len(v) > 3 {
				m.clientFQDN = v[3:]
				if v[0]&0x04 != 0 {
					m.clientFQDN = nil // decoded by the caller from the raw option
					m.clientFQDNWire = v[3:]
				}
			}
		}
	}
	return
}

func trimNUL(v []byte) []byte {
	for len(v) > 0 && v[len(v)-1] == 0 {
		v = v[:len(v)-1]
	}
	return v
}

// appendWireName appends a DNS wire-format name without compression (RFC 4702 §2.1) in
// dotted form.
func appendWireName(dst, b []byte) []byte {
	start := len(dst)
	for i := 0; i < len(b); {
		l := int(b[i])
		if l == 0 || l > 63 || i+1+l > len(b) {
			break
		}
		if len(dst) > start {
			dst = append(dst, '.')
		}
		dst = append(dst, b[i+1:i+1+l]...)
		i += 1 + l
	}
	return dst
}

// v6Message is what the DHCPv6 parser keeps (RFC 8415 §8, §21).
type v6Message struct {
	msgType uint8
	xid     uint32
	duidMAC []byte // link-layer address of a DUID-LLT/DUID-LL with hardware type 1
	fqdn    []byte // wire-format name of option 39
	vendor  []byte // vendor-class data of option 16
	oro     []byte
	server  bool // carries a server identifier
	overrun bool
}

func parseV6(b []byte, m *v6Message) bool {
	*m = v6Message{}
	if len(b) < 4 || b[0] == 0 || b[0] > 20 {
		return false
	}
	m.msgType = b[0]
	m.xid = uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	for i := 4; i < len(b); {
		if i+4 > len(b) {
			m.overrun = true
			return true
		}
		code := int(b[i])<<8 | int(b[i+1])
		l := int(b[i+2])<<8 | int(b[i+3])
		if i+4+l > len(b) {
			m.overrun = true
			return true
		}
		v := b[i+4 : i+4+l]
		i += 4 + l
		switch code {
		case v6OptClientID:
			// RFC 8415 §11.2 DUID-LLT (type 1: hw type, time, address), §11.4 DUID-LL (type 3).
			if len(v) >= 4 && v[0] == 0 && v[2] == 0 && v[3] == 1 {
				switch v[1] {
				case 1:
					if len(v) == 14 {
						m.duidMAC = v[8:14]
					}
				case 3:
					if len(v) == 10 {
						m.duidMAC = v[4:10]
					}
				}
			}
		case v6OptServerID:
			m.server = true
		case v6OptORO:
			m.oro = v
		case v6OptVendor:
			// enterprise-number (4), then vendor-class-data entries of 2-byte length.
			if len(v) >= 6 {
				n := int(v[4])<<8 | int(v[5])
				if 6+n <= len(v) {
					m.vendor = v[6 : 6+n]
				}
			}
		case v6OptFQDN:
			if len(v) > 1 {
				m.fqdn = v[1:]
			}
		}
	}
	return true
}
