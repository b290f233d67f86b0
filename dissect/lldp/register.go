package lldp

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:       "lldp",
		Transport:  dissect.Ether,
		Ethertypes: []uint16{EtherType},
		Probe:      Probe,
		New:        newParser,
		Logs:       []string{logLLDP, "weird"},
	})
}

// Probe accepts a payload whose first TLV is a Chassis ID (type 1) of length 2..256 that fits
// in the frame, followed by at least a TLV header (IEEE Std 802.1AB-2016 §8.2).
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < 4 || b[0]>>1 != tlvChassisID {
		return dissect.NoMatch
	}
	l := int(b[0]&1)<<8 | int(b[1])
	if l < 2 || l > 256 || 2+l+2 > len(b) {
		return dissect.NoMatch
	}
	return dissect.Match
}
