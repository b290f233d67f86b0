package ftp

import (
	"bytes"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

const (
	logFTP = "ftp"

	weirdCleartextLogin = "ftp_cleartext_login" // USER/PASS sent without TLS
	weirdLineTooLong    = "ftp_line_too_long"   // a command or reply line longer than maxLine
	weirdBadReply       = "ftp_invalid_reply"   // a server line that is not "ddd text"
	weirdUnmatched      = "ftp_unmatched_reply" // a final reply with no command waiting
	weirdFlood          = "ftp_command_flood"   // more than maxPending commands without reply

	maxLine    = 4096
	maxPending = 64
	maxArg     = 1024
	hidden     = "<hidden>"
)

// command is a command waiting for its final reply.
type command struct {
	ts   int64
	name []byte
	arg  []byte
	pass bool
}

// parser is the per-flow FTP control-connection parser. Not safe for concurrent use.
type parser struct {
	env      *dissect.Env
	server   dissect.Dir
	pend     []command
	npend    int
	user     []byte
	loginRep bool // cleartext login weird reported
	tls      bool // AUTH TLS accepted: the rest is encrypted
	banner   bool
	flooded  bool
	resync   [2]bool

	// multi-line reply in progress
	multi   bool
	code    int
	msg     []byte
	scratch []byte
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, server: dissect.Resp, pend: make([]command, maxPending)}
	if env != nil && env.Flow != nil && env.Flow.Orig.Port == 21 && env.Flow.Resp.Port != 21 {
		p.server = dissect.Orig
	}
	return p
}

// Parse consumes whole lines (CRLF or LF terminated). Spec: RFC 959 4.1, 4.2; RFC 2228 (AUTH).
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	if p.tls {
		return len(b), nil
	}
	d := dir & 1
	off := 0
	for off < len(b) {
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 {
			if len(b)-off > maxLine {
				p.env.Weird(weirdLineTooLong, "")
				p.resync[d] = true
				return len(b), nil
			}
			return off, nil
		}
		line := b[off : off+i]
		off += i + 1
		if p.resync[d] {
			p.resync[d] = false
			continue // the tail of a line cut by a gap or an overlong line
		}
		line = bytes.TrimSuffix(line, []byte{'\r'})
		if dir == p.server {
			p.reply(line)
		} else {
			p.request(dir, line)
		}
		if p.tls {
			return len(b), nil
		}
	}
	return off, nil
}

// commandName returns the constant name of an FTP command for the topology counters.
func commandName(c []byte) string {
	switch string(c) {
	case "USER":
		return "USER"
	case "PASS":
		return "PASS"
	case "RETR":
		return "RETR"
	case "STOR":
		return "STOR"
	case "STOU":
		return "STOU"
	case "APPE":
		return "APPE"
	case "DELE":
		return "DELE"
	case "RNFR":
		return "RNFR"
	case "RNTO":
		return "RNTO"
	case "MKD":
		return "MKD"
	case "RMD":
		return "RMD"
	case "CWD":
		return "CWD"
	case "LIST":
		return "LIST"
	case "NLST":
		return "NLST"
	case "PORT":
		return "PORT"
	case "PASV":
		return "PASV"
	case "EPSV":
		return "EPSV"
	case "EPRT":
		return "EPRT"
	case "TYPE":
		return "TYPE"
	case "SITE":
		return "SITE"
	case "AUTH":
		return "AUTH"
	case "QUIT":
		return "QUIT"
	case "SYST":
		return "SYST"
	case "FEAT":
		return "FEAT"
	case "PWD":
		return "PWD"
	case "NOOP":
		return "NOOP"
	case "SIZE":
		return "SIZE"
	case "MDTM":
		return "MDTM"
	}
	return "OTHER"
}

