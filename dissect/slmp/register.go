package slmp

import "github.com/quietwire/quietwire/dissect"

// ports: SLMP's default (5007) and the range MELSEC Ethernet modules are commonly set to
// (5000-5010, SH-080956 §2 and the GX Works "open setting" defaults).
var ports = []uint16{5000, 5001, 5002, 5003, 5004, 5005, 5006, 5007, 5008, 5009, 5010}

func init() {
	dissect.Register(dissect.Factory{
		Name:      "slmp",
		Transport: dissect.TCP | dissect.UDP,
		Ports:     ports,
		PortOnly:  true, // 2-byte subheaders are too weak a signature off these ports
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logSLMP, "weird"},
	})
}

// Probe accepts a binary 3E/4E frame: one of the four subheaders, 4E reserved bytes 0, a
// data length within bounds that the bytes seen do not contradict, and for a request a known
// command. ASCII frames ("5000…") are not parsed and answer NoMatch.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if !subheaderOK(b) {
		return dissect.NoMatch
	}
	h, ok := parseHeader(b)
	if !ok {
		return dissect.NeedMore
	}
	if !valid(b, h) {
		return dissect.NoMatch
	}
	if len(b) > h.total() && !subheaderOK(b[h.total():]) {
		return dissect.NoMatch // a second frame must follow directly
	}
	if h.isResponse() {
		return dissect.Match
	}
	if len(b) < h.hdrLen+6 {
		return dissect.NeedMore
	}
	if commandName(le16(b[h.hdrLen+2:])) == "" {
		return dissect.NoMatch
	}
	return dissect.Match
}
