package fins

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "fins",
		Transport: dissect.TCP | dissect.UDP,
		Ports:     []uint16{Port},
		// A bare FINS header (UDP) has no magic: only flows on 9600 are offered.
		PortOnly: true,
		Probe:    Probe,
		New:      newParser,
		Logs:     []string{logFINS, "weird"},
	})
}

// Probe accepts a FINS/TCP header ("FINS", a length of 8..8192, a known FINS/TCP command) or a
// bare FINS frame as UDP carries it: ICF reserved bits clear, RSV 0, GCT <= 7 and a command code
// from W227's list. Anything else on 9600 is NoMatch.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) == 0 {
		return dissect.NeedMore
	}
	if isMagic(b) {
		h, ok := parseTCPHeader(b)
		if !ok {
			return dissect.NeedMore
		}
		if !validTCPHeader(b, h) {
			return dissect.NoMatch
		}
		return dissect.Match
	}
	f, ok := parseFrame(b)
	if !ok {
		if len(b) >= 3 && (b[0]&0x3e != 0 || b[1] != 0 || b[2] > 7) {
			return dissect.NoMatch
		}
		return dissect.NeedMore
	}
	if !f.plausible() || commandName(f.command) == "" {
		return dissect.NoMatch
	}
	if f.isResponse() && len(f.data) < 2 {
		return dissect.NoMatch // a response carries MRES/SRES
	}
	return dissect.Match
}