func (p *parser) request(dir dissect.Dir, line []byte) {
	if len(line) == 0 {
		return
	}
	p.env.PDU()
	name, arg, _ := bytes.Cut(line, []byte{' '})
	if len(name) > 16 {
		name = name[:16]
	}
	if p.npend == maxPending {
		if !p.flooded {
			p.flooded = true
			p.env.Weird(weirdFlood, strconv.Itoa(maxPending)+" commands without reply")
		}
		copy(p.pend, p.pend[1:])
		p.npend--
	}
	c := &p.pend[p.npend]
	p.npend++
	c.ts = p.env.TS
	c.name = append(c.name[:0], name...)
	for i, ch := range c.name { // commands are case-insensitive (RFC 959 5.3)
		if 'a' <= ch && ch <= 'z' {
			c.name[i] = ch - 'a' + 'A'
		}
	}
	cname := commandName(c.name)
	p.env.Command(cname)
	c.pass = cname == "PASS"
	if c.pass {
		c.arg = append(c.arg[:0], hidden...)
		if !p.loginRep {
			p.loginRep = true
			p.env.Weird(weirdCleartextLogin, "user "+string(p.user))
		}
	} else {
		if len(arg) > maxArg {
			arg = arg[:maxArg]
		}
		c.arg = append(c.arg[:0], arg...)
	}
	switch cname {
	case "USER":
		p.user = append(p.user[:0], c.arg...)
	case "RETR", "STOR", "STOU", "APPE", "DELE", "RNFR", "RNTO", "MKD", "RMD":
		p.env.Event(dir, dissect.EvFileTransfer, cname+" "+string(c.arg))
	case "SITE":
		p.env.Event(dir, dissect.EvCommand, "SITE "+string(c.arg))
	}
}

// reply handles one server line: "ddd text" (final line), "ddd-text" (first line of a
// multi-line reply) or a continuation line.
func (p *parser) reply(line []byte) {
	if p.multi {
		if len(line) >= 4 && line[3] == ' ' && atoi3(line) == p.code {
			p.multi = false
			p.finalReply(p.code, p.msg)
		}
		return
	}
	code := atoi3(line)
	if code < 100 || len(line) > 3 && line[3] != ' ' && line[3] != '-' {
		p.env.Weird(weirdBadReply, "")
		return
	}
	text := line[min(4, len(line)):]
	if len(line) > 3 && line[3] == '-' {
		p.multi, p.code = true, code
		p.msg = append(p.msg[:0], text...)
		return
	}
	p.finalReply(code, text)
}

func atoi3(b []byte) int {
	if len(b) < 3 {
		return -1
	}
	n := 0
	for _, c := range b[:3] {
		if c < '0' || c > '9' {
			return -1
		}
		n = n*10 + int(c-'0')
	}
	return n
}

func (p *parser) finalReply(code int, msg []byte) {
	p.env.PDU()
	if code < 200 && code >= 100 {
		return // preliminary: the final reply follows
	}
	if p.npend == 0 {
		if code == 220 && !p.banner {
			p.banner = true
			if len(msg) > 0 {
				p.env.Fact(p.server, dissect.AttrRole, "ftp_server", "ftp")
				p.env.Fact(p.server.Flip(), dissect.AttrRole, "ftp_client", "ftp")
				p.env.Fact(p.server, dissect.AttrSoftware, string(bytes.TrimSpace(msg)), "ftp.banner")
			}
			return
		}
		if code != 220 && code != 421 {
			p.env.Weird(weirdUnmatched, strconv.Itoa(code))
		}
		return
	}
	c := p.pend[0]
	copy(p.pend, p.pend[1:])
	p.pend[p.npend-1] = c // keep the buffers
	p.npend--

	now := p.env.TS
	p.env.TS = c.ts
	r := p.env.Log(logFTP)
	if len(p.user) > 0 {
		r.Bytes("user", p.user)
	}
	if p.loginRep {
		r.Str("password", hidden)
	}
	r.Bytes("command", c.name)
	if len(c.arg) > 0 {
		r.Bytes("arg", c.arg)
	}
	r.Uint("reply_code", uint64(code)).Bytes("reply_msg", msg).Done()
	p.env.TS = now

	switch {
	case c.pass && code == 230:
		p.login("ok")
	case c.pass && code >= 400:
		p.login("failed")
	case string(c.name) == "USER" && code == 230: // no password needed
		p.login("ok")
	case string(c.name) == "AUTH" && code == 234:
		p.tls = true
	}
}

func (p *parser) login(result string) {
	p.scratch = append(p.scratch[:0], "user="...)
	p.scratch = append(p.scratch, p.user...)
	p.scratch = append(p.scratch, ' ')
	p.scratch = append(p.scratch, result...)
	p.env.Event(p.server.Flip(), dissect.EvLogin, string(p.scratch))
}

// Gap: the line cut by the hole is dropped; commands waiting for replies stay.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	p.resync[dir&1] = true
	if dir == p.server {
		p.multi = false
	}
}

// Close: commands without reply are not logged (Zeek logs them at connection end with no
// reply; they carry nothing a reply would confirm).
func (p *parser) Close() {}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
