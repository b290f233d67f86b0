package ads

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// parser is one flow's ADS state.
type parser struct {
	env     *dissect.Env
	udp     bool
	lost    [2]bool
	skip    [2]int // bytes of a large frame still to pass over
	pending dissect.Outstanding[uint64]
	roles   bool
	station bool
	name    string
	version string
	mode    string
	buf     [32]byte // scratch for NetIds and versions
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, pending: dissect.NewOutstanding[uint64](maxPending)}
	if env.Flow != nil {
		p.udp = env.Flow.Proto == 17
	}
	return p
}

// Parse consumes AMS/TCP frames (TCP) or one router-service / AMS datagram (UDP). Frames
// larger than the fields it reads are handled from their first bytes and skipped.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	dir &= 1
	if p.udp {
		switch {
		case len(b) >= 4 && le32(b) == udpMagic:
			p.routerService(dir, b)
		case validAMS(b):
			a, _ := parseAMS(b)
			p.ams(dir, a, b[amsLen:])
		default:
			p.env.Weird(weirdBadHeader, "")
		}
		return len(b), nil
	}
	off := 0
	if s := p.skip[dir]; s > 0 {
		n := min(s, len(b))
		p.skip[dir] -= n
		off = n
	}
	for off < len(b) {
		rest := b[off:]
		if len(rest) < amsTCPLen {
			return off, nil
		}
		if len(rest) < amsTCPLen+amsLen && p.lost[dir] {
			return off, nil // resync needs the AMS header too
		}
		h, ok := validTCP(rest)
		if !ok {
			if !p.lost[dir] {
				p.lost[dir] = true
				if h.reserved != 0 && !isRouterCmd(h.reserved) {
					p.env.Weird(weirdBadHeader, "")
				} else {
					p.env.Weird(weirdBadLength, "")
				}
			}
			off++
			continue
		}
		if p.lost[dir] && (isRouterCmd(h.reserved) || len(rest) < amsTCPLen+amsLen) {
			off++
			continue
		}
		total := amsTCPLen + int(h.length)
		if isRouterCmd(h.reserved) {
			if len(rest) < total {
				return off, nil
			}
			off += total // router port commands: not ADS, passed over
			continue
		}
		have := min(total, amsTCPLen+amsLen+fieldBytes)
		if len(rest) < have {
			return off, nil
		}
		p.lost[dir] = false
		a, _ := parseAMS(rest[amsTCPLen:])
		p.ams(dir, a, rest[amsTCPLen+amsLen:min(len(rest), total)])
		if len(rest) < total {
			p.skip[dir] = total - len(rest)
			return len(b), nil
		}
		off += total
	}
	return off, nil
}

// Gap drops the direction's sync (and any skip in progress: the lost bytes may have been it).
func (p *parser) Gap(dir dissect.Dir, lost int) {
	dir &= 1
	if p.skip[dir] > 0 && lost < p.skip[dir] {
		p.skip[dir] -= lost
		return
	}
	p.skip[dir] = 0
	p.lost[dir] = true
}

func (p *parser) Close() {}

// ams logs one AMS packet; d is its ADS data (possibly only the first bytes of it).
func (p *parser) ams(dir dissect.Dir, a amsHeader, d []byte) {
	p.env.PDU()
	resp := a.isResponse()
	name := commandName(a.command)
	r := p.env.Log(logADS).Bool("is_orig", dir == dissect.Orig)
	r.Bytes("target_net_id", appendNetID(p.buf[:0], a.targetNetID)).Uint("target_port", uint64(a.targetPort))
	r.Bytes("source_net_id", appendNetID(p.buf[:0], a.sourceNetID)).Uint("source_port", uint64(a.sourcePort))
	r.Uint("command_id", uint64(a.command)).Str("command", name)
	if resp {
		r.Str("pdu_type", "response")
	} else {
		r.Str("pdu_type", "request")
	}
	r.HexUint("state_flags", uint64(a.flags), 4).Uint("data_length", uint64(a.dataLength))
	r.HexUint("error_code", uint64(a.errorCode), 8).Uint("invoke_id", uint64(a.invokeID))
	var result uint32
	var state uint16
	var haveState bool
	var devName, version []byte
	if resp && a.command != cmdNotification {
		if len(d) >= 4 {
			result = le32(d)
			r.HexUint("result", uint64(result), 8)
		}
		switch {
		case a.command == cmdReadDeviceInfo && len(d) >= 24:
			version = p.appendVersion(d[4], d[5], le16(d[6:]))
			r.Bytes("version", version)
			devName = trimASCII(d[8:24])
			r.Bytes("device_name", devName)
		case a.command == cmdReadState && len(d) >= 8:
			state, haveState = le16(d[4:]), true
			r.Str("ads_state", stateName(state)).Uint("device_state", uint64(le16(d[6:])))
		case a.command == cmdRead && len(d) >= 8:
			r.Uint("length", uint64(le32(d[4:])))
		}
	} else if !resp {
		switch a.command {
		case cmdRead, cmdWrite, cmdAddNotif:
			if len(d) >= 12 {
				r.HexUint("index_group", uint64(le32(d)), 8).HexUint("index_offset", uint64(le32(d[4:])), 8).Uint("length", uint64(le32(d[8:])))
			}
		case cmdReadWrite:
			if len(d) >= 16 {
				r.HexUint("index_group", uint64(le32(d)), 8).HexUint("index_offset", uint64(le32(d[4:])), 8)
				r.Uint("length", uint64(le32(d[8:]))).Uint("write_length", uint64(le32(d[12:])))
			}
		case cmdWriteControl:
			if len(d) >= 4 {
				state, haveState = le16(d), true
				r.Str("ads_state", stateName(state)).Uint("device_state", uint64(le16(d[2:])))
			}
		}
	}
	r.Done()

	key := uint64(a.invokeID)<<16 | uint64(a.command)
	if !resp {
		if a.command == cmdNotification {
			return // sent by the server, never answered
		}
		p.setRoles(dir, a)
		p.env.Command(name)
		switch a.command {
		case cmdWrite:
			p.env.Event(dir, dissect.EvWrite, name)
		case cmdWriteControl:
			if haveState {
				p.env.Event(dir, writeControlEvent(state), stateName(state))
			}
		case cmdReadDeviceInfo:
			p.env.Event(dir, dissect.EvScan, name)
		}
		p.track(key)
		return
	}
	if !p.take(key) {
		p.env.Weird(weirdUnmatched, "")
	}
	if a.errorCode != 0 || result != 0 {
		p.env.Event(dir.Flip(), dissect.EvException, name)
		return
	}
	if len(devName) > 0 && string(devName) != p.name {
		p.name = string(devName)
		p.env.Fact(dir, dissect.AttrSoftware, p.name, "ads.adsdevicename")
	}
	if len(version) > 0 && string(version) != p.version {
		p.version = string(version)
		p.env.Fact(dir, dissect.AttrFirmware, p.version, "ads.adsversion")
	}
	if haveState {
		if m := plcMode(state); m != "" && m != p.mode {
			p.mode = m
			p.env.Fact(dir, dissect.AttrPLCMode, m, "ads.adsstate")
		}
	}
}

