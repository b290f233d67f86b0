package snmp

import "github.com/quietwire/quietwire/dissect"

const logSNMP = "snmp"

// pending is a request awaiting its response.
type pending struct {
	id  int64
	dir dissect.Dir
}

// parser follows one SNMP UDP flow (one manager port ↔ one agent port) and writes one
// snmp.log line for it at Close, as Zeek does.
type parser struct {
	env *dissect.Env
	m   message

	started     bool
	first, last int64
	version     int64
	community   []byte
	hasComm     bool
	getReqs     uint64
	bulkReqs    uint64
	getResps    uint64
	setReqs     uint64
	display     []byte
	hasDisplay  bool
	upSince     int64
	hasUpSince  bool

	pend     []pending
	answered [8]int64 // request ids answered recently (retransmitted responses are not unsolicited)
	nAns     int

	cleartext, unsolicited, flooded, roles bool
	weirded                                uint8 // malformed/version/pdu/trailing/secmodel reported
	factHash                               [8]uint64
}

func newParser(env *dissect.Env) dissect.Parser {
	return &parser{env: env, pend: make([]pending, 0, 8)}
}

// Parse decodes one datagram.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	env, m := p.env, &p.m
	if w, d := parse(b, m); w != "" {
		p.weirdOnce(w, d)
		return len(b), nil
	}
	env.PDU()
	if m.trailing {
		p.weirdOnce(weirdTrailing, "bytes after the SNMP message")
	}
	if !p.started {
		p.started, p.first, p.version = true, env.TS, m.version
	}
	p.last = env.TS
	if !p.hasComm {
		switch {
		case m.version < 3:
			p.community, p.hasComm = append(p.community[:0], m.community...), true
		case len(m.user) > 0:
			p.community, p.hasComm = append(p.community[:0], m.user...), true
		}
	}
	if m.version < 3 && !p.cleartext {
		p.cleartext = true
		addl := "(redacted)"
		if c := string(m.community); c == "public" || c == "private" {
			addl = c
		}
		env.Weird(weirdCleartext, addl)
	}
	if m.pdu == 0 {
		return len(b), nil // v3 encrypted: header only
	}
	name := pduName(m.pdu)
	n := uint64(m.nBindings)
	switch m.pdu {
	case pduGet, pduGetNext:
		p.getReqs += n
		p.request(dir, name)
	case pduGetBulk:
		p.bulkReqs += n
		p.request(dir, name)
	case pduSet:
		p.setReqs += n
		p.request(dir, name)
		p.setEvent(dir)
	case pduInform:
		p.request(dir, name)
	case pduResponse:
		p.getResps += n
		p.response(dir)
		p.responseValues(dir)
	case pduReport:
		p.response(dir)
	case pduTrapV1, pduTrapV2:
		env.Command(name)
		p.roleFacts(dir.Flip(), dir)
	}
	return len(b), nil
}

func (p *parser) weirdOnce(name, addl string) {
	bit := uint8(0)
	switch name {
	case weirdMalformed:
		bit = 1
	case weirdVersion:
		bit = 2
	case weirdUnknownPDU:
		bit = 4
	case weirdTrailing:
		bit = 8
	case weirdSecModel:
		bit = 16
	}
	if p.weirded&bit != 0 {
		return
	}
	p.weirded |= bit
	p.env.Weird(name, addl)
}

// request records a request from dir for pairing.
func (p *parser) request(dir dissect.Dir, name string) {
	p.env.Command(name)
	p.roleFacts(dir, dir.Flip())
	id := p.m.requestID
	for _, q := range p.pend {
		if q.id == id && q.dir == dir {
			return // retransmission
		}
	}
	if len(p.pend) >= maxPending {
		if !p.flooded {
			p.flooded = true
			p.env.Weird(weirdFlood, "more than 256 requests without a response: oldest dropped")
		}
		copy(p.pend, p.pend[1:])
		p.pend = p.pend[:len(p.pend)-1]
	}
	p.pend = append(p.pend, pending{id: id, dir: dir})
}

// response pairs a Response or Report from dir with its request.
func (p *parser) response(dir dissect.Dir) {
	id := p.m.requestID
	for i, q := range p.pend {
		if q.id == id && q.dir != dir {
			p.pend = append(p.pend[:i], p.pend[i+1:]...)
			p.answered[p.nAns%len(p.answered)] = id
			p.nAns++
			return
		}
	}
	for i := 0; i < len(p.answered) && i < p.nAns; i++ {
		if p.answered[i] == id {
			return // a retransmitted response
		}
	}
	if p.m.pdu == pduReport && p.m.version == 3 {
		return // v3 reports may answer a request with another msgID (RFC 3412 §7.1)
	}
	if !p.unsolicited {
		p.unsolicited = true
		p.env.Weird(weirdUnsolicited, "response without a request seen on this flow")
	}
}

