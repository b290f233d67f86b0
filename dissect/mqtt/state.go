package mqtt

import (
	"strconv"
	"unsafe"

	"github.com/quietwire/quietwire/dissect"
)

// Log names.
const (
	logConnect   = "mqtt_connect"
	logPublish   = "mqtt_publish"
	logSubscribe = "mqtt_subscribe"
)

// Anomaly names reported to weird.log.
const (
	WeirdBadHeader         = "mqtt_bad_header"
	WeirdBadLength         = "mqtt_bad_remaining_length"
	WeirdMalformed         = "mqtt_malformed_packet"
	WeirdUnknownProtocol   = "mqtt_unknown_protocol"
	WeirdCleartextPassword = "mqtt_cleartext_password"
	WeirdTooLarge          = "mqtt_packet_too_large"
	WeirdPendingFlood      = "mqtt_pending_flood"
	WeirdUnmatchedAck      = "mqtt_unmatched_ack"
	WeirdResync            = "mqtt_resync"
)

// Limits.
const (
	// MaxPayload is how much of a PUBLISH payload (and of a will payload) is logged: Zeek's
	// MQTT::max_payload_size default.
	MaxPayload = 100
	// MaxPacket is the largest packet buffered whole; the rest of a larger PUBLISH is skipped
	// once its topic and first payload bytes are read (the engine buffers at most 64 KiB).
	MaxPacket = 60 << 10
	// MaxPending bounds the QoS 1/2 publishes awaiting their acknowledgement per flow.
	MaxPending = 64
	// MaxPendingSubs bounds the SUBSCRIBE/UNSUBSCRIBE awaiting their acknowledgement.
	MaxPendingSubs = 16
	// pendingTimeout is Zeek's write_expire on unacknowledged publishes and subscriptions.
	pendingTimeout = 5_000_000_000
)

type pubEntry struct {
	used    bool
	dir     dissect.Dir // publisher
	id      uint16
	ts      int64
	qos     uint8
	retain  bool
	rec     bool
	rel     bool
	topic   []byte
	payload []byte
	plen    int
}

type subEntry struct {
	used  bool
	unsub bool
	id    uint16
	ts    int64
	buf   []byte // topics, concatenated
	ends  [maxTopics]int
	qos   [maxTopics]uint8
	n     int
}

type parser struct {
	env    *dissect.Env
	skip   [2]int  // bytes of an oversized packet still to skip
	resync [2]bool // after a gap: find a plausible header before trusting data
	v5     bool
	// CONNECT seen: the client side and what mqtt_connect.log reports at CONNACK.
	connected   bool
	client      dissect.Dir
	connPending bool
	connTS      int64
	connName    []byte
	connLevel   uint8
	connID      []byte
	willTopic   []byte
	willPayload []byte
	hasWill     bool
	named       bool
	pubs        [MaxPending]pubEntry
	npubs       int
	subs        [MaxPendingSubs]subEntry
	nsubs       int
	flooded     bool
	sub         subscribe
	scratch     []byte
}

func newParser(env *dissect.Env) dissect.Parser {
	return &parser{env: env, scratch: make([]byte, 0, 64)}
}

// bstr views b as a string for a call that copies it (Record.ElemStr). It must not be kept.
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// Parse consumes whole MQTT control packets.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	off := 0
	if s := p.skip[dir]; s > 0 {
		if s >= len(b) {
			p.skip[dir] -= len(b)
			return len(b), nil
		}
		off, p.skip[dir] = s, 0
	}
	if p.resync[dir] {
		i := resync(b[off:])
		if i < 0 {
			return keepTail(b, off), nil
		}
		p.resync[dir] = false
		off += i
	}
	p.expire()
	for off < len(b) {
		rest := b[off:]
		h, res := parseHeader(rest)
		switch res {
		case hdrShort:
			return off, nil
		case hdrBadType, hdrBadVarint:
			if res == hdrBadType {
				p.env.Weird(WeirdBadHeader, "")
			} else {
				p.env.Weird(WeirdBadLength, "")
			}
			i := resync(rest[1:])
			if i < 0 {
				p.resync[dir] = true
				return keepTail(b, off), nil
			}
			p.env.Weird(WeirdResync, "")
			off += 1 + i
			continue
		}
		total := h.hlen + h.rem
		if total > MaxPacket {
			if h.typ != typePublish {
				p.env.Weird(WeirdTooLarge, "")
				p.skip[dir] = total
				return off + p.consumeSkip(dir, len(rest)), nil
			}
			// Log the publish from its first bytes (topic, identifier, properties and the
			// logged part of the payload), then skip the rest.
			need := h.hlen + 2
			if len(rest) >= need {
				need += int(rest[h.hlen])<<8 | int(rest[h.hlen+1]) + 2 + 16 + MaxPayload
			}
			if len(rest) < min(need, 8<<10) {
				return off, nil
			}
			end := min(len(rest), total)
			p.packet(dir, h, rest[h.hlen:end])
			p.skip[dir] = total
			return off + p.consumeSkip(dir, len(rest)), nil
		}
		if total > len(rest) {
			return off, nil
		}
		p.packet(dir, h, rest[h.hlen:total])
		off += total
	}
	return off, nil
}

