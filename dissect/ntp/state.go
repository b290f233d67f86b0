package ntp

import (
	"net/netip"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// parser is one flow's NTP state: it only remembers which facts it already reported.
type parser struct {
	env   *dissect.Env
	pkt   packet
	buf   []byte
	roles [2]uint8 // mode last reported as a role for each side
	strat [2]uint8 // stratum+1 last reported per side
	ref   [2][4]byte
}

func newParser(env *dissect.Env) dissect.Parser {
	return &parser{env: env, buf: make([]byte, 0, 64)}
}

// Parse handles one datagram.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	k := &p.pkt
	if !parse(b, k) {
		p.env.Weird("ntp_malformed", "")
		return len(b), nil
	}
	p.env.PDU()
	p.log(k)
	p.facts(dir, k)
	return len(b), nil
}

// log writes one ntp.log record with Zeek's fields.
func (p *parser) log(k *packet) {
	r := p.env.Log(logNTP).Uint("version", uint64(k.version)).Uint("mode", uint64(k.mode))
	if k.mode == modeControl || k.mode == modePrivate {
		r.Done()
		return
	}
	r.Uint("stratum", uint64(k.stratum))
	r.Float("poll", log2Seconds(k.poll)).Float("precision", log2Seconds(k.precision))
	r.Float("root_delay", shortSeconds(k.rootDelay)).Float("root_disp", shortSeconds(k.rootDisp))
	r.Bytes("ref_id", p.refID(k))
	r.Float("ref_time", unixTime(k.refTime)).Float("org_time", unixTime(k.orgTime))
	r.Float("rec_time", unixTime(k.recTime)).Float("xmt_time", unixTime(k.xmtTime))
	r.Uint("num_exts", uint64(k.numExts))
	r.Done()
}

// refID renders the reference id as Zeek does: the kiss code or clock source (4 ASCII
// characters) for stratum 0 and 1, otherwise the IPv4 address of the upstream server (or the
// first octets of an MD5 hash of an IPv6 one, which print the same way).
func (p *parser) refID(k *packet) []byte {
	p.buf = p.buf[:0]
	if k.stratum <= 1 {
		for _, c := range k.refID {
			if c == 0 {
				break
			}
			p.buf = append(p.buf, c)
		}
		return p.buf
	}
	return netip.AddrFrom4(k.refID).AppendTo(p.buf)
}

// facts reports the roles (RFC 5905 §3 modes) and a server's stratum and reference id.
func (p *parser) facts(dir dissect.Dir, k *packet) {
	var role string
	switch k.mode {
	case modeServer, modeBroadcast:
		role = "ntp_server"
	case modeClient:
		role = "ntp_client"
	case modeSymActive, modeSymPassive:
		role = "ntp_peer"
	}
	if role != "" && p.roles[dir] != k.mode {
		p.roles[dir] = k.mode
		p.env.Fact(dir, dissect.AttrRole, role, "ntp.mode")
	}
	if (k.mode != modeServer && k.mode != modeBroadcast) || k.stratum == 0 {
		return
	}
	if p.strat[dir] != k.stratum+1 {
		p.strat[dir] = k.stratum + 1
		p.env.Fact(dir, AttrStratum, strconv.Itoa(int(k.stratum)), "ntp.stratum")
	}
	if p.ref[dir] != k.refID {
		p.ref[dir] = k.refID
		p.env.Fact(dir, AttrRefID, string(p.refID(k)), "ntp.ref_id")
	}
}

// AttrStratum and AttrRefID are the fact attributes of an NTP server's stratum and reference
// id (its upstream clock). dissect/facts.go has no attribute for them.
const (
	AttrStratum = "ntp_stratum"
	AttrRefID   = "ntp_ref_id"
)

// Gap is never called for UDP.
func (p *parser) Gap(dir dissect.Dir, lost int) {}

// Close has nothing to flush.
func (p *parser) Close() {}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
