package telnet

import (
	"bytes"

	"github.com/quietwire/quietwire/dissect"
)

const (
	logTelnet = "telnet"

	weirdCleartext = "telnet_cleartext_session" // a telnet session (credentials travel in clear)

	// Commands. Spec: RFC 854.
	se   = 240
	sb   = 250
	will = 251
	wont = 252
	do   = 253
	dont = 254
	iac  = 255

	optTerminalType = 24

	maxLine   = 256
	maxUser   = 64
	maxBanner = 128
)

// Login progress.
const (
	lgNone     = iota
	lgUser     // a login prompt was seen: the client is typing the user name
	lgWaitPass // user name entered: waiting for the password prompt
	lgPass     // password prompt seen: client bytes are the password (discarded)
	lgResult   // password entered: the server's next text tells the outcome
	lgDone
)

// optionName names common telnet options (IANA telnet options registry).
func optionName(o byte) string {
	switch o {
	case 0:
		return "BINARY"
	case 1:
		return "ECHO"
	case 3:
		return "SUPPRESS-GO-AHEAD"
	case 5:
		return "STATUS"
	case 6:
		return "TIMING-MARK"
	case 24:
		return "TERMINAL-TYPE"
	case 31:
		return "NAWS"
	case 32:
		return "TERMINAL-SPEED"
	case 33:
		return "TOGGLE-FLOW-CONTROL"
	case 34:
		return "LINEMODE"
	case 35:
		return "X-DISPLAY-LOCATION"
	case 36:
		return "OLD-ENVIRON"
	case 37:
		return "AUTHENTICATION"
	case 38:
		return "ENCRYPT"
	case 39:
		return "NEW-ENVIRON"
	}
	return "OTHER"
}

// parser is the per-flow telnet parser. Not safe for concurrent use.
type parser struct {
	env     *dissect.Env
	server  dissect.Dir
	started bool
	logged  bool

	opts  [2][4][4]uint64 // per direction, per verb (WILL WONT DO DONT): option bitmap 0-255
	sbBuf []byte          // subnegotiation in progress
	inSB  [2]bool

	line     []byte // current server line (lower-cased)
	raw      []byte // the same line as sent
	banner   []byte
	hasLine  bool
	prompt   bool
	login    uint8
	user     []byte
	result   string
	termType []byte
	ts       int64
	scratch  []byte
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, server: dissect.Resp}
	if env != nil && env.Flow != nil && env.Flow.Orig.Port == 23 && env.Flow.Resp.Port != 23 {
		p.server = dissect.Orig
	}
	return p
}

// Parse strips IAC sequences and follows the login dialogue. An IAC sequence cut at the end
// of b is left unconsumed.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	if !p.started {
		p.started = true
		p.ts = p.env.TS
		p.env.Weird(weirdCleartext, "")
		p.env.Fact(p.server, dissect.AttrRole, "telnet_server", "telnet")
		p.env.Fact(p.server.Flip(), dissect.AttrRole, "telnet_client", "telnet")
	}
	d := dir & 1
	for i := 0; i < len(b); i++ {
		c := b[i]
		if p.inSB[d] {
			if c == iac {
				if i+1 >= len(b) {
					return i, nil
				}
				if b[i+1] == se {
					p.inSB[d] = false
					p.subneg(dir)
					i++
					continue
				}
				if b[i+1] == iac {
					i++
				}
			}
			if len(p.sbBuf) < 64 {
				p.sbBuf = append(p.sbBuf, c)
			}
			continue
		}
		if c != iac {
			p.data(dir, c)
			continue
		}
		if i+1 >= len(b) {
			return i, nil
		}
		cmd := b[i+1]
		switch {
		case cmd == iac: // escaped 0xff data byte
			p.data(dir, c)
			i++
		case cmd >= will && cmd <= dont:
			if i+2 >= len(b) {
				return i, nil
			}
			o := b[i+2]
			p.opts[d][cmd-will][o>>6] |= 1 << (o & 63)
			p.env.PDU()
			i += 2
		case cmd == sb:
			p.inSB[d] = true
			p.sbBuf = p.sbBuf[:0]
			i++
		default: // NOP, GA, AYT, IP…: two bytes
			i++
		}
	}
	return len(b), nil
}

// subneg handles a completed subnegotiation: TERMINAL-TYPE IS <type> (RFC 1091).
func (p *parser) subneg(dir dissect.Dir) {
	p.env.PDU()
	if dir != p.server && len(p.sbBuf) > 2 && p.sbBuf[0] == optTerminalType && p.sbBuf[1] == 0 {
		p.termType = append(p.termType[:0], p.sbBuf[2:]...)
	}
}

// data handles one data byte of dir.
func (p *parser) data(dir dissect.Dir, c byte) {
	if p.login == lgDone {
		return
	}
	if dir == p.server {
		p.serverByte(c)
		return
	}
	switch p.login {
	case lgUser:
		switch {
		case c == '\r' || c == '\n':
			if len(p.user) > 0 {
				p.login = lgWaitPass
			}
		case c == 0x08 || c == 0x7f:
			if len(p.user) > 0 {
				p.user = p.user[:len(p.user)-1]
			}
		case c >= 0x20 && len(p.user) < maxUser:
			p.user = append(p.user, c)
		}
	case lgPass:
		if c == '\r' || c == '\n' {
			p.login = lgResult
			p.line = p.line[:0]
		}
	}
}

