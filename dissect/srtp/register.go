package srtp

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "srtp",
		Transport: dissect.TCP,
		Ports:     []uint16{Port},
		PortOnly:  true, // the session opens with 56 zero bytes: no signature off 18245
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logSRTP, "weird"},
	})
}

// Probe accepts a whole first message: the all-zero initialisation request, the
// initialisation response (type 1), or a request/response with a defined mailbox type (and,
// for an initial request, a known service request code).
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if !prefixOK(b) {
		return dissect.NoMatch
	}
	m, ok := parseMessage(b)
	if !ok {
		return dissect.NeedMore
	}
	if !m.valid() {
		return dissect.NoMatch
	}
	if (m.mbxType == mbxInitial || m.mbxType == mbxInitialWithText) && m.ptype == typeRequest && serviceName(m.b[42]) == "" {
		return dissect.NoMatch
	}
	return dissect.Match
}
