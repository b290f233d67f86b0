package vnc

import (
	"bytes"

	"github.com/quietwire/quietwire/dissect"
)

func init() {
	dissect.Register(dissect.Factory{
		Name:      "vnc",
		Transport: dissect.TCP,
		Ports:     []uint16{5900, 5901, 5902, 5903, 5904, 5905, 5906, 5907, 5908, 5909},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logVNC, "weird"},
	})
}

// Probe matches the 12-byte RFB ProtocolVersion message "RFB xxx.yyy\n" that both sides
// send first. Spec: RFC 6143 7.1.1.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	const magic = "RFB "
	n := min(len(b), 4)
	if !bytes.Equal(b[:n], []byte(magic)[:n]) {
		return dissect.NoMatch
	}
	if len(b) < 12 {
		return dissect.NeedMore
	}
	if _, _, ok := version(b); !ok {
		return dissect.NoMatch
	}
	return dissect.Match
}
