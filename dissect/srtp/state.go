package srtp

import "github.com/quietwire/quietwire/dissect"

// parser is one flow's SRTP state.
type parser struct {
	env     *dissect.Env
	lost    [2]bool
	pending dissect.Outstanding[uint32] // sequence << 8 | mailbox sequence, with the service code in the top byte
	roles   bool
	mode    string
}

func newParser(env *dissect.Env) dissect.Parser {
	return &parser{env: env, pending: dissect.NewOutstanding[uint32](maxPending)}
}

// Parse consumes whole messages (56 bytes plus their text buffer).
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	dir &= 1
	off := 0
	for off < len(b) {
		rest := b[off:]
		if !prefixOK(rest[:min(2, len(rest))]) {
			p.lose(dir, weirdBadHeader)
			off++
			continue
		}
		m, ok := parseMessage(rest)
		if !ok {
			return off, nil
		}
		if !m.valid() || p.lost[dir] && m.ptype >= typeRequest && !p.resyncOK(&m) {
			if m.textLen > maxText {
				p.lose(dir, weirdBadLength)
			} else {
				p.lose(dir, weirdBadHeader)
			}
			off++
			continue
		}
		total := msgLen + int(m.textLen)
		if len(rest) < total {
			return off, nil
		}
		p.lost[dir] = false
		p.message(dir, &m, rest[msgLen:total])
		off += total
	}
	return off, nil
}

// resyncOK is the stricter test after a loss of sync: an initial request must name a known
// service, and a mailbox sequence and type must be consistent with the packet type.
func (p *parser) resyncOK(m *message) bool {
	switch m.mbxType {
	case mbxInitial, mbxInitialWithText:
		return m.ptype == typeRequest && serviceName(m.b[42]) != ""
	}
	return m.ptype == typeResponse
}

func (p *parser) lose(dir dissect.Dir, weird string) {
	if !p.lost[dir] {
		p.lost[dir] = true
		p.env.Weird(weird, "")
	}
}

// Gap drops the direction's sync.
func (p *parser) Gap(dir dissect.Dir, lost int) { p.lost[dir&1] = true }

func (p *parser) Close() {}

func (p *parser) message(dir dissect.Dir, m *message, text []byte) {
	p.env.PDU()
	b := m.b
	r := p.env.Log(logSRTP).Bool("is_orig", dir == dissect.Orig).Str("packet_type", packetTypeName(m.ptype))
	r.Uint("sequence_number", uint64(m.seq)).Uint("text_length", uint64(m.textLen))
	if m.ptype < typeRequest {
		r.Done()
		if m.ptype == typeInitRequest {
			p.setRoles(dir)
		}
		return
	}
	r.Uint("mailbox_sequence", uint64(m.mbxSeq)).Str("mailbox_type", mailboxTypeName(m.mbxType))
	r.HexUint("mailbox_source", uint64(m.src), 8).HexUint("mailbox_destination", uint64(m.dst), 8)
	key := uint32(m.seq)<<8 | uint32(m.mbxSeq)
	var svc byte
	var found bool
	switch m.mbxType {
	case mbxInitial, mbxInitialWithText:
		svc = b[42]
		r.HexUint("service_request_code", uint64(svc), 2)
		if n := serviceName(svc); n != "" {
			r.Str("service_request", n)
		}
		if m.mbxType == mbxInitial && svc >= 0x04 && svc <= 0x09 {
			// Memory read/write (Denton et al. §3): segment selector, offset and length.
			r.HexUint("segment_selector", uint64(b[43]), 2)
			if n := segmentName(b[43]); n != "" {
				r.Str("memory", n)
			}
			r.Uint("offset", uint64(le16(b[44:]))).Uint("length", uint64(le16(b[46:])))
		}
		if svc == svcSetPLCState {
			if n := plcStateName(b[43]); n != "" {
				r.Str("requested_plc_state", n)
			}
		}
	default:
		var q uint32
		q, found = p.take(key)
		if found {
			svc = byte(q >> 24)
			r.HexUint("service_request_code", uint64(svc), 2)
			if n := serviceName(svc); n != "" {
				r.Str("service_request", n)
			}
		}
		switch m.mbxType {
		case mbxErrorNack:
			r.Uint("major_error_status", uint64(b[42])).HexUint("minor_error_status", uint64(b[43]), 2)
		case mbxAck:
			r.Uint("status_code", uint64(b[42]))
		}
		if m.mbxType != mbxErrorNack {
			r.HexUint("plc_status_word", uint64(le16(b[54:])), 4).Str("plc_state", plcStateName(b[55]>>4))
		}
	}
	r.Done()

	switch m.mbxType {
	case mbxInitial, mbxInitialWithText:
		p.setRoles(dir)
		name := serviceName(svc)
		if name == "" {
			p.env.Weird(weirdUnknownSvc, "")
			name = "UNKNOWN"
		}
		p.env.Command(name)
		ev := serviceEvent(svc)
		if svc == svcSetPLCState {
			// The requested state byte uses the status word's state values; run and stop map to
			// start/stop events, anything else is a mode change.
			switch plcMode(b[43]) {
			case "run":
				ev = dissect.EvPLCStart
			case "stop":
				ev = dissect.EvPLCStop
			default:
				ev = dissect.EvModeChange
			}
		}
		if ev != "" {
			p.env.Event(dir, ev, name)
		}
		p.track(uint32(svc)<<24 | key&0xffffff)
	default:
		if !found {
			p.env.Weird(weirdUnmatched, "")
		}
		if m.mbxType == mbxErrorNack {
			p.env.Event(dir.Flip(), dissect.EvException, serviceName(svc))
			return
		}
		if mode := plcMode(b[55] >> 4); mode != "" && mode != p.mode {
			p.mode = mode
			p.env.Fact(dir, dissect.AttrPLCMode, mode, "srtp.plc_status_word.plc_state")
		}
	}
}

func (p *parser) setRoles(client dissect.Dir) {
	if p.roles {
		return
	}
	p.roles = true
	p.env.Fact(client, dissect.AttrRole, "srtp_client", "srtp")
	p.env.Fact(client.Flip(), dissect.AttrRole, "srtp_server", "srtp")
}

func (p *parser) track(v uint32) {
	if p.pending.Add(v) {
		p.env.Weird(weirdTooMany, "")
	}
}

// take finds the request with the response's sequence numbers (the low 24 bits).
func (p *parser) take(key uint32) (uint32, bool) {
	key &= 0xffffff
	return p.pending.Take(func(v uint32) bool { return v&0xffffff == key })
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
