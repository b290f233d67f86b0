package ssdp

import "github.com/quietwire/quietwire/dissect"

// parser is one flow's SSDP state: which facts it already reported.
type parser struct {
	env    *dissect.Env
	msg    message
	facts  [16]uint64
	nfacts int
}

func newParser(env *dissect.Env) dissect.Parser { return &parser{env: env} }

var methods = [...]string{kindNotify: "NOTIFY", kindSearch: "M-SEARCH", kindResponse: "RESPONSE"}

// Parse handles one datagram: one ssdp.log record per message.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	m := &p.msg
	if !parse(b, m) {
		p.env.Weird("ssdp_malformed", "")
		return len(b), nil
	}
	p.env.PDU()
	r := p.env.Log(logSSDP).Bool("is_orig", dir == dissect.Orig).Str("method", methods[m.kind])
	if m.kind == kindResponse {
		r.Uint("status_code", uint64(m.status))
	}
	opt := func(k string, v []byte) {
		if v != nil {
			r.Bytes(k, v)
		}
	}
	opt("host", m.host)
	opt("nt", m.nt)
	opt("nts", m.nts)
	opt("st", m.st)
	opt("usn", m.usn)
	opt("location", m.location)
	opt("server", m.server)
	opt("user_agent", m.userAgent)
	opt("man", m.man)
	opt("mx", m.mx)
	opt("cache_control", m.cacheControl)
	r.Done()
	// The SERVER header of an announcement or search response describes its sender; the
	// USER-AGENT of a search describes the control point that sent it.
	if m.kind != kindSearch && len(m.server) > 0 {
		p.fact(dir, dissect.AttrSoftware, m.server, "ssdp.server")
		p.fact(dir, dissect.AttrOS, osToken(m.server), "ssdp.server")
		p.fact(dir, dissect.AttrRole, []byte("upnp_device"), "ssdp.method")
	}
	if m.kind == kindSearch && len(m.userAgent) > 0 {
		p.fact(dir, dissect.AttrSoftware, m.userAgent, "ssdp.user_agent")
		p.fact(dir, dissect.AttrOS, osToken(m.userAgent), "ssdp.user_agent")
	}
	if len(m.model) > 0 {
		p.fact(dir, dissect.AttrModel, m.model, "ssdp.model")
	}
	return len(b), nil
}

// fact reports attr=value about side once per flow.
func (p *parser) fact(side dissect.Dir, attr string, value []byte, field string) {
	if len(value) == 0 {
		return
	}
	h := uint64(14695981039346656037) ^ uint64(side)
	for i := 0; i < len(attr); i++ {
		h = (h ^ uint64(attr[i])) * 1099511628211
	}
	for _, c := range value {
		h = (h ^ uint64(c)) * 1099511628211
	}
	for _, x := range p.facts[:min(p.nfacts, len(p.facts))] {
		if x == h {
			return
		}
	}
	p.facts[p.nfacts%len(p.facts)] = h
	p.nfacts++
	p.env.Fact(side, attr, string(value), field)
}

// Gap is never called for UDP.
func (p *parser) Gap(dir dissect.Dir, lost int) {}

// Close has nothing to flush.
func (p *parser) Close() {}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
