package ssdp

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "ssdp",
		Transport: dissect.UDP,
		Ports:     []uint16{portSSDP},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logSSDP, "weird"},
	})
}

// Probe accepts a datagram that starts with an SSDP start line ("NOTIFY * HTTP/1.x",
// "M-SEARCH * HTTP/1.x", or an HTTP/1.x status line) and carries an SSDP header (NT, ST or
// USN), so that plain HTTP is left to the HTTP dissector.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	var m message
	if !parse(b, &m) {
		return dissect.NoMatch
	}
	if m.nt == nil && m.st == nil && m.usn == nil {
		return dissect.NoMatch
	}
	return dissect.Match
}
