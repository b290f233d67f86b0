package profinet

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "profinet",
		Transport: dissect.UDP,
		Ports:     []uint16{Port},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logIOCM, "weird"},
	})
}

// Probe accepts a DCE/RPC connectionless (version 4) header, as ICSNPP's dpd.sig does
// (PDU type 0..10, a valid data representation), and in addition requires a whole 80-byte
// header and a PNIO or endpoint-mapper interface UUID, so that other DCE/RPC services on
// ephemeral ports are not taken for PROFINET.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < hdrLen {
		return dissect.NoMatch
	}
	if b[0] != 4 || b[1]&0x1f > 10 || b[5] > 3 {
		return dissect.NoMatch
	}
	switch b[4] {
	case 0x00, 0x01, 0x10, 0x11:
	default:
		return dissect.NoMatch
	}
	if iface(b[24:40], b[4]>>4 == 1) == ifaceOther {
		return dissect.NoMatch
	}
	return dissect.Match
}
