package vnc

import (
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

const (
	logVNC = "vnc"

	weirdNoAuth     = "vnc_no_auth"          // the session uses security type None
	weirdAuthFailed = "vnc_auth_failed"      // SecurityResult failed
	weirdBadVersion = "vnc_invalid_version"  // ProtocolVersion not "RFB xxx.yyy\n"
	weirdBadState   = "vnc_unexpected_bytes" // bytes that do not fit the handshake
)

// Handshake states of each direction. Spec: RFC 6143 7.1 (handshake), 7.3 (initialisation).
const (
	stVersion   = iota // ProtocolVersion
	stSecTypes         // server: security types (3.7+) or type (3.3); client: its choice
	stChallenge        // server: VNC auth challenge; client: response
	stResult           // server: SecurityResult
	stInit             // server: ServerInit; client: ClientInit
	stDone             // normal protocol messages: not parsed
)

// securityName names an RFB security type (IANA RFB registry) in Zeek's rfb.log spelling.
func securityName(t uint32) string {
	switch t {
	case 0:
		return "Invalid"
	case 1:
		return "None"
	case 2:
		return "VNC"
	case 5:
		return "RA2"
	case 6:
		return "RA2ne"
	case 16:
		return "Tight"
	case 17:
		return "Ultra"
	case 18:
		return "TLS"
	case 19:
		return "VeNCrypt"
	case 20:
		return "GTK-VNC SASL"
	case 21:
		return "MD5 hash authentication"
	case 22:
		return "Colin Dean xvp"
	case 30:
		return "Apple Remote Desktop"
	}
	return "unknown"
}

// parser is the per-flow RFB handshake parser. Not safe for concurrent use.
type parser struct {
	env    *dissect.Env
	server dissect.Dir
	st     [2]uint8
	logged bool
	gap    bool

	ts        int64
	srvMajor  int
	srvMinor  int
	cliMajor  int
	cliMinor  int
	hasSrv    bool
	hasCli    bool
	offered   []uint8
	method    uint32
	hasMethod bool
	auth      bool
	hasAuth   bool
	shared    bool
	hasShared bool
	name      []byte
	width     uint16
	height    uint16
	hasInit   bool
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, server: dissect.Resp}
	if env != nil && env.Flow != nil {
		if o, r := env.Flow.Orig.Port, env.Flow.Resp.Port; o >= 5900 && o <= 5909 && !(r >= 5900 && r <= 5909) {
			p.server = dissect.Orig
		}
	}
	return p
}

// version parses "RFB xxx.yyy\n".
func version(b []byte) (int, int, bool) {
	if len(b) < 12 || string(b[:4]) != "RFB " || b[7] != '.' || b[11] != '\n' {
		return 0, 0, false
	}
	maj, err1 := strconv.Atoi(string(b[4:7]))
	min, err2 := strconv.Atoi(string(b[8:11]))
	return maj, min, err1 == nil && err2 == nil
}

// v37 reports whether the negotiated version lists security types (3.7 and later; 3.889 is
// Apple's variant of 3.8).
func (p *parser) v37() bool {
	maj, mn := p.srvMajor, p.srvMinor
	if p.hasCli && (p.cliMajor < maj || p.cliMajor == maj && p.cliMinor < mn) {
		maj, mn = p.cliMajor, p.cliMinor
	}
	return maj > 3 || maj == 3 && mn >= 7
}

func (p *parser) v38() bool {
	maj, mn := p.srvMajor, p.srvMinor
	if p.hasCli && (p.cliMajor < maj || p.cliMajor == maj && p.cliMinor < mn) {
		maj, mn = p.cliMajor, p.cliMinor
	}
	return maj > 3 || maj == 3 && mn >= 8
}

// Parse follows the handshake; it returns 0 consumed (need more) until a whole message of
// the current state is there.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	off := 0
	for off < len(b) {
		var n int
		if dir == p.server {
			n = p.server1(b[off:])
		} else {
			n = p.client1(b[off:])
		}
		if n == 0 {
			return off, nil
		}
		off += n
	}
	return off, nil
}

