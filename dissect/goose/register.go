package goose

import (
	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/wire"
)

func init() {
	dissect.Register(dissect.Factory{
		Name:       "goose",
		Transport:  dissect.Ether,
		Ethertypes: []uint16{EtherType},
		Probe:      Probe,
		New:        newParser,
		Logs:       []string{logGoose, "weird"},
	})
}

// Probe accepts a frame payload that starts with a GOOSE header whose Length agrees exactly
// with the BER length of the goosePdu that follows (tag 0x61): two independent length fields
// that must match make a strong signature even for frames whose content is malformed.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < headerLen+2 || b[headerLen] != tagGoosePdu {
		return dissect.NoMatch
	}
	length := int(b[2])<<8 | int(b[3])
	l, k, ok := wire.BERLen(b[headerLen+1:], 2)
	if !ok || headerLen+1+k+l != length {
		return dissect.NoMatch
	}
	return dissect.Match
}
