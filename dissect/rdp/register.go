package rdp

import (
	"bytes"

	"github.com/quietwire/quietwire/dissect"
)

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
	if len(b) < 11 {
		return dissect.NeedMore
	}
	// The variable part tells RDP from ISO-on-TCP users of the same TPDUs (S7comm, MMS):
	// RDP carries nothing, a cookie or routing token, or an 8-byte RDP_NEG_* structure;
	// COTP carries parameters coded 0xc0-0xc2 (TPDU size, calling/called TSAP).
	v := b[11:min(len(b), n)]
	switch {
	case b[10] != 0: // class 0 only
		return dissect.NoMatch
	case len(v) == 0:
	case bytes.HasPrefix(v, []byte("Cookie: ")):
	case len(v) == 8 && v[0] >= 1 && v[0] <= 3 && v[2] == 8 && v[3] == 0:
	default:
		return dissect.NoMatch
	}
	return dissect.Match
}
