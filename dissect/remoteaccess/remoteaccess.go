package remoteaccess

import "github.com/quietwire/quietwire/dissect"

const (
	logRemoteAccess = "remote_access"

	portTeamViewer = 5938
	portAnyDesk    = 7070

	productTeamViewer = "TeamViewer"
	productAnyDesk    = "AnyDesk"
)

func init() {
	dissect.Register(dissect.Factory{
		Name:      "remoteaccess",
		Transport: dissect.TCP | dissect.UDP,
		Ports:     []uint16{portTeamViewer, portAnyDesk},
		PortOnly:  true, // no reliable signature off these ports: only they are offered
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logRemoteAccess},
	})
}

// tvMagic reports whether b starts with a TeamViewer command header (0x17 0x24) or its
// keep-alive/data header (0x11 0x30), as seen on port 5938 (TCP) and, after an 11-byte
// prefix, in its UDP datagrams.
func tvMagic(b []byte) bool {
	at := func(i int) bool {
		return len(b) >= i+2 && (b[i] == 0x17 && b[i+1] == 0x24 || b[i] == 0x11 && b[i+1] == 0x30)
	}
	return at(0) || len(b) > 13 && b[0] == 0 && at(11)
}

// tlsRecord reports whether b starts with a TLS handshake record header (AnyDesk on 7070
// speaks TLS from the first byte).
func tlsRecord(b []byte) bool {
	return len(b) >= 3 && b[0] == 0x16 && b[1] == 3 && b[2] <= 4
}

// Probe matches a TeamViewer header or a TLS handshake record; the factory is only offered
// flows on 5938 and 7070, and New picks the product from the port.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < 3 {
		return dissect.NeedMore
	}
	if tvMagic(b) || tlsRecord(b) {
		return dissect.Match
	}
	return dissect.NoMatch
}

// parser counts a remote-access session's traffic and logs one record at its end.
type parser struct {
	env     *dissect.Env
	product string
	server  dissect.Dir // the side on the product port
	ts      int64
	started bool
	bytes   [2]uint64
	frames  [2]uint64
	udp     bool
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, product: productTeamViewer, server: dissect.Resp}
	if env != nil && env.Flow != nil {
		f := env.Flow
		p.udp = f.Proto == 17
		switch {
		case f.Resp.Port == portAnyDesk || f.Orig.Port == portAnyDesk && f.Resp.Port != portTeamViewer:
			p.product = productAnyDesk
		}
		port := uint16(portTeamViewer)
		if p.product == productAnyDesk {
			port = portAnyDesk
		}
		if f.Orig.Port == port && f.Resp.Port != port {
			p.server = dissect.Orig
		}
	}
	return p
}

// Parse counts bytes and protocol frames (TeamViewer headers, TLS records at a chunk start).
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	if !p.started {
		p.started = true
		p.ts = p.env.TS
		client := p.server.Flip()
		p.env.Fact(client, dissect.AttrRole, "remote_access_endpoint", "remoteaccess")
		p.env.Fact(client, dissect.AttrSoftware, p.product, "remoteaccess.port")
	}
	d := dir & 1
	p.bytes[d] += uint64(len(b))
	if p.product == productTeamViewer && tvMagic(b) || p.product == productAnyDesk && (tlsRecord(b) || len(b) >= 3 && b[0] == 0x17 && b[1] == 3) {
		p.frames[d]++
		p.env.PDU()
	}
	return len(b), nil
}

func (p *parser) Gap(dir dissect.Dir, lost int) { p.bytes[dir&1] += uint64(lost) }

// Close writes the remote_access.log record.
func (p *parser) Close() {
	if !p.started {
		return
	}
	now := p.env.TS
	p.env.TS = p.ts
	r := p.env.Log(logRemoteAccess).Str("product", p.product)
	if p.udp {
		r.Str("transport", "udp")
	} else {
		r.Str("transport", "tcp")
	}
	// outbound: the originator reached out to the product's port (the usual client-to-
	// broker or client-to-peer direction); inbound: the originator used the product port.
	if p.server == dissect.Resp {
		r.Str("direction", "outbound")
	} else {
		r.Str("direction", "inbound")
	}
	r.Uint("orig_bytes", p.bytes[dissect.Orig]).Uint("resp_bytes", p.bytes[dissect.Resp])
	r.Uint("orig_frames", p.frames[dissect.Orig]).Uint("resp_frames", p.frames[dissect.Resp]).Done()
	p.env.TS = now
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
