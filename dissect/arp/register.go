package arp

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:       "arp",
		Transport:  dissect.Ether,
		Ethertypes: []uint16{EtherType},
		SNAP:       []uint64{snapARP},
		Probe:      Probe,
		New:        newParser,
		Logs:       []string{logARP, "weird"},
	})
}

// Probe accepts a payload of at least the fixed ARP header whose hardware type is Ethernet or
// IEEE 802, or whose protocol type is IPv4 or IPv6. The Ethertype already selects ARP; the
// probe only rejects junk, so that a pseudo-flow whose first frame has a corrupt address
// length (Zeek's arp-leak trace) is still parsed and reported.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < fixedLen {
		return dissect.NoMatch
	}
	hrd := uint16(b[0])<<8 | uint16(b[1])
	pro := uint16(b[2])<<8 | uint16(b[3])
	if hrd == hrdEther || hrd == hrdIEEE802 || pro == proIPv4 || pro == proIPv6 {
		return dissect.Match
	}
	return dissect.NoMatch
}