func (p *parser) serverByte(c byte) {
	if c == '\r' || c == '\n' {
		if len(p.line) > 0 {
			p.endLine()
		}
		p.line, p.raw = p.line[:0], p.raw[:0]
		return
	}
	if c < 0x20 && c != '\t' || len(p.line) >= maxLine {
		return
	}
	p.raw = append(p.raw, c)
	if 'A' <= c && c <= 'Z' {
		c += 'a' - 'A'
	}
	p.line = append(p.line, c)
	p.checkPrompt()
}

// endLine handles a complete server line: the banner (first non-empty line before any
// prompt) and the login outcome.
func (p *parser) endLine() {
	t := bytes.TrimSpace(p.line)
	if len(t) == 0 {
		return
	}
	if p.login == lgNone && !p.hasLine {
		p.hasLine = true
		raw := bytes.TrimSpace(p.raw)
		p.banner = append(p.banner[:0], raw[:min(len(raw), maxBanner)]...)
	}
	if p.login == lgResult {
		p.outcome(t, true)
	}
}

// checkPrompt looks at the current (unterminated) server line for prompts and, after the
// password, for the login outcome.
func (p *parser) checkPrompt() {
	t := bytes.TrimRight(p.line, " \t")
	switch {
	case bytes.HasSuffix(t, []byte("login:")) || bytes.HasSuffix(t, []byte("username:")) ||
		bytes.HasSuffix(t, []byte("user name:")) || bytes.HasSuffix(t, []byte("user:")):
		if p.login == lgResult {
			p.finishLogin("failed") // asked again: the previous attempt failed
		}
		if p.login != lgDone {
			p.prompt = true
			p.login = lgUser
			p.user = p.user[:0]
		}
	case bytes.HasSuffix(t, []byte("password:")) || bytes.HasSuffix(t, []byte("passcode:")):
		p.prompt = true
		if p.login == lgUser || p.login == lgWaitPass || p.login == lgNone {
			p.login = lgPass
		}
	case p.login == lgResult:
		p.outcome(t, false)
	}
}

// outcome decides from server text after the password whether the login worked.
func (p *parser) outcome(t []byte, complete bool) {
	for _, bad := range []string{"incorrect", "failed", "invalid", "denied", "bad password", "authentication failure"} {
		if bytes.Contains(t, []byte(bad)) {
			p.finishLogin("failed")
			return
		}
	}
	if bytes.HasSuffix(t, []byte("$")) || bytes.HasSuffix(t, []byte("#")) || bytes.HasSuffix(t, []byte(">")) ||
		bytes.Contains(t, []byte("last login")) || bytes.Contains(t, []byte("welcome")) {
		p.finishLogin("ok")
	}
}

func (p *parser) finishLogin(result string) {
	p.result = result
	p.login = lgDone
	p.scratch = append(p.scratch[:0], "user="...)
	p.scratch = append(p.scratch, p.user...)
	p.scratch = append(p.scratch, ' ')
	p.scratch = append(p.scratch, result...)
	p.env.Event(p.server.Flip(), dissect.EvLogin, string(p.scratch))
	p.finish()
}

// finish writes the telnet.log record once.
func (p *parser) finish() {
	if p.logged || !p.started {
		return
	}
	p.logged = true
	if len(p.banner) > 0 {
		p.env.Fact(p.server, dissect.AttrSoftware, string(p.banner), "telnet.banner")
	}
	now := p.env.TS
	p.env.TS = p.ts
	r := p.env.Log(logTelnet)
	if len(p.banner) > 0 {
		r.Bytes("banner", p.banner)
	}
	r.Bool("login_prompt", p.prompt)
	if len(p.user) > 0 && p.login >= lgWaitPass {
		r.Bytes("user", p.user)
	}
	if p.result != "" {
		r.Str("login_result", p.result)
	}
	if len(p.termType) > 0 {
		r.Bytes("terminal_type", p.termType)
	}
	names := [4]string{"will", "wont", "do", "dont"}
	for _, side := range []dissect.Dir{p.server, p.server.Flip()} {
		prefix := "client_"
		if side == p.server {
			prefix = "server_"
		}
		for v := 0; v < 4; v++ {
			bm := p.opts[side][v]
			if bm == [4]uint64{} {
				continue
			}
			r.Array(prefix + names[v])
			other := false
			for o := 0; o < 256; o++ {
				if bm[o>>6]&(1<<(o&63)) == 0 {
					continue
				}
				if n := optionName(byte(o)); n != "OTHER" {
					r.ElemStr(n)
				} else {
					other = true
				}
			}
			if other {
				r.ElemStr("OTHER")
			}
			r.End()
		}
	}
	r.Done()
	p.env.TS = now
}

// Gap: a hole may hide a prompt or typed text: stop following the login dialogue.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	p.inSB[dir&1] = false
	if p.login != lgDone && p.login != lgNone {
		p.login = lgNone
		p.user = p.user[:0]
	}
	p.line = p.line[:0]
}

func (p *parser) Close() { p.finish() }

// Interface guards
var _ dissect.Parser = (*parser)(nil)
