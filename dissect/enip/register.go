package enip

import (
	"encoding/binary"

	"github.com/quietwire/quietwire/dissect"
)

func init() {
	dissect.Register(dissect.Factory{
		Name:      "enip",
		Transport: dissect.TCP | dissect.UDP,
		Ports:     []uint16{44818, 2222},
		Probe:     probe,
		New:       newParser,
		Logs:      []string{"enip", "cip", "cip_io", "cip_identity"},
	})
}

// probe matches an encapsulation header that passes strictHeader (known command, defined
// status, zero options, length consistent with the command) or an exact connected I/O
// datagram. Fewer than 24 bytes starting with a known command wait for more.
func probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if isIO(b) {
		return dissect.Match
	}
	if len(b) < headerLen {
		if len(b) < 2 {
			return dissect.NeedMore
		}
		if !knownCommand(binary.LittleEndian.Uint16(b)) {
			return dissect.NoMatch
		}
		if len(b) >= 4 && binary.LittleEndian.Uint16(b[2:]) > maxBody {
			return dissect.NoMatch
		}
		return dissect.NeedMore
	}
	if strictHeader(b) {
		return dissect.Match
	}
	return dissect.NoMatch
}
