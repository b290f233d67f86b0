package ssh

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "ssh",
		Transport: dissect.TCP,
		Ports:     []uint16{22, 2222},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logSSH, "weird"},
	})
}

// Probe matches a direction that starts with an SSH identification string "SSH-2.0-",
// "SSH-1.99-" or "SSH-1.x-". A server may send other text lines first (RFC 4253 §4.2): those
// answer NeedMore while they are printable, and the other direction usually decides.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	const p = "SSH-"
	n := len(b)
	if n > len(p) {
		n = len(p)
	}
	if string(b[:n]) == p[:n] {
		if len(b) < 8 {
			return dissect.NeedMore
		}
		v := b[4:]
		if hasPrefix(v, "2.0-") || hasPrefix(v, "1.99-") || (hasPrefix(v, "1.") && v[2] >= '0' && v[2] <= '9') {
			return dissect.Match
		}
		return dissect.NoMatch
	}
	if dir == dissect.Orig {
		return dissect.NoMatch
	}
	// Pre-banner lines from the server: printable text, then "SSH-" at a line start.
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\n' && i+1 < len(b) {
			return Probe(dir, b[i+1:])
		}
		if (c < 0x20 && c != '\r' && c != '\t' && c != '\n') || c == 0x7f {
			return dissect.NoMatch
		}
	}
	return dissect.NeedMore
}
