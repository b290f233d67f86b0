package snmp

// message is one decoded SNMP message. Byte slices alias the datagram.
type message struct {
	version   int64
	community []byte // v1/v2c

	// v3 (RFC 3412 §6, RFC 3414 §2.4)
	msgID     int64
	maxSize   int64
	flags     byte
	secModel  int64
	engineID  []byte
	user      []byte
	encrypted bool

	pdu       byte // PDU tag, 0 when encrypted
	requestID int64
	errStatus int64
	errIndex  int64
	bindings  []byte // the VarBindList's content
	nBindings int

	// v1 Trap-PDU (RFC 1157 §4.1.6)
	enterprise []byte
	generic    int64
	specific   int64
	timestamp  uint64

	trailing bool // bytes after the message
}

// parse decodes one datagram. It returns the weird name and detail of the first problem, or
// "" when the message is usable. It does not allocate.
//
// Spec: RFC 1157 §4 (v1 Message), RFC 1901 §3 (v2c), RFC 3412 §6 (v3 SNMPv3Message),
// RFC 3414 §2.4 (UsmSecurityParameters), RFC 3416 §3 (PDUs).
func parse(b []byte, m *message) (string, string) {
	*m = message{}
	outer := ber{b: b}
	body, ok := outer.expect(tagSequence)
	if !ok {
		return weirdMalformed, "not a BER SEQUENCE"
	}
	m.trailing = len(outer.b) > 0
	r := ber{b: body}
	if m.version, ok = r.integer(); !ok {
		return weirdMalformed, "no version"
	}
	switch m.version {
	case 0, 1:
		if m.community, ok = r.expect(tagOctets); !ok {
			return weirdMalformed, "no community"
		}
	case 3:
		if w, d := m.parseV3Header(&r); w != "" {
			return w, d
		}
		if m.encrypted {
			return "", ""
		}
		scoped, ok := r.expect(tagSequence)
		if !ok {
			return weirdMalformed, "no scopedPDU"
		}
		r = ber{b: scoped}
		if m.engineID, ok = r.expect(tagOctets); !ok { // contextEngineID
			return weirdMalformed, "no contextEngineID"
		}
		if _, ok = r.expect(tagOctets); !ok { // contextName
			return weirdMalformed, "no contextName"
		}
	default:
		return weirdVersion, "version field not 0, 1 or 3"
	}
	tag, v, ok := r.next()
	if !ok {
		return weirdMalformed, "no PDU"
	}
	m.pdu = tag
	if pduName(tag) == "" {
		return weirdUnknownPDU, "PDU tag not 0xa0..0xa8"
	}
	if tag == pduTrapV1 {
		return m.parseTrapV1(v)
	}
	p := ber{b: v}
	m.requestID, _ = p.integer()
	m.errStatus, _ = p.integer() // non-repeaters for GetBulk
	m.errIndex, _ = p.integer()  // max-repetitions for GetBulk
	vbl, _ := p.expect(tagSequence)
	if p.bad {
		return weirdMalformed, "PDU fields"
	}
	return m.countBindings(vbl)
}

// parseV3Header reads msgGlobalData and the USM security parameters, and tells whether the
// scoped PDU is encrypted.
func (m *message) parseV3Header(r *ber) (string, string) {
	hdr, ok := r.expect(tagSequence)
	if !ok {
		return weirdMalformed, "no msgGlobalData"
	}
	h := ber{b: hdr}
	m.msgID, _ = h.integer()
	m.maxSize, _ = h.integer()
	flags, _ := h.expect(tagOctets)
	m.secModel, _ = h.integer()
	if h.bad || len(flags) != 1 {
		return weirdMalformed, "msgGlobalData fields"
	}
	m.flags = flags[0]
	sec, ok := r.expect(tagOctets)
	if !ok {
		return weirdMalformed, "no msgSecurityParameters"
	}
	if m.secModel == secModelUSM {
		s := ber{b: sec}
		usm, ok := s.expect(tagSequence)
		if !ok {
			return weirdMalformed, "USM parameters not a SEQUENCE"
		}
		u := ber{b: usm}
		m.engineID, _ = u.expect(tagOctets) // msgAuthoritativeEngineID
		u.integer()                         // msgAuthoritativeEngineBoots
		u.integer()                         // msgAuthoritativeEngineTime
		m.user, _ = u.expect(tagOctets)     // msgUserName
		if u.bad {
			return weirdMalformed, "USM parameters fields"
		}
	}
	if m.flags&flagPriv != 0 {
		if _, ok := r.expect(tagOctets); !ok {
			return weirdMalformed, "encryptedPDU not an OCTET STRING"
		}
		m.encrypted = true
		return "", ""
	}
	if m.secModel != secModelUSM {
		return weirdSecModel, "security model is not USM (3)"
	}
	return "", ""
}

func (m *message) parseTrapV1(v []byte) (string, string) {
	p := ber{b: v}
	m.enterprise, _ = p.expect(tagOID)
	p.expect(tagIPAddress) // agent-addr
	m.generic, _ = p.integer()
	m.specific, _ = p.integer()
	ts, _ := p.expect(tagTimeTicks)
	vbl, _ := p.expect(tagSequence)
	if p.bad {
		return weirdMalformed, "Trap-PDU fields"
	}
	m.timestamp, _ = toUint(ts)
	return m.countBindings(vbl)
}

// countBindings checks the VarBindList (SEQUENCE OF SEQUENCE { name OID, value }) and keeps
// it for the caller to walk with eachBinding.
func (m *message) countBindings(vbl []byte) (string, string) {
	m.bindings = vbl
	r := ber{b: vbl}
	for {
		_, vb, ok := r.next()
		if !ok {
			break
		}
		if _, _, ok := bindingOf(vb); !ok {
			return weirdMalformed, "VarBind is not { OID, value }"
		}
		m.nBindings++
	}
	if r.bad {
		return weirdMalformed, "VarBindList"
	}
	return "", ""
}

// bindingOf splits a VarBind into its name and value TLV.
func bindingOf(vb []byte) (oid []byte, val valueTLV, ok bool) {
	r := ber{b: vb}
	oid, ok = r.expect(tagOID)
	if !ok {
		return nil, valueTLV{}, false
	}
	tag, v, ok := r.next()
	if !ok {
		return nil, valueTLV{}, false
	}
	return oid, valueTLV{tag, v}, true
}

type valueTLV struct {
	tag byte
	v   []byte
}
