package dhcp

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "dhcp",
		Transport: dissect.UDP,
		// Only the server ports: the engine takes Ports as likely server ports, and Zeek counts
		// 67 (not 68) among them, so that a server's unicast reply flips to client → server.
		Ports:    []uint16{portServer, portV6Server},
		PortOnly: true,
		Probe:    Probe,
		New:      newParser,
		Logs:     []string{logDHCP, "weird"},
	})
}

// Probe accepts a BOOTP/DHCPv4 datagram (op 1 or 2, a hardware address length of at most 16,
// the whole fixed header and the magic cookie, or a cookie-less BOOTP message of at least 300
// bytes) and a DHCPv6 message whose options parse exactly.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) >= bootpLen+4 && (b[0] == 1 || b[0] == 2) && b[2] <= 16 {
		cookie := uint32(b[236])<<24 | uint32(b[237])<<16 | uint32(b[238])<<8 | uint32(b[239])
		if cookie == magicCookie || len(b) >= 300 {
			return dissect.Match
		}
	}
	var m v6Message
	if len(b) >= 8 && b[0] >= 1 && b[0] <= 13 && parseV6(b, &m) && !m.overrun {
		return dissect.Match
	}
	return dissect.NoMatch
}
