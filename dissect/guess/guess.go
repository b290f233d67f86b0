package guess

//go:generate go run gen.go

import "github.com/quietwire/quietwire/dissect"

const (
	logGuess = "guess"

	// confidence is what guess.log says about how the protocol was named: from the port only.
	confidence = "port"

	// maxDeferWait is how many leading bytes of a direction the probe waits for while another
	// content dissector still answers NeedMore; past it, the port decides.
	maxDeferWait = 64
)

// entry is one row of ports.csv: a port range, the transports it applies to, the protocol
// name, and the strings derived from it (generated so that nothing is built per flow).
type entry struct {
	lo, hi   uint16
	tcp, udp bool
	name     string // protocol name in guess.log
	service  string // conn.log service: "guess:<name>"
	role     string // role fact value: "<name>_server"
}

// lookup returns the table entry for port over the transport (proto 6 TCP, 17 UDP), or nil.
func lookup(port uint16, proto uint8) *entry {
	for i := range table {
		e := &table[i]
		if port < e.lo || port > e.hi {
			continue
		}
		if proto == 6 && e.tcp || proto == 17 && e.udp {
			return e
		}
	}
	return nil
}

// resolve picks the flow's entry: the responder's port first (the usual server side), then
// the originator's. It returns the entry and the side that owns the port (the server).
func resolve(f *dissect.FlowInfo) (*entry, dissect.Dir) {
	if f == nil {
		return nil, dissect.Resp
	}
	if e := lookup(f.Resp.Port, f.Proto); e != nil {
		return e, dissect.Resp
	}
	if e := lookup(f.Orig.Port, f.Proto); e != nil {
		return e, dissect.Orig
	}
	return nil, dissect.Resp
}

// Probe is offered only flows on the table's ports (PortOnly). It matches the first payload of
// either direction unless it looks like a protocol that has a dissector of its own: any
// content-probing factory that claims the bytes wins (the guess steps aside with NoMatch and
// the engine attaches that one), TLS, SSH and HTTP are refused outright, and while another
// dissector still needs more bytes the guess waits (up to maxDeferWait bytes).
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) == 0 {
		return dissect.NeedMore
	}
	if wellKnownIT(b) {
		return dissect.NoMatch
	}
	wait := false
	for _, f := range dissect.Factories() {
		if f.Name == "guess" || f.PortOnly {
			continue
		}
		switch f.Probe(dir, b) {
		case dissect.Match:
			return dissect.NoMatch
		case dissect.NeedMore:
			wait = true
		}
	}
	if wait && len(b) < maxDeferWait {
		return dissect.NeedMore
	}
	return dissect.Match
}

// wellKnownIT reports the openings of IT protocols that also run on registered OT ports
// (TLS-secured variants, web front ends, SSH tunnels): a TLS record header, an SSH banner,
// an HTTP request or status line.
func wellKnownIT(b []byte) bool {
	if len(b) >= 3 && b[0] >= 0x14 && b[0] <= 0x17 && b[1] == 3 && b[2] <= 4 {
		return true
	}
	for _, p := range [...]string{"SSH-", "HTTP/", "GET ", "POST ", "HEAD ", "PUT ", "OPTIONS ", "CONNECT "} {
		if len(b) >= len(p) && string(b[:len(p)]) == p {
			return true
		}
	}
	return false
}

// parser labels one flow: nothing is decoded; it counts the traffic, names the flow's
// service, states the server's role once and writes guess.log when the flow ends.
type parser struct {
	env     *dissect.Env
	e       *entry
	server  dissect.Dir
	started bool
	ts      int64
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env}
	p.e, p.server = resolve(env.Flow)
	if p.e != nil {
		// Env.Service names the flow in conn.log ("guess:<protocol>") instead of the
		// factory name; see the README for the contract addition this relies on.
		env.Service = p.e.service
	}
	return p
}

// Parse consumes everything: the guess reads no fields.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	if !p.started && p.e != nil {
		p.started = true
		p.ts = p.env.TS
		p.env.Fact(p.server, dissect.AttrRole, p.e.role, "guess.port")
	}
	return len(b), nil
}

// Gap needs nothing: there is no framing to lose.
func (p *parser) Gap(dir dissect.Dir, lost int) {}

// Close writes the flow's guess.log record, stamped with the flow's first payload.
func (p *parser) Close() {
	if !p.started {
		return
	}
	r := p.env.LogAt(logGuess, p.ts).Str("protocol", p.e.name)
	if p.env.Flow.Proto == 17 {
		r.Str("transport", "udp")
	} else {
		r.Str("transport", "tcp")
	}
	r.Str("confidence", confidence).Done()
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
