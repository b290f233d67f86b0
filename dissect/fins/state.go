package fins

import (
	"bytes"

	"github.com/quietwire/quietwire/dissect"
)

var magic = []byte("FINS")

// parser is one flow's FINS state: FINS/TCP framing per direction (TCP), the commands waiting
// for a response (by SID and command code), and the identity facts already stated.
type parser struct {
	env     *dissect.Env
	udp     bool
	lost    [2]bool // a direction is out of sync: scanning for the next "FINS" header
	pending dissect.Outstanding[uint32]
	roles   bool
	model   string
	version string
	mode    string
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, pending: dissect.NewOutstanding[uint32](maxPending)}
	if env.Flow != nil {
		p.udp = env.Flow.Proto == 17
	}
	return p
}

// Parse consumes whole FINS/TCP frames (TCP) or one FINS frame (UDP datagram).
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	dir &= 1
	if p.udp {
		p.env.PDU()
		p.frame(dir, b, nil)
		return len(b), nil
	}
	off := 0
	for off < len(b) {
		rest := b[off:]
		if p.lost[dir] || !isMagic(rest) {
			if !p.lost[dir] {
				p.lost[dir] = true
				p.env.Weird(weirdBadMagic, "")
			}
			i := bytes.Index(rest, magic)
			if i < 0 {
				// Keep what could be the start of a magic split by the segment.
				keep := min(len(rest), len(magic)-1)
				for keep > 0 && !isMagic(rest[len(rest)-keep:]) {
					keep--
				}
				return len(b) - keep, nil
			}
			off += i
			rest = b[off:]
		}
		h, ok := parseTCPHeader(rest)
		if !ok {
			return off, nil
		}
		if !validTCPHeader(rest, h) {
			if !p.lost[dir] {
				p.lost[dir] = true
				if tcpCommandName(h.command) == "" {
					p.env.Weird(weirdUnknownTCPCmd, "")
				} else {
					p.env.Weird(weirdBadLength, "")
				}
			}
			off++ // not a header after all: look for the next magic
			continue
		}
		total := 8 + int(h.length)
		if len(rest) < total {
			return off, nil
		}
		p.lost[dir] = false
		p.tcpFrame(dir, h, rest[tcpHeaderLen:total])
		off += total
	}
	return off, nil
}

// Gap drops the direction's sync: the next bytes are trusted from the next "FINS" header on.
func (p *parser) Gap(dir dissect.Dir, lost int) { p.lost[dir&1] = true }

// Close has nothing to flush: records are written per frame.
func (p *parser) Close() {}

// tcpFrame handles one FINS/TCP frame; body is what follows the 16-byte header.
func (p *parser) tcpFrame(dir dissect.Dir, h tcpHeader, body []byte) {
	p.env.PDU()
	if h.errCode != 0 {
		p.env.Weird(weirdTCPError, "")
	}
	if h.command == tcpFrameSend {
		p.frame(dir, body, &h)
		return
	}
	r := p.env.Log(logFINS).Bool("is_orig", dir == dissect.Orig).Str("tcp_command", tcpCommandName(h.command))
	if h.errCode != 0 {
		r.HexUint("tcp_error_code", uint64(h.errCode), 8)
	}
	// Node address exchange (W421 §7-3-2): the client's node, then the server's in the answer.
	switch {
	case h.command == tcpClientNodeSend && len(body) >= 4:
		r.Uint("client_node", uint64(be32(body)))
	case h.command == tcpServerNodeSend && len(body) >= 8:
		r.Uint("client_node", uint64(be32(body))).Uint("server_node", uint64(be32(body[4:])))
	}
	r.Done()
	if h.command == tcpClientNodeSend {
		p.setRoles(dir)
	}
}

