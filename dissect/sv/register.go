package sv

import (
	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/wire"
)

func init() {
	dissect.Register(dissect.Factory{
		Name:       "sv",
		Transport:  dissect.Ether,
		Ethertypes: []uint16{EtherType},
		Probe:      Probe,
		New:        newParser,
		Logs:       []string{logSV, "weird"},
	})
}

// Probe accepts a payload whose header Length agrees exactly with the BER length of the
// savPdu (tag 0x60) that follows.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < headerLen+2 || b[headerLen] != tagSavPdu {
		return dissect.NoMatch
	}
	length := int(b[2])<<8 | int(b[3])
	l, k, ok := wire.BERLen(b[headerLen+1:], 2)
	if !ok || headerLen+1+k+l != length {
		return dissect.NoMatch
	}
	return dissect.Match
}