// appendVersion formats major.minor.build into the scratch buffer.
func (p *parser) appendVersion(major, minor byte, build uint16) []byte {
	v := appendUint(p.buf[:0], uint64(major))
	v = append(v, '.')
	v = appendUint(v, uint64(minor))
	v = append(v, '.')
	return appendUint(v, uint64(build))
}

// setRoles states the client and server once, and the server's AMS NetId.
func (p *parser) setRoles(client dissect.Dir, a amsHeader) {
	if p.roles {
		return
	}
	p.roles = true
	p.env.Fact(client, dissect.AttrRole, "ads_client", "ads")
	p.env.Fact(client.Flip(), dissect.AttrRole, "ads_server", "ads")
	p.env.Fact(client.Flip(), dissect.AttrStationAddr, string(appendNetID(nil, a.targetNetID)), "ads.targetnetid")
}

// routerService logs a UDP router-service frame: magic, invoke id, service id, AMS NetId and
// port, tag count, then tags (id u16, length u16, value).
func (p *parser) routerService(dir dissect.Dir, b []byte) {
	p.env.PDU()
	if len(b) < 24 {
		p.env.Weird(weirdTruncated, "")
		return
	}
	svc := le32(b[8:])
	var netID [6]byte
	copy(netID[:], b[12:18])
	r := p.env.Log(logADS).Bool("is_orig", dir == dissect.Orig)
	r.Bytes("source_net_id", appendNetID(p.buf[:0], netID)).Uint("source_port", uint64(le16(b[18:])))
	r.Uint("invoke_id", uint64(le32(b[4:])))
	resp := svc&udpResponse != 0
	name := ""
	switch svc &^ udpResponse {
	case udpServerInfo:
		name = "UDP_SERVER_INFO"
	case udpAddRoute:
		name = "UDP_ADD_ROUTE"
	}
	r.HexUint("udp_service_id", uint64(svc), 8)
	if name != "" {
		r.Str("command", name)
	}
	if resp {
		r.Str("pdu_type", "response")
	} else {
		r.Str("pdu_type", "request")
	}
	tags := le32(b[20:])
	r.Uint("tag_count", uint64(tags))
	var host, ver, password []byte
	t := b[24:]
	for i := uint32(0); i < tags && len(t) >= 4; i++ {
		id, n := le16(t), int(le16(t[2:]))
		if len(t) < 4+n {
			break
		}
		v := t[4 : 4+n]
		switch id {
		case tagComputerName:
			host = trimASCII(v)
		case tagVersion:
			if len(v) >= 4 {
				ver = v
			}
		case tagPassword:
			password = v
		case tagUserName:
			r.Bytes("user_name", trimASCII(v))
		}
		t = t[4+n:]
	}
	if len(host) > 0 {
		r.Bytes("host_name", host)
	}
	r.Done()
	if !resp {
		if name != "" {
			p.env.Command(name)
		}
		if svc == udpAddRoute {
			p.env.Event(dir, dissect.EvConfigWrite, name)
			if password != nil {
				p.env.Event(dir, dissect.EvPassword, "UDP_ADD_ROUTE password in clear")
			}
		}
		return
	}
	if len(host) > 0 && string(host) != p.name {
		p.name = string(host)
		p.env.Fact(dir, dissect.AttrHostname, p.name, "ads.udp.computer_name")
	}
	if ver != nil && !p.station {
		p.station = true
		p.env.Fact(dir, dissect.AttrSoftware, "TwinCAT "+strconv.Itoa(int(ver[0]))+"."+strconv.Itoa(int(ver[1]))+"."+strconv.Itoa(int(le16(ver[2:]))), "ads.udp.version")
		p.env.Fact(dir, dissect.AttrStationAddr, string(appendNetID(nil, netID)), "ads.udp.net_id")
	}
}

func (p *parser) track(key uint64) {
	if p.pending.Add(key) {
		p.env.Weird(weirdTooMany, "")
	}
}

func (p *parser) take(key uint64) bool {
	_, ok := p.pending.Take(func(k uint64) bool { return k == key })
	return ok
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