// frame logs one FINS frame and acts on it; tcp is its FINS/TCP header (nil over UDP).
func (p *parser) frame(dir dissect.Dir, b []byte, tcp *tcpHeader) {
	f, ok := parseFrame(b)
	if !ok {
		p.env.Weird(weirdTruncated, "")
		return
	}
	if !f.plausible() {
		p.env.Weird(weirdBadHeader, "")
		return
	}
	name := commandName(f.command)
	if name == "" {
		p.env.Weird(weirdUnknownCmd, "")
	}
	resp := f.isResponse()
	r := p.env.Log(logFINS).Bool("is_orig", dir == dissect.Orig)
	if tcp != nil {
		r.Str("tcp_command", "FRAME_SEND")
		if tcp.errCode != 0 {
			r.HexUint("tcp_error_code", uint64(tcp.errCode), 8)
		}
	}
	if resp {
		r.Str("icf_data_type", "response")
	} else {
		r.Str("icf_data_type", "command")
	}
	r.Bool("response_required", f.responseRequired()).Uint("gateway_count", uint64(f.gct))
	r.Uint("destination_network_address", uint64(f.dna)).Uint("destination_node_number", uint64(f.da1)).Uint("destination_unit_address", uint64(f.da2))
	r.Uint("source_network_address", uint64(f.sna)).Uint("source_node_number", uint64(f.sa1)).Uint("source_unit_address", uint64(f.sa2))
	r.Uint("service_id", uint64(f.sid)).HexUint("command_code", uint64(f.command), 4)
	if name != "" {
		r.Str("command", name)
	}
	var rc uint16
	if resp {
		if len(f.data) >= 2 {
			rc = uint16(f.data[0])<<8 | uint16(f.data[1])
			r.HexUint("response_code", uint64(rc), 4)
		}
	} else if hasMemoryArea(f.command) && len(f.data) >= 6 {
		d := f.data
		r.HexUint("memory_area_code", uint64(d[0]), 2).Uint("beginning_address", uint64(d[1])<<8|uint64(d[2]))
		r.Uint("beginning_bit", uint64(d[3])).Uint("number_of_items", uint64(d[4])<<8|uint64(d[5]))
	}
	r.Done()

	key := uint32(f.sid)<<16 | uint32(f.command)
	if !resp {
		p.setRoles(dir)
		if name != "" {
			p.env.Command(name)
		} else {
			p.env.Command("UNKNOWN")
		}
		if ev := commandEvent(f.command); ev != "" {
			p.env.Event(dir, ev, name)
		}
		if f.responseRequired() {
			p.track(key)
		}
		return
	}
	if !p.take(key) {
		p.env.Weird(weirdUnmatched, "")
	}
	// MRES bit 7 flags a relay error, SRES bits 6-7 a (non-)fatal CPU error: the completion
	// code itself is the rest (W227 §8-1).
	if rc&0x7f3f != 0 {
		p.env.Event(dir.Flip(), dissect.EvException, name)
		return
	}
	switch f.command {
	case cmdControllerDataRead:
		if len(f.data) >= 2+20 {
			p.identity(dir, f.data[2:22], f.data[2+20:min(len(f.data), 42)])
		}
	case cmdControllerStatusRead:
		if len(f.data) >= 4 {
			if m := plcMode(f.data[2], f.data[3]); m != "" && m != p.mode {
				p.mode = m
				p.env.Fact(dir, dissect.AttrPLCMode, m, "fins.controller_status_read.mode")
			}
		}
	}
}

// identity states the controller model and version of a Controller Data Read response
// (W227 §5-3-9: 20 ASCII bytes each), once per distinct value.
func (p *parser) identity(server dissect.Dir, model, version []byte) {
	model, version = trimASCII(model), trimASCII(version)
	if len(model) > 0 && string(model) != p.model {
		p.model = string(model)
		p.env.Fact(server, dissect.AttrModel, p.model, "fins.controller_model")
	}
	if len(version) > 0 && string(version) != p.version {
		p.version = string(version)
		p.env.Fact(server, dissect.AttrFirmware, p.version, "fins.controller_version")
	}
}

// setRoles states once that the commanding side is a FINS client and the other its server.
func (p *parser) setRoles(client dissect.Dir) {
	if p.roles {
		return
	}
	p.roles = true
	p.env.Fact(client, dissect.AttrRole, "fins_client", "fins")
	p.env.Fact(client.Flip(), dissect.AttrRole, "fins_server", "fins")
}

// track remembers a command awaiting its response; past maxPending the oldest is dropped and
// the flood is reported once.
func (p *parser) track(key uint32) {
	if p.pending.Add(key) {
		p.env.Weird(weirdTooMany, "")
	}
}

// take removes the oldest pending command with key, reporting whether there was one.
func (p *parser) take(key uint32) bool {
	_, ok := p.pending.Take(func(k uint32) bool { return k == key })
	return ok
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