// consumeSkip consumes up to avail bytes of the packet being skipped in dir.
func (p *parser) consumeSkip(dir dissect.Dir, avail int) int {
	n := min(p.skip[dir], avail)
	p.skip[dir] -= n
	return n
}

// keepTail consumes all of b after off but the bytes that could start a fixed header.
func keepTail(b []byte, off int) int {
	if len(b)-off <= 4 {
		return off
	}
	return len(b) - 4
}

// resync returns the offset of the first plausible control packet in b, or -1: a valid
// fixed header whose packet either ends b or is followed by another valid fixed header,
// with a body its type allows.
func resync(b []byte) int {
	for i := 0; i+2 <= len(b); i++ {
		h, res := parseHeader(b[i:])
		if res != hdrOK || h.typ == typeConnect || h.typ == typeAuth {
			continue
		}
		end := i + h.hlen + h.rem
		if end > len(b) {
			continue
		}
		if !plausibleBody(h, b[i+h.hlen:end]) {
			continue
		}
		if end == len(b) {
			return i
		}
		if h2, res2 := parseHeader(b[end:]); res2 == hdrOK || (res2 == hdrShort && validFlags(b[end]>>4, b[end]&15)) {
			_ = h2
			return i
		}
	}
	return -1
}

// plausibleBody checks the sizes a packet type implies (3.1.1 rules; 5.0 packets may carry
// a reason code and properties after the identifier).
func plausibleBody(h header, body []byte) bool {
	switch h.typ {
	case typePingreq, typePingresp:
		return h.rem == 0
	case typePuback, typePubrec, typePubrel, typePubcomp, typeUnsuback, typeConnack:
		return h.rem >= 2
	case typePublish:
		return len(body) >= 2 && int(body[0])<<8|int(body[1]) <= len(body)-2
	case typeSubscribe, typeUnsubscribe, typeSuback:
		return h.rem >= 3
	}
	return true
}

// Gap drops the partial packet of dir and resynchronises on the next plausible header.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	if p.skip[dir] > 0 {
		if lost < p.skip[dir] {
			p.skip[dir] -= lost
			return
		}
		p.skip[dir] = 0
	}
	p.resync[dir] = true
}

// Close logs what was never acknowledged, as Zeek does when its state expires.
func (p *parser) Close() {
	if p.connPending {
		p.logConnect("")
	}
	for i := range p.pubs {
		if p.pubs[i].used {
			p.logPublish(&p.pubs[i], statusIncomplete)
		}
	}
	for i := range p.subs {
		if p.subs[i].used {
			p.logSubscribe(&p.subs[i], false, -1)
		}
	}
}

// expire logs the publishes and subscriptions unacknowledged for longer than Zeek's timeout.
func (p *parser) expire() {
	if p.npubs == 0 && p.nsubs == 0 {
		return
	}
	for i := range p.pubs {
		if e := &p.pubs[i]; e.used && p.env.TS-e.ts > pendingTimeout {
			p.logPublish(e, statusIncomplete)
		}
	}
	for i := range p.subs {
		if e := &p.subs[i]; e.used && p.env.TS-e.ts > pendingTimeout {
			p.logSubscribe(e, false, -1)
		}
	}
}

// packet handles one control packet (body = variable header and payload).
func (p *parser) packet(dir dissect.Dir, h header, body []byte) {
	p.env.PDU()
	switch h.typ {
	case typeConnect:
		p.connect(dir, body)
	case typeConnack:
		if len(body) < 2 {
			p.env.Weird(WeirdMalformed, "CONNACK")
			return
		}
		if p.connPending {
			status := ""
			if p.v5 {
				status = reasonCode5(body[1])
			} else if int(body[1]) < len(returnCodes) {
				status = returnCodes[body[1]]
			}
			if status == "" {
				p.scratch = strconv.AppendUint(append(p.scratch[:0], "unknown-return-code-"...), uint64(body[1]), 10)
				status = bstr(p.scratch)
			}
			p.logConnect(status)
		}
	case typePublish:
		p.publish(dir, h, body)
	case typePuback, typePubrec, typePubrel, typePubcomp:
		id, _, err := ackID(body, h.typ, p.v5)
		if err != nil {
			p.env.Weird(WeirdMalformed, "PUBACK")
			return
		}
		p.pubAck(dir, h.typ, id)
	case typeSubscribe, typeUnsubscribe:
		unsub := h.typ == typeUnsubscribe
		if err := parseSubscribe(body, unsub, p.v5, &p.sub); err != nil {
			p.env.Weird(WeirdMalformed, "SUBSCRIBE")
			return
		}
		if !unsub {
			p.env.Command("SUBSCRIBE")
		} else {
			p.env.Command("UNSUBSCRIBE")
		}
		p.trackSub(unsub)
	case typeSuback, typeUnsuback:
		id, code, err := ackID(body, h.typ, p.v5)
		if err != nil {
			p.env.Weird(WeirdMalformed, "SUBACK")
			return
		}
		for i := range p.subs {
			e := &p.subs[i]
			if e.used && e.id == id && e.unsub == (h.typ == typeUnsuback) {
				granted := -1
				if h.typ == typeSuback {
					granted = int(code)
				}
				p.logSubscribe(e, true, granted)
				return
			}
		}
		p.env.Weird(WeirdUnmatchedAck, "")
	}
}

