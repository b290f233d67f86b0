package mqtt

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "mqtt",
		Transport: dissect.TCP,
		Ports:     []uint16{1883},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logConnect, logPublish, logSubscribe, "weird"},
	})
}

// Probe matches on any port a direction that starts with an MQTT CONNECT: fixed header 0x10,
// a remaining length, then the protocol name "MQTT" (level 4 or 5) or "MQIsdp" (level 3). A
// direction that starts like a CONNACK answers NeedMore (the other direction decides);
// anything else is NoMatch.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) == 0 {
		return dissect.NeedMore
	}
	switch b[0] {
	case typeConnect << 4:
	case typeConnack << 4:
		if len(b) < 2 || b[1] == 2 || (b[1] > 2 && b[1] < 0x80) {
			return dissect.NeedMore
		}
		return dissect.NoMatch
	default:
		return dissect.NoMatch
	}
	h, res := parseHeader(b)
	switch res {
	case hdrShort:
		return dissect.NeedMore
	case hdrBadType, hdrBadVarint:
		return dissect.NoMatch
	}
	v := b[h.hlen:]
	// Protocol name length (2), name, level.
	if len(v) < 2 {
		return dissect.NeedMore
	}
	n := int(v[0])<<8 | int(v[1])
	if n != 4 && n != 6 {
		return dissect.NoMatch
	}
	if len(v) < 2+n+1 {
		if string(v[2:]) == "MQTT"[:min(len(v)-2, 4)] || string(v[2:]) == "MQIsdp"[:min(len(v)-2, 6)] {
			return dissect.NeedMore
		}
		return dissect.NoMatch
	}
	if h.rem < 2+n+4 || !knownProtocol(v[2:2+n], v[2+n]) {
		return dissect.NoMatch
	}
	return dissect.Match
}
