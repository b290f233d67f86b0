package mqtt

import (
	"errors"

	"github.com/quietwire/quietwire/dissect/wire"
)

// This file holds the pure decoders of MQTT control packets: the fixed header and the
// variable header and payload of each type that the logs report. Values alias the input;
// nothing allocates.

// Decoding errors. Sentinels: comparing them does not allocate.
var (
	errMalformed = errors.New("mqtt: packet shorter than its fields")
	errVarint    = errors.New("mqtt: variable byte integer longer than four octets")
)

// header is a decoded fixed header. Spec: 3.1.1 §2.2, 5.0 §2.1.
type header struct {
	typ   uint8
	flags uint8
	rem   int // remaining length
	hlen  int // fixed header length (2..5)
}

// Results of parseHeader.
const (
	hdrOK = iota
	hdrShort
	hdrBadType // reserved type 0 or flags a type forbids
	hdrBadVarint
)

// parseHeader decodes the fixed header at the start of b.
func parseHeader(b []byte) (h header, res int) {
	if len(b) < 2 {
		return h, hdrShort
	}
	h.typ, h.flags = b[0]>>4, b[0]&15
	if !validFlags(h.typ, h.flags) {
		return h, hdrBadType
	}
	mul := 1
	for i := 1; ; i++ {
		if i > 4 {
			return h, hdrBadVarint
		}
		if i >= len(b) {
			return h, hdrShort
		}
		h.rem += int(b[i]&0x7f) * mul
		mul <<= 7
		if b[i]&0x80 == 0 {
			h.hlen = i + 1
			return h, hdrOK
		}
	}
}

// validFlags reports whether flags are allowed for typ. Spec: 3.1.1 §2.2.2 table 2.2.
func validFlags(typ, flags uint8) bool {
	switch typ {
	case 0:
		return false
	case typePublish:
		return flags&6 != 6 // QoS 3 is malformed
	case typePubrel, typeSubscribe, typeUnsubscribe:
		return flags == 2
	}
	return flags == 0
}

// varint reads a variable byte integer (5.0 §1.5.5) from r.
func varint(r *wire.Reader) int {
	v, mul := 0, 1
	for i := 0; i < 4; i++ {
		c := r.U8()
		v += int(c&0x7f) * mul
		if c&0x80 == 0 {
			return v
		}
		mul <<= 7
	}
	r.Skip(1 << 30) // force the sticky error
	return 0
}

// skipProps skips an MQTT 5.0 property block (length, then properties).
func skipProps(r *wire.Reader) {
	r.Skip(varint(r))
}

// str reads a two-octet length prefixed UTF-8 string or binary data.
func str(r *wire.Reader) []byte {
	return r.Bytes(int(r.U16BE()))
}

// connect is a decoded CONNECT packet. Spec: 3.1.1 §3.1, 5.0 §3.1.
type connect struct {
	name        []byte
	level       uint8
	flags       uint8
	clientID    []byte
	willTopic   []byte
	willPayload []byte
	hasWill     bool
	user        []byte
	hasUser     bool
	hasPass     bool
}

// Connect flags. Spec: 3.1.1 §3.1.2.3.
const (
	flagWill     = 0x04
	flagPassword = 0x40
	flagUser     = 0x80
)

func parseConnect(b []byte) (c connect, err error) {
	r := wire.New(b)
	c.name = str(&r)
	c.level = r.U8()
	c.flags = r.U8()
	r.Skip(2) // keep alive
	if c.level == level5 {
		skipProps(&r)
	}
	c.clientID = str(&r)
	if c.flags&flagWill != 0 {
		if c.level == level5 {
			skipProps(&r)
		}
		c.hasWill = true
		c.willTopic = str(&r)
		c.willPayload = str(&r)
	}
	if c.flags&flagUser != 0 {
		c.hasUser = true
		c.user = str(&r)
	}
	if c.flags&flagPassword != 0 {
		c.hasPass = true
		str(&r) // never kept
	}
	if r.Err() != nil {
		return c, errMalformed
	}
	return c, nil
}

// knownProtocol reports whether name and level are an MQTT CONNECT's: "MQIsdp" level 3 or
// "MQTT" level 4/5.
func knownProtocol(name []byte, level uint8) bool {
	switch string(name) {
	case "MQIsdp":
		return level == level31
	case "MQTT":
		return level == level311 || level == level5
	}
	return false
}

// publish is a decoded PUBLISH packet. Spec: 3.1.1 §3.3, 5.0 §3.3.
type publish struct {
	qos     uint8
	retain  bool
	topic   []byte
	id      uint16
	payload []byte
}

func parsePublish(flags uint8, b []byte, v5 bool) (p publish, err error) {
	p.qos, p.retain = flags>>1&3, flags&1 != 0
	r := wire.New(b)
	p.topic = str(&r)
	if p.qos > 0 {
		p.id = r.U16BE()
	}
	if v5 {
		skipProps(&r)
	}
	if r.Err() != nil {
		return p, errMalformed
	}
	p.payload = r.Rest()
	return p, nil
}

// maxTopics bounds the topic filters kept per SUBSCRIBE/UNSUBSCRIBE.
const maxTopics = 16

// subscribe is a decoded SUBSCRIBE or UNSUBSCRIBE. Spec: 3.1.1 §3.8/§3.10, 5.0 §3.8/§3.10.
type subscribe struct {
	id     uint16
	topics [maxTopics][]byte
	qos    [maxTopics]uint8
	n      int
	total  int
}

func parseSubscribe(b []byte, unsub, v5 bool, s *subscribe) error {
	*s = subscribe{}
	r := wire.New(b)
	s.id = r.U16BE()
	if v5 {
		skipProps(&r)
	}
	for r.Err() == nil && r.Len() > 0 {
		t := str(&r)
		var q uint8
		if !unsub {
			q = r.U8() & 3
		}
		if r.Err() != nil {
			break
		}
		if s.n < maxTopics {
			s.topics[s.n], s.qos[s.n] = t, q
			s.n++
		}
		s.total++
	}
	if r.Err() != nil || s.total == 0 {
		return errMalformed
	}
	return nil
}

// ackID reads the packet identifier that starts PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK and
// UNSUBACK; for SUBACK it also returns the first return code (after 5.0 properties).
func ackID(b []byte, typ uint8, v5 bool) (id uint16, code uint8, err error) {
	r := wire.New(b)
	id = r.U16BE()
	if typ == typeSuback {
		if v5 {
			skipProps(&r)
		}
		code = r.U8()
	}
	if r.Err() != nil {
		return id, code, errMalformed
	}
	return id, code, nil
}
