package sv

import "github.com/quietwire/quietwire/dissect"

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
