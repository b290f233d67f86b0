package hartip

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "hartip",
		Transport: dissect.TCP | dissect.UDP,
		Ports:     []uint16{Port},
		PortOnly:  true, // an 8-byte header of small values: too weak a signature elsewhere
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logHARTIP, "weird"},
	})
}

// Probe accepts a HART-IP header: version 1 or 2, a defined message type and id, a byte count
// of 8..8192 that the bytes seen do not contradict (a following message must start right
// after it).
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if !prefixOK(b) {
		return dissect.NoMatch
	}
	h, ok := parseHeader(b)
	if !ok {
		return dissect.NeedMore
	}
	if !h.valid() {
		return dissect.NoMatch
	}
	if n := int(h.length); len(b) > n && !prefixOK(b[n:min(len(b), n+3)]) {
		return dissect.NoMatch
	}
	return dissect.Match
}
