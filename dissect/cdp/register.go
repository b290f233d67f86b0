package cdp

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "cdp",
		Transport: dissect.Ether,
		SNAP:      []uint64{snapCDP},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logCDP, "weird"},
	})
}

// Probe accepts a payload with version 1 or 2 whose first TLV header (type 0x0001..0x00ff,
// length at least 4) fits in the frame.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < headerLen+4 || (b[0] != 1 && b[0] != 2) {
		return dissect.NoMatch
	}
	typ := int(b[4])<<8 | int(b[5])
	l := int(b[6])<<8 | int(b[7])
	if typ == 0 || typ > 0xff || l < 4 || headerLen+l > len(b) {
		return dissect.NoMatch
	}
	return dissect.Match
}
