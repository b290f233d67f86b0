package slmp

import "github.com/quietwire/quietwire/dissect"

// request is an unanswered request: 4E frames are paired by serial number, 3E frames (which
// carry no id) in order.
type request struct {
	serial uint16
	is4E   bool
	cmd    uint16
	sub    uint16
}

// parser is one flow's SLMP state.
type parser struct {
	env     *dissect.Env
	udp     bool
	lost    [2]bool
	pending dissect.Outstanding[request]
	roles   bool
	model   string
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, pending: dissect.NewOutstanding[request](maxPending)}
	if env.Flow != nil {
		p.udp = env.Flow.Proto == 17
	}
	return p
}

// Parse consumes whole 3E/4E frames; a UDP datagram is one frame.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	dir &= 1
	if p.udp {
		h, ok := parseHeader(b)
		switch {
		case !ok:
			p.env.Weird(weirdTruncated, "")
		case !valid(b, h):
			p.env.Weird(weirdBadSubheader, "")
		case len(b) < h.total():
			p.env.Weird(weirdTruncated, "")
		default:
			p.frame(dir, h, b[:h.total()])
		}
		return len(b), nil
	}
	off := 0
	for off < len(b) {
		rest := b[off:]
		h, ok := parseHeader(rest)
		if !subheaderOK(rest[:min(2, len(rest))]) || ok && !valid(rest, h) {
			if !p.lost[dir] {
				p.lost[dir] = true
				if subheaderOK(rest[:min(2, len(rest))]) {
					p.env.Weird(weirdBadLength, "")
				} else {
					p.env.Weird(weirdBadSubheader, "")
				}
			}
			off++
			continue
		}
		if !ok {
			return off, nil
		}
		if p.lost[dir] {
			switch p.resync(rest, h) {
			case resyncNeedMore:
				return off, nil
			case resyncNo:
				off++
				continue
			}
		}
		if len(rest) < h.total() {
			return off, nil
		}
		p.lost[dir] = false
		p.frame(dir, h, rest[:h.total()])
		off += h.total()
	}
	return off, nil
}

const (
	resyncYes = iota
	resyncNo
	resyncNeedMore
)

// resync is the stricter test a header must pass after a loss of sync (subheaders are two
// bytes only): a request must carry a known command, and a header must be followed by
// another subheader when those bytes are there.
func (p *parser) resync(b []byte, h header) int {
	if !h.isResponse() {
		if len(b) < h.hdrLen+6 {
			return resyncNeedMore
		}
		if commandName(le16(b[h.hdrLen+2:])) == "" {
			return resyncNo
		}
	}
	if len(b) > h.total() && !subheaderOK(b[h.total():min(len(b), h.total()+2)]) {
		return resyncNo
	}
	return resyncYes
}

// Gap drops the direction's sync: framing restarts at the next plausible header.
func (p *parser) Gap(dir dissect.Dir, lost int) { p.lost[dir&1] = true }

func (p *parser) Close() {}

// frame logs one complete frame and acts on it.
func (p *parser) frame(dir dissect.Dir, h header, b []byte) {
	p.env.PDU()
	body := b[h.hdrLen:]
	r := p.env.Log(logSLMP).Bool("is_orig", dir == dissect.Orig)
	if h.is4E() {
		r.Str("frame", "4E").Uint("serial_number", uint64(h.serial))
	} else {
		r.Str("frame", "3E")
	}
	r.Uint("network_number", uint64(h.network)).Uint("pc_number", uint64(h.pc))
	r.HexUint("io_number", uint64(h.io), 4).Uint("station_number", uint64(h.station)).Uint("data_length", uint64(h.dataLength))
	if !h.isResponse() {
		r.Str("pdu_type", "request")
		timer, cmd, sub := le16(body), le16(body[2:]), le16(body[4:])
		name := commandName(cmd)
		r.Uint("monitoring_timer", uint64(timer)).HexUint("command_code", uint64(cmd), 4)
		if name != "" {
			r.Str("command", name)
		}
		r.HexUint("subcommand", uint64(sub), 4)
		deviceFields(r, cmd, sub, body[6:])
		r.Done()
		if name == "" {
			p.env.Weird(weirdUnknownCmd, "")
			name = "UNKNOWN"
		}
		p.setRoles(dir)
		p.env.Command(name)
		if ev := commandEvent(cmd); ev != "" {
			p.env.Event(dir, ev, name)
		}
		p.track(request{serial: h.serial, is4E: h.is4E(), cmd: cmd, sub: sub})
		return
	}
	end := le16(body)
	req, found := p.take(h)
	r.Str("pdu_type", "response")
	name := ""
	if found {
		name = commandName(req.cmd)
		r.HexUint("command_code", uint64(req.cmd), 4)
		if name != "" {
			r.Str("command", name)
		}
	}
	r.HexUint("end_code", uint64(end), 4).Done()
	if !found {
		p.env.Weird(weirdUnmatched, "")
		return
	}
	if end != 0 {
		p.env.Event(dir.Flip(), dissect.EvException, name)
		return
	}
	// Read Type Name response (SH-080956 §5-6-1): model name, 16 ASCII bytes, then the model
	// code (2 bytes LE).
	if req.cmd == cmdReadTypeName && len(body) >= 2+16 {
		if m := trimASCII(body[2:18]); len(m) > 0 && string(m) != p.model {
			p.model = string(m)
			p.env.Fact(dir, dissect.AttrModel, p.model, "slmp.read_type_name.model")
		}
	}
}

// deviceFields adds the device range of batch device reads and writes (SH-080956 §5-2-1,
// 5-2-2): head device number, device code and number of points, in the Q/L layout
// (subcommand 0x0000/0x0001: 3-byte number, 1-byte code) or the iQ-R one (0x0002/0x0003:
// 4-byte number, 2-byte code).
func deviceFields(r *dissect.Record, cmd, sub uint16, d []byte) {
	if cmd != cmdDeviceRead && cmd != cmdDeviceWrite {
		return
	}
	var num uint32
	var code, points uint16
	switch sub {
	case 0x0000, 0x0001:
		if len(d) < 6 {
			return
		}
		num = uint32(d[0]) | uint32(d[1])<<8 | uint32(d[2])<<16
		code, points = uint16(d[3]), le16(d[4:])
	case 0x0002, 0x0003:
		if len(d) < 8 {
			return
		}
		num = uint32(d[0]) | uint32(d[1])<<8 | uint32(d[2])<<16 | uint32(d[3])<<24
		code, points = le16(d[4:]), le16(d[6:])
	default:
		return
	}
	r.HexUint("device_code", uint64(code), 2)
	if n := deviceName(code); n != "" {
		r.Str("device", n)
	}
	r.Uint("head_device_number", uint64(num)).Uint("number_of_points", uint64(points))
}

func (p *parser) setRoles(client dissect.Dir) {
	if p.roles {
		return
	}
	p.roles = true
	p.env.Fact(client, dissect.AttrRole, "slmp_client", "slmp")
	p.env.Fact(client.Flip(), dissect.AttrRole, "slmp_server", "slmp")
}

func (p *parser) track(q request) {
	if p.pending.Add(q) {
		p.env.Weird(weirdTooMany, "")
	}
}

// take pairs a response with its request: the 4E request of the same serial number, or the
// oldest 3E request.
func (p *parser) take(h header) (request, bool) {
	return p.pending.Take(func(q request) bool { return q.is4E == h.is4E() && (!q.is4E || q.serial == h.serial) })
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
