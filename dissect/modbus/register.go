package modbus

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "modbus",
		Transport: dissect.TCP,
		Ports:     []uint16{502},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logModbus, logDetailed, logMaskWrite, logReadWrite, logDeviceID, "weird"},
	})
}

// Probe decides from the first bytes of one direction whether the flow is Modbus/TCP: the
// first ADU must have protocol id 0, a length of 2..254 and a function code other than 0, and it
// must be complete; when a second header follows in b it must be valid too. A direction that
// starts with fewer bytes than a whole ADU answers NeedMore.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	h, prob := parseHeader(b)
	switch prob {
	case hdrShort:
		if len(b) >= 4 && (b[2] != 0 || b[3] != 0) {
			return dissect.NoMatch
		}
		if len(b) >= 6 && (b[4] != 0 || b[5] < minLength || b[5] > maxLength) {
			return dissect.NoMatch
		}
		return dissect.NeedMore
	case hdrProtocolID, hdrLength:
		return dissect.NoMatch
	}
	// Any function code but 0 passes: an undefined code on a valid MBAP header is Modbus that
	// the parser reports as an anomaly (illegal function codes are what an attacker probes with),
	// and the header checks alone leave random bytes about one chance in 16 million.
	if h.fc == 0 {
		return dissect.NoMatch
	}
	total := 6 + int(h.length)
	if len(b) < total {
		return dissect.NeedMore
	}
	if len(b) > total {
		if _, p2 := parseHeader(b[total:]); p2 == hdrProtocolID || p2 == hdrLength {
			return dissect.NoMatch
		}
	}
	return dissect.Match
}