// connect remembers a CONNECT for mqtt_connect.log and reports roles, name and login.
func (p *parser) connect(dir dissect.Dir, body []byte) {
	c, err := parseConnect(body)
	if err != nil {
		p.env.Weird(WeirdMalformed, "CONNECT")
		return
	}
	if !knownProtocol(c.name, c.level) {
		p.env.Weird(WeirdUnknownProtocol, "")
	}
	p.env.Command("CONNECT")
	p.v5 = c.level == level5
	p.connPending, p.connTS = true, p.env.TS
	p.connName = append(p.connName[:0], c.name...)
	p.connLevel = c.level
	p.connID = append(p.connID[:0], c.clientID...)
	p.hasWill = c.hasWill
	p.willTopic = append(p.willTopic[:0], c.willTopic...)
	p.willPayload = append(p.willPayload[:0], c.willPayload[:min(len(c.willPayload), MaxPayload)]...)
	if !p.connected {
		p.connected, p.client = true, dir
		p.env.Fact(dir, dissect.AttrRole, "mqtt_client", "connect")
		p.env.Fact(dir.Flip(), dissect.AttrRole, "mqtt_broker", "connect")
	}
	if !p.named && len(c.clientID) > 0 {
		p.named = true
		p.env.Fact(dir, dissect.AttrName, string(c.clientID), "connect.client_id")
	}
	if c.hasUser {
		p.env.Event(dir, dissect.EvLogin, "user "+string(c.user))
	}
	if c.hasPass {
		p.env.Weird(WeirdCleartextPassword, "")
	}
}

// logConnect writes mqtt_connect.log for the pending CONNECT.
func (p *parser) logConnect(status string) {
	p.connPending = false
	ts := p.env.TS
	p.env.TS = p.connTS
	r := p.env.Log(logConnect).Bytes("proto_name", p.connName)
	if int(p.connLevel) < len(versionNames) && versionNames[p.connLevel] != "" {
		r.Str("proto_version", versionNames[p.connLevel])
	} else {
		p.scratch = strconv.AppendUint(append(p.scratch[:0], "unknown-version-"...), uint64(p.connLevel), 10)
		r.Str("proto_version", bstr(p.scratch))
	}
	r.Bytes("client_id", p.connID)
	if status != "" {
		r.Str("connect_status", status)
	}
	if p.hasWill {
		r.Bytes("will_topic", p.willTopic).Bytes("will_payload", p.willPayload)
	}
	r.Done()
	p.env.TS = ts
}

// fromClient reports whether dir is the MQTT client (the CONNECT sender; the originator
// when no CONNECT was seen).
func (p *parser) fromClient(dir dissect.Dir) bool {
	if p.connected {
		return dir == p.client
	}
	return dir == dissect.Orig
}

