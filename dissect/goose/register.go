package goose

import "github.com/quietwire/quietwire/dissect"

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
	l, hdr := int(b[headerLen+1]), 2
	if l&0x80 != 0 {
		k := l & 0x7f
		if k == 0 || k > 2 || len(b) < headerLen+2+k {
			return dissect.NoMatch
		}
		l = 0
		for _, c := range b[headerLen+2 : headerLen+2+k] {
			l = l<<8 | int(c)
		}
		hdr += k
	}
	if headerLen+hdr+l != length {
		return dissect.NoMatch
	}
	return dissect.Match
}