// server1 consumes one server message of the current state (0: need more).
func (p *parser) server1(b []byte) int {
	s := &p.st[p.server]
	switch *s {
	case stVersion:
		if len(b) < 12 {
			return 0
		}
		p.env.PDU()
		maj, mn, ok := version(b)
		if !ok {
			p.env.Weird(weirdBadVersion, "")
			*s = stDone
			return len(b)
		}
		p.ts = p.env.TS
		p.srvMajor, p.srvMinor, p.hasSrv = maj, mn, true
		p.env.Fact(p.server, dissect.AttrRole, "vnc_server", "vnc")
		p.env.Fact(p.server.Flip(), dissect.AttrRole, "vnc_client", "vnc")
		p.env.Fact(p.server, dissect.AttrSoftware, string(b[:11]), "vnc.server_version")
		*s = stSecTypes
		return 12
	case stSecTypes:
		if !p.hasCli {
			return 0 // the type list depends on the version the client picked
		}
		if p.v37() {
			if len(b) < 1 {
				return 0
			}
			n := int(b[0])
			if n == 0 { // failure: reason-length(4) reason
				if len(b) < 5 || len(b) < 5+int(be32(b[1:])) {
					return 0
				}
				p.auth, p.hasAuth = false, true
				p.finish()
				*s = stDone
				return 5 + int(be32(b[1:]))
			}
			if len(b) < 1+n {
				return 0
			}
			p.env.PDU()
			p.offered = append(p.offered[:0], b[1:1+n]...)
			*s = stChallenge
			return 1 + n
		}
		if len(b) < 4 { // 3.3: the server decides
			return 0
		}
		p.env.PDU()
		p.setMethod(be32(b))
		switch p.method {
		case 1:
			*s = stInit
		case 2:
			*s = stChallenge
		default:
			*s = stDone
			p.finish()
		}
		return 4
	case stChallenge:
		if !p.hasMethod {
			return 0 // wait for the client's choice
		}
		switch p.method {
		case 1: // None: 3.8 still sends a SecurityResult
			if p.v38() {
				*s = stResult
			} else {
				*s = stInit
			}
			return p.server1(b)
		case 2:
			if len(b) < 16 {
				return 0
			}
			p.env.PDU()
			*s = stResult
			return 16
		default: // other types negotiate on their own (often TLS): stop here
			*s = stDone
			p.finish()
			return len(b)
		}
	case stResult:
		if len(b) < 4 {
			return 0
		}
		p.env.PDU()
		ok := be32(b) == 0
		p.auth, p.hasAuth = ok, true
		if !ok {
			p.env.Weird(weirdAuthFailed, "")
			p.env.Event(p.server.Flip(), dissect.EvLogin, "vnc auth failed")
			n := 4
			if p.v38() && len(b) >= 8 && len(b) >= 8+int(be32(b[4:])) {
				n = 8 + int(be32(b[4:]))
			}
			*s = stDone
			p.finish()
			return n
		}
		p.env.Event(p.server.Flip(), dissect.EvLogin, "vnc auth ok")
		*s = stInit
		return 4
	case stInit:
		// ServerInit: width(2) height(2) pixel-format(16) name-length(4) name
		if len(b) < 24 {
			return 0
		}
		nl := int(be32(b[20:]))
		if nl > 4096 {
			p.env.Weird(weirdBadState, "desktop name length "+strconv.Itoa(nl))
			*s = stDone
			p.finish()
			return len(b)
		}
		if len(b) < 24+nl {
			return 0
		}
		p.env.PDU()
		p.width, p.height = be16(b), be16(b[2:])
		p.name = append(p.name[:0], b[24:24+nl]...)
		p.hasInit = true
		if nl > 0 {
			p.env.Fact(p.server, dissect.AttrName, string(p.name), "vnc.desktop_name")
		}
		*s = stDone
		p.finish()
		return 24 + nl
	}
	return len(b) // stDone: framebuffer updates and the like
}

// client1 consumes one client message of the current state (0: need more).
func (p *parser) client1(b []byte) int {
	c := p.server.Flip()
	s := &p.st[c]
	switch *s {
	case stVersion:
		if len(b) < 12 {
			return 0
		}
		p.env.PDU()
		maj, mn, ok := version(b)
		if !ok {
			p.env.Weird(weirdBadVersion, "client")
			*s = stDone
			return len(b)
		}
		p.cliMajor, p.cliMinor, p.hasCli = maj, mn, true
		*s = stSecTypes
		return 12
	case stSecTypes:
		if !p.hasSrv {
			return 0
		}
		if !p.v37() { // 3.3: the server chose; the client has no choice to send
			if !p.hasMethod {
				return 0
			}
			switch p.method {
			case 1:
				*s = stInit
			case 2:
				*s = stChallenge
			default:
				*s = stDone
			}
			return p.client1(b)
		}
		if len(b) < 1 {
			return 0
		}
		p.env.PDU()
		p.setMethod(uint32(b[0]))
		switch p.method {
		case 1:
			*s = stInit
		case 2:
			*s = stChallenge
		default:
			*s = stDone
		}
		return 1
	case stChallenge:
		if len(b) < 16 {
			return 0
		}
		p.env.PDU()
		*s = stInit
		return 16
	case stInit:
		p.env.PDU()
		p.shared, p.hasShared = b[0] != 0, true
		*s = stDone
		return 1
	}
	return len(b)
}

func (p *parser) setMethod(m uint32) {
	p.method, p.hasMethod = m, true
	if m == 1 {
		p.env.Weird(weirdNoAuth, "")
	}
}

// finish writes the vnc.log record once (Zeek rfb.log field names, plus the offered types).
func (p *parser) finish() {
	if p.logged || !p.hasSrv && !p.hasCli {
		return
	}
	p.logged = true
	now := p.env.TS
	if p.ts != 0 {
		p.env.TS = p.ts
	}
	r := p.env.Log(logVNC)
	if p.hasCli {
		r.Str("client_major_version", pad3(p.cliMajor)).Str("client_minor_version", pad3(p.cliMinor))
	}
	if p.hasSrv {
		r.Str("server_major_version", pad3(p.srvMajor)).Str("server_minor_version", pad3(p.srvMinor))
	}
	if len(p.offered) > 0 {
		r.Array("security_types")
		for _, t := range p.offered {
			r.ElemStr(securityName(uint32(t)))
		}
		r.End()
	}
	if p.hasMethod {
		r.Str("authentication_method", securityName(p.method))
	}
	if p.hasAuth {
		r.Bool("auth", p.auth)
	}
	if p.hasShared {
		r.Bool("share_flag", p.shared)
	}
	if p.hasInit {
		r.Bytes("desktop_name", p.name).Uint("width", uint64(p.width)).Uint("height", uint64(p.height))
	}
	r.Done()
	p.env.TS = now
}

func pad3(n int) string {
	switch {
	case n < 10:
		return "00" + strconv.Itoa(n)
	case n < 100:
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// Gap: the handshake cannot be followed across a hole; log what is known and stop.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	p.finish()
	p.st[0], p.st[1] = stDone, stDone
}

func (p *parser) Close() { p.finish() }

// Interface guards
var _ dissect.Parser = (*parser)(nil)
