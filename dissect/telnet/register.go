package telnet

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "telnet",
		Transport: dissect.TCP,
		Ports:     []uint16{23},
		PortOnly:  true, // many servers start with plain text: only port 23 is offered
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logTelnet, "weird"},
	})
}

// Probe matches an option negotiation (IAC WILL/WONT/DO/DONT/SB) or printable text (a
// banner or prompt) at the start of either direction; binary starts (TLS, SSH-style binary
// protocols) do not match.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) == 0 {
		return dissect.NeedMore
	}
	if b[0] == iac {
		if len(b) < 2 {
			return dissect.NeedMore
		}
		if b[1] >= sb && b[1] <= dont {
			return dissect.Match
		}
		return dissect.NoMatch
	}
	n := min(len(b), 16)
	for _, c := range b[:n] {
		if c < 0x20 && c != '\r' && c != '\n' && c != '\t' || c >= 0x7f {
			return dissect.NoMatch
		}
	}
	if len(b) < 4 {
		return dissect.NeedMore
	}
	if string(b[:4]) == "SSH-" {
		return dissect.NoMatch
	}
	return dissect.Match
}
