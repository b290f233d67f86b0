package snmp

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "snmp",
		Transport: dissect.UDP,
		Ports:     []uint16{portAgent, portTrap},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logSNMP, "weird"},
	})
}

// Probe accepts a datagram that is one BER SEQUENCE whose first element is the version
// INTEGER 0, 1 or 3, followed by an OCTET STRING community (v1/v2c) or a SEQUENCE
// msgGlobalData (v3).
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	outer := ber{b: b}
	body, ok := outer.expect(tagSequence)
	if !ok {
		return dissect.NoMatch
	}
	r := ber{b: body}
	v, ok := r.integer()
	if !ok {
		return dissect.NoMatch
	}
	tag, _, ok := r.next()
	switch {
	case !ok:
		return dissect.NoMatch
	case (v == 0 || v == 1) && tag == tagOctets, v == 3 && tag == tagSequence:
		return dissect.Match
	}
	return dissect.NoMatch
}
