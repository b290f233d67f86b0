package rdp

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "rdp",
		Transport: dissect.TCP,
		Ports:     []uint16{3389},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logRDP, "weird"},
	})
}

// Probe matches a TPKT (version 3) carrying an X.224 Connection Request (client) or
// Connection Confirm (server) whose length indicator fits the TPKT length.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < 6 {
		if len(b) >= 1 && b[0] != 3 || len(b) >= 2 && b[1] != 0 {
			return dissect.NoMatch
		}
		return dissect.NeedMore
	}
	n := int(b[2])<<8 | int(b[3])
	if b[0] != 3 || b[1] != 0 || n < 11 || n > 4096 || int(b[4]) != n-5 {
		return dissect.NoMatch
	}
	code := b[5] & 0xf0
	if dir == dissect.Orig && code != x224CR || dir == dissect.Resp && code != x224CC {
		return dissect.NoMatch
	}
	return dissect.Match
}
