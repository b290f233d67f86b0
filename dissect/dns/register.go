package dns

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "dns",
		Transport: dissect.TCP | dissect.UDP,
		Ports:     []uint16{portDNS, portNBNS, portMDNS, portLLMNR},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logDNS, "weird"},
	})
}

// Probe accepts a datagram that parses as exactly one DNS message (header, every question and
// record, nothing left over, at least one entry), or the start of a TCP stream whose first
// 2-byte length frames a plausible header and whose first question parses. A TCP message
// longer than what the probe holds answers NeedMore until its header and first question are
// in.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if udpPlausible(b) {
		return dissect.Match
	}
	if len(b) < 2+hdrLen {
		return dissect.NeedMore
	}
	if tcpPlausible(b) {
		return dissect.Match
	}
	return dissect.NoMatch
}

// udpPlausible reports whether b is exactly one well-formed DNS message.
func udpPlausible(b []byte) bool {
	h, ok := parseHeader(b)
	if !ok || h.qd > maxQuestions || int(h.qd)+int(h.an)+int(h.ns)+int(h.ar) == 0 {
		return false
	}
	if !h.qr && h.rcode != 0 {
		return false
	}
	var name [maxNameLen + 1]byte
	off := hdrLen
	var prob problem
	for i := 0; i < int(h.qd); i++ {
		_, off, prob = readName(b, off, name[:0], true)
		if prob != probNone || off+4 > len(b) {
			return false
		}
		off += 4
	}
	n := int(h.an) + int(h.ns) + int(h.ar)
	if n > maxRRs {
		return false
	}
	for i := 0; i < n; i++ {
		_, off, prob = readName(b, off, name[:0], true)
		if prob != probNone {
			return false
		}
		if _, off, prob = readRR(b, off); prob != probNone {
			return false
		}
	}
	return off == len(b)
}

// tcpPlausible reports whether b starts with a 2-byte length and a DNS message whose header
// and first question (or first record) parse within what b holds.
func tcpPlausible(b []byte) bool {
	if len(b) < 2+hdrLen {
		return false
	}
	l := int(b[0])<<8 | int(b[1])
	if l < hdrLen {
		return false
	}
	msg := b[2:]
	if len(msg) > l {
		msg = msg[:l]
	}
	h, _ := parseHeader(msg)
	if h.qd > maxQuestions || int(h.qd)+int(h.an)+int(h.ns)+int(h.ar) == 0 || !h.qr && h.rcode != 0 {
		return false
	}
	if len(msg) == l {
		return udpPlausible(msg)
	}
	if h.qd == 0 {
		return false
	}
	var name [maxNameLen + 1]byte
	_, off, prob := readName(msg, hdrLen, name[:0], false)
	return prob == probNone && off+4 <= len(msg)
}