func (p *parser) publish(dir dissect.Dir, h header, body []byte) {
	pub, err := parsePublish(h.flags, body, p.v5)
	if err != nil {
		p.env.Weird(WeirdMalformed, "PUBLISH")
		return
	}
	if p.fromClient(dir) {
		p.env.Command("PUBLISH")
	}
	plen := len(pub.payload)
	if total := h.hlen + h.rem; total > MaxPacket {
		plen += total - h.hlen - len(body) // the part skipped unseen
	}
	if pub.qos == 0 {
		e := pubEntry{dir: dir, ts: p.env.TS, retain: pub.retain, topic: pub.topic,
			payload: pub.payload[:min(len(pub.payload), MaxPayload)], plen: plen}
		p.logPublish(&e, statusOK)
		return
	}
	slot, oldest := -1, -1
	for i := range p.pubs {
		e := &p.pubs[i]
		if !e.used {
			if slot < 0 {
				slot = i
			}
			continue
		}
		if e.dir == dir && e.id == pub.id {
			slot = i // a retransmission (DUP) replaces the pending one
			e.used = false
			p.npubs--
			break
		}
		if oldest < 0 || e.ts < p.pubs[oldest].ts {
			oldest = i
		}
	}
	if slot < 0 {
		if !p.flooded {
			p.flooded = true
			p.env.Weird(WeirdPendingFlood, "")
		}
		p.logPublish(&p.pubs[oldest], statusIncomplete)
		slot = oldest
	}
	e := &p.pubs[slot]
	e.used, e.dir, e.id, e.ts, e.qos, e.retain, e.rec, e.rel, e.plen = true, dir, pub.id, p.env.TS, pub.qos, pub.retain, false, false, plen
	e.topic = append(e.topic[:0], pub.topic...)
	e.payload = append(e.payload[:0], pub.payload[:min(len(pub.payload), MaxPayload)]...)
	p.npubs++
}

// pubAck advances the QoS 1/2 exchange of the publish with packet identifier id.
func (p *parser) pubAck(dir dissect.Dir, typ uint8, id uint16) {
	publisher := dir.Flip() // PUBACK, PUBREC, PUBCOMP come from the receiver
	if typ == typePubrel {
		publisher = dir
	}
	for i := range p.pubs {
		e := &p.pubs[i]
		if !e.used || e.dir != publisher || e.id != id {
			continue
		}
		switch typ {
		case typePuback:
			if e.qos == 1 {
				p.logPublish(e, statusOK)
			}
		case typePubrec:
			e.rec = true
		case typePubrel:
			e.rel = true
		case typePubcomp:
			if e.qos == 2 && e.rec && e.rel {
				p.logPublish(e, statusOK)
			}
		}
		return
	}
	p.env.Weird(WeirdUnmatchedAck, "")
}

// logPublish writes mqtt_publish.log for e (with the publish's time) and frees its slot.
func (p *parser) logPublish(e *pubEntry, status string) {
	ts := p.env.TS
	p.env.TS = e.ts
	p.env.Log(logPublish).Bool("from_client", p.fromClient(e.dir)).Bool("retain", e.retain).
		Str("qos", qosNames[e.qos]).Str("status", status).Bytes("topic", e.topic).
		Bytes("payload", e.payload).Uint("payload_len", uint64(e.plen)).Done()
	p.env.TS = ts
	if e.used {
		e.used = false
		p.npubs--
	}
}

// trackSub keeps the decoded SUBSCRIBE/UNSUBSCRIBE until its acknowledgement.
func (p *parser) trackSub(unsub bool) {
	s := &p.sub
	slot, oldest := -1, -1
	for i := range p.subs {
		e := &p.subs[i]
		if !e.used {
			if slot < 0 {
				slot = i
			}
			continue
		}
		if e.id == s.id && e.unsub == unsub {
			slot = i
			e.used = false
			p.nsubs--
			break
		}
		if oldest < 0 || e.ts < p.subs[oldest].ts {
			oldest = i
		}
	}
	if slot < 0 {
		if !p.flooded {
			p.flooded = true
			p.env.Weird(WeirdPendingFlood, "")
		}
		p.logSubscribe(&p.subs[oldest], false, -1)
		slot = oldest
	}
	e := &p.subs[slot]
	e.used, e.unsub, e.id, e.ts, e.n = true, unsub, s.id, p.env.TS, s.n
	e.buf = e.buf[:0]
	for i := 0; i < s.n; i++ {
		e.buf = append(e.buf, s.topics[i]...)
		e.ends[i], e.qos[i] = len(e.buf), s.qos[i]
	}
	p.nsubs++
}

// logSubscribe writes mqtt_subscribe.log for e (with the request's time) and frees its slot.
// granted is the SUBACK's first return code, -1 when none.
func (p *parser) logSubscribe(e *subEntry, ack bool, granted int) {
	ts := p.env.TS
	p.env.TS = e.ts
	action := actionSubscribe
	if e.unsub {
		action = actionUnsubscribe
	}
	r := p.env.Log(logSubscribe).Str("action", action).Array("topics")
	start := 0
	for i := 0; i < e.n; i++ {
		r.ElemStr(bstr(e.buf[start:e.ends[i]]))
		start = e.ends[i]
	}
	r.End()
	if !e.unsub {
		r.Array("qos_levels")
		for i := 0; i < e.n; i++ {
			r.ElemUint(uint64(e.qos[i]))
		}
		r.End()
	}
	if granted >= 0 {
		r.Uint("granted_qos_level", uint64(granted))
	}
	r.Bool("ack", ack).Done()
	p.env.TS = ts
	if e.used {
		e.used = false
		p.nsubs--
	}
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
