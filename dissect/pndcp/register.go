package pndcp

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:       "pndcp",
		Transport:  dissect.Ether,
		Ethertypes: []uint16{EtherType},
		Probe:      Probe,
		New:        newParser,
		Logs:       []string{logDCP, logRT, "weird"},
	})
}

// Probe decides on the first frame of a PROFINET pseudo-flow. DCP frames must carry a known
// service, a known service type and a DCPDataLength that fits; other frames must use a
// defined frame id and be at least as long as the smallest real frame of their class.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < 2 {
		return dissect.NoMatch
	}
	fid := uint16(b[0])<<8 | uint16(b[1])
	switch rtClass(fid) {
	case "DCP":
		if len(b) < 12 || serviceName(b[2]) == "UNKNOWN" || serviceTypeName(b[3]) == "UNKNOWN" {
			return dissect.NoMatch
		}
		if int(b[10])<<8|int(b[11]) > len(b)-12 {
			return dissect.NoMatch
		}
		return dissect.Match
	case "RESERVED", "FRAGMENTATION":
		return dissect.NoMatch
	case "ALARM_HIGH", "ALARM_LOW":
		if len(b) < 14 {
			return dissect.NoMatch
		}
		return dissect.Match
	}
	// Cyclic and PTCP frames fill at least a minimum Ethernet payload (46 bytes, 42 once a
	// VLAN tag is removed), frame id included.
	if len(b) < 40 {
		return dissect.NoMatch
	}
	return dissect.Match
}
