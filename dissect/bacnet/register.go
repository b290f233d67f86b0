package bacnet

import "github.com/quietwire/quietwire/dissect"

func init() {
	ports := make([]uint16, 0, 16)
	for p := uint16(47808); p <= 47823; p++ { // 0xBAC0..0xBACF (Annex J.1.1)
		ports = append(ports, p)
	}
	dissect.Register(dissect.Factory{
		Name:      "bacnet",
		Transport: dissect.UDP | dissect.Ether,
		Ports:     ports,
		LLCSAPs:   []uint8{0x82}, // BACnet/Ethernet (ANSI/ASHRAE 135 clause 7)
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logBacnet, logDiscovery, logProperty, logDevice, "weird"},
	})
}

// Probe matches a datagram that is a whole, well-formed BACnet/IP message: BVLC type 0x81, a
// known function, and for NPDU-carrying functions an NPDU of version 1 whose header (and APDU
// header) decode. A BVLC length that differs from the datagram's does not prevent a match
// (some generators miscompute it); Parse reports it as bacnet_bad_bvlc_length.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) > 0 && b[0] == 0x01 {
		// An NPDU without BVLC: BACnet/Ethernet frames (LLC SAP 0x82) start with the version.
		n, prob := parseNPDU(b)
		if prob != probNone {
			return dissect.NoMatch
		}
		if !n.netMsg {
			if _, prob := parseAPDU(n.apdu); prob != probNone {
				return dissect.NoMatch
			}
		}
		return dissect.Match
	}
	h, _, prob := parseBVLC(b)
	if prob != probNone {
		return dissect.NoMatch
	}
	if h.npdu != nil {
		n, prob := parseNPDU(h.npdu)
		if prob != probNone {
			return dissect.NoMatch
		}
		if !n.netMsg {
			if _, prob := parseAPDU(n.apdu); prob != probNone {
				return dissect.NoMatch
			}
		}
	}
	return dissect.Match
}
