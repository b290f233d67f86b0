package hartip

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// parser is one flow's HART-IP state: framing per direction (TCP), requests awaiting their
// response by sequence number, and the device identity already stated.
type parser struct {
	env     *dissect.Env
	udp     bool
	lost    [2]bool
	pending dissect.Outstanding[uint32] // message id << 16 | sequence number
	roles   bool
	ident   bool
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, pending: dissect.NewOutstanding[uint32](maxPending)}
	if env.Flow != nil {
		p.udp = env.Flow.Proto == 17
	}
	return p
}

// Parse consumes whole HART-IP messages; a UDP datagram may hold several.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	dir &= 1
	off := 0
	for off < len(b) {
		rest := b[off:]
		h, ok := parseHeader(rest)
		if !prefixOK(rest[:min(3, len(rest))]) || ok && !h.valid() {
			if !p.lost[dir] {
				p.lost[dir] = true
				if prefixOK(rest[:min(3, len(rest))]) {
					p.env.Weird(weirdBadLength, "")
				} else {
					p.env.Weird(weirdBadHeader, "")
				}
			}
			if p.udp {
				return len(b), nil
			}
			off++
			continue
		}
		if !ok || len(rest) < int(h.length) {
			if p.udp {
				p.env.Weird(weirdTruncated, "")
				return len(b), nil
			}
			return off, nil
		}
		p.lost[dir] = false
		p.message(dir, h, rest[hdrLen:h.length])
		off += int(h.length)
	}
	if p.udp {
		p.lost[dir] = false // each datagram starts afresh
	}
	return off, nil
}

// Gap drops the direction's sync.
func (p *parser) Gap(dir dissect.Dir, lost int) { p.lost[dir&1] = true }

func (p *parser) Close() {}

func (p *parser) message(dir dissect.Dir, h header, body []byte) {
	p.env.PDU()
	r := p.env.Log(logHARTIP).Bool("is_orig", dir == dissect.Orig)
	r.Uint("version", uint64(h.version)).Str("message_type", messageTypeName(h.msgType)).Str("message_id", messageIDName(h.msgID))
	r.Uint("status", uint64(h.status)).Uint("sequence_number", uint64(h.seq)).Uint("byte_count", uint64(h.length))
	var pt pdu
	ptOK := false
	switch h.msgID {
	case msgSessionInitiate:
		if h.msgType == 0 && len(body) >= 5 {
			if body[0] == 1 {
				r.Str("host_type", "primary")
			} else {
				r.Str("host_type", "secondary")
			}
			r.Uint("inactivity_close_timer", uint64(body[1])<<24|uint64(body[2])<<16|uint64(body[3])<<8|uint64(body[4]))
		}
	case msgPassThrough, msgDirectPDU:
		if h.msgType <= 2 && len(body) > 0 {
			pt, ptOK = parsePDU(body)
			if ptOK {
				r.Uint("hart_command", uint64(pt.command))
				if n := commandName(pt.command); n != "" {
					r.Str("hart_command_name", n)
				}
				if pt.long {
					r.Hex("hart_long_address", pt.address)
				} else if len(pt.address) > 0 {
					r.Uint("hart_short_address", uint64(pt.address[0]&0x3f))
				}
				if pt.response {
					r.Uint("hart_response_code", uint64(pt.respCode)).HexUint("hart_device_status", uint64(pt.devStatus), 2)
				}
			}
		}
	}
	r.Done()
	if (h.msgID == msgPassThrough || h.msgID == msgDirectPDU) && h.msgType <= 2 && len(body) > 0 && !ptOK {
		p.env.Weird(weirdBadPDU, "")
	}

	key := uint32(h.msgID)<<16 | uint32(h.seq)
	switch h.msgType {
	case 0: // request
		p.setRoles(dir)
		name := messageIDName(h.msgID)
		if ptOK {
			if n := commandName(pt.command); n != "" {
				name = n
			}
			if ev := commandEvent(pt.command); ev != "" {
				p.env.Event(dir, ev, name)
			}
		}
		p.env.Command(name)
		p.track(key)
	case 1, 3, 15: // response, error, NAK
		if !p.take(key) {
			p.env.Weird(weirdUnmatched, "")
		}
		if h.msgType != 1 || h.status != 0 || ptOK && pt.respCode != 0 && pt.respCode != 8 {
			// Status or HART response code other than success (0) and the "update failure"
			// warning class (8): an error answer.
			p.env.Event(dir.Flip(), dissect.EvException, messageIDName(h.msgID))
			return
		}
		if ptOK && pt.command == 0 {
			p.identity(dir, pt.data)
		}
	}
}

// identity states what a command 0 response says about the field device (HCF_SPEC-127
// §6.1): expanded device type, revisions, device id and (HART 7) manufacturer id. The device
// is reached through the responder, so the facts are about the responder.
func (p *parser) identity(dev dissect.Dir, d []byte) {
	if p.ident || len(d) < 12 {
		return
	}
	p.ident = true
	p.env.Fact(dev, dissect.AttrProductCode, "0x"+strconv.FormatUint(uint64(d[1])<<8|uint64(d[2]), 16), "hartip.pt.rsp.expanded_device_type")
	p.env.Fact(dev, dissect.AttrFirmware, strconv.Itoa(int(d[6])), "hartip.pt.rsp.software_rev")
	p.env.Fact(dev, dissect.AttrHardware, strconv.Itoa(int(d[7]>>3)), "hartip.pt.rsp.hardrev_and_physical_signal")
	p.env.Fact(dev, dissect.AttrSerial, strconv.Itoa(int(d[9])<<16|int(d[10])<<8|int(d[11])), "hartip.pt.rsp.device_id")
	if len(d) >= 19 {
		p.env.Fact(dev, dissect.AttrVendorID, strconv.Itoa(int(d[17])<<8|int(d[18])), "hartip.pt.rsp.manufacturer_Id")
	}
}

func (p *parser) setRoles(client dissect.Dir) {
	if p.roles {
		return
	}
	p.roles = true
	p.env.Fact(client, dissect.AttrRole, "hartip_client", "hartip")
	p.env.Fact(client.Flip(), dissect.AttrRole, "hartip_server", "hartip")
}

func (p *parser) track(key uint32) {
	if p.pending.Add(key) {
		p.env.Weird(weirdTooMany, "")
	}
}

func (p *parser) take(key uint32) bool {
	_, ok := p.pending.Take(func(k uint32) bool { return k == key })
	return ok
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
