package dnp3

import "github.com/quietwire/quietwire/dissect"

// Log names this package writes.
const (
	logDNP3    = "dnp3"
	logControl = "dnp3_control"
	logObjects = "dnp3_objects"
)

func init() {
	dissect.Register(dissect.Factory{
		Name:      "dnp3",
		Transport: dissect.TCP | dissect.UDP,
		Ports:     []uint16{20000},
		Probe:     Probe,
		New:       func(env *dissect.Env) dissect.Parser { return NewParser(env, DefaultConfig()) },
		Logs:      []string{logDNP3, logControl, logObjects, "weird"},
	})
}

// Probe matches a direction that starts with a data link header (05 64) whose LEN is valid
// and whose header CRC is correct: ten bytes with a 16-bit check leave little room for chance.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) >= 1 && b[0] != start1 || len(b) >= 2 && b[1] != start2 {
		return dissect.NoMatch
	}
	if len(b) < linkHeaderLen {
		return dissect.NeedMore
	}
	if b[2] < minLinkLen || !crcOK(b[:8], b[8:10]) {
		return dissect.NoMatch
	}
	return dissect.Match
}
