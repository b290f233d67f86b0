package ntp

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "ntp",
		Transport: dissect.UDP,
		Ports:     []uint16{portNTP},
		PortOnly:  true,
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logNTP, "weird"},
	})
}

// Probe accepts a datagram with version 1..4 that is a whole 48-byte header (plus extension
// fields or a MAC: 48, 52..68, or longer in steps of 4) in modes 1-5, or a control (mode 6)
// or private (mode 7) message.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	var k packet
	if !parse(b, &k) {
		return dissect.NoMatch
	}
	if k.mode == 0 || (k.mode < modeControl && (len(b)-hdrLen)%4 != 0) {
		return dissect.NoMatch
	}
	return dissect.Match
}