// roleFacts sends the manager/agent role facts once per flow.
func (p *parser) roleFacts(manager, agent dissect.Dir) {
	if p.roles {
		return
	}
	p.roles = true
	p.env.Fact(manager, dissect.AttrRole, "snmp_manager", "snmp")
	p.env.Fact(agent, dissect.AttrRole, "snmp_agent", "snmp")
}

// setEvent reports a SetRequest as a configuration write: "SET 1.3.6.1.2.1.1.5.0 (+2 more)".
// Sets are rare: the detail may allocate.
func (p *parser) setEvent(dir dissect.Dir) {
	d := []byte("SET")
	r := ber{b: p.m.bindings}
	if _, vb, ok := r.next(); ok {
		if oid, _, ok := bindingOf(vb); ok {
			d = append(d, ' ')
			d = appendOID(d, oid)
		}
	}
	if p.m.nBindings > 1 {
		d = append(d, " (+"...)
		d = appendUint(d, uint64(p.m.nBindings-1))
		d = append(d, " more)"...)
	}
	p.env.Event(dir, dissect.EvConfigWrite, string(d))
}

// responseValues reads the system group values of a Response from dir (the agent) into
// snmp.log's display_string/up_since and into facts about the agent.
func (p *parser) responseValues(dir dissect.Dir) {
	env := p.env
	r := ber{b: p.m.bindings}
	for {
		_, vb, ok := r.next()
		if !ok {
			return
		}
		oid, val, ok := bindingOf(vb)
		if !ok {
			continue
		}
		obj := sysObject(oid)
		if obj == 0 {
			continue
		}
		switch {
		case obj == sysUpTime && (val.tag == tagTimeTicks || val.tag == tagCounter32 || val.tag == tagGauge32):
			if t, ok := toUint(val.v); ok {
				p.upSince, p.hasUpSince = env.TS-int64(t)*1e7, true
			}
			continue
		case obj == sysObjectID && val.tag == tagOID:
		case obj != sysObjectID && val.tag == tagOctets:
		default:
			continue // noSuchObject, NULL…
		}
		if obj == sysDescr {
			p.display, p.hasDisplay = append(p.display[:0], val.v...), true
		}
		h := hash(val.v)
		if h == p.factHash[obj] || len(val.v) == 0 {
			continue
		}
		p.factHash[obj] = h
		p.fact(dir, obj, val.v)
	}
}

// fact reports one changed system group value about the agent (allocates: rare).
func (p *parser) fact(side dissect.Dir, obj int, v []byte) {
	env := p.env
	switch obj {
	case sysDescr:
		env.Fact(side, dissect.AttrSoftware, string(trimNUL(v)), "snmp.sysDescr")
	case sysObjectID:
		env.Fact(side, "sys_object_id", string(appendOID(nil, v)), "snmp.sysObjectID")
		if name, ok := vendorNames[enterprise(v)]; ok {
			env.Fact(side, dissect.AttrVendor, name, "snmp.sysObjectID")
		}
	case sysName:
		env.Fact(side, dissect.AttrHostname, string(trimNUL(v)), "snmp.sysName")
	case sysLocation:
		env.Fact(side, "location", string(trimNUL(v)), "snmp.sysLocation")
	case sysContact:
		env.Fact(side, "contact", string(trimNUL(v)), "snmp.sysContact")
	}
}

// Gap is meaningless for datagrams.
func (p *parser) Gap(dir dissect.Dir, lost int) {}

// Close writes the flow's snmp.log line (Zeek writes it when the connection is removed).
func (p *parser) Close() {
	if !p.started {
		return
	}
	env := p.env
	now := env.TS
	env.TS = p.first // the record's ts is the first message's, as Zeek's
	r := env.Log(logSNMP)
	r.Float("duration", float64((p.last-p.first)/1e3)/1e6)
	r.Str("version", versionName(p.version))
	if p.hasComm {
		r.Bytes("community", p.community)
	}
	r.Uint("get_requests", p.getReqs).Uint("get_bulk_requests", p.bulkReqs)
	r.Uint("get_responses", p.getResps).Uint("set_requests", p.setReqs)
	if p.hasDisplay {
		r.Bytes("display_string", p.display)
	}
	if p.hasUpSince {
		r.Float("up_since", float64(p.upSince/1e3)/1e6)
	}
	r.Done()
	env.TS = now
	p.started = false
}

// hash is FNV-1a, to tell a changed value from a repeated one without keeping it.
func hash(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}

func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
