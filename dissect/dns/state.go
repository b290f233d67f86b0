package dns

import (
	"errors"
	"unsafe"

	"github.com/quietwire/quietwire/dissect"
)

// errDesync stops a TCP flow whose bytes cannot be DNS messages any more.
var errDesync = errors.New("dns: TCP stream is not DNS")

// session is one dns.log record under construction: a query, its reply, or both (Zeek's
// DNS::Info). Sessions are pooled per flow and their buffers reused.
type session struct {
	ts       int64
	id       uint16
	rtt      int64 // ns; 0 = unset
	query    []byte
	hasQuery bool
	qclass   uint16
	qtype    uint16
	hasQ     bool // qclass/qtype set by a request's question
	rcode    uint8
	hasRcode bool
	aa, tc   bool
	rd, ra   bool
	z        uint8
	rejected bool
	opcode   uint8
	netbios  bool
	sawQuery bool
	sawReply bool
	answers  []byte  // the answers' text, back to back
	ansEnd   []int32 // end offset of each answer in answers
	ttls     []uint32
}

func (s *session) reset(ts int64, id uint16) {
	*s = session{ts: ts, id: id, query: s.query[:0], answers: s.answers[:0], ansEnd: s.ansEnd[:0], ttls: s.ttls[:0]}
}

// parser is one flow's DNS state. Not safe for concurrent use.
type parser struct {
	env       *dissect.Env
	tcp       bool
	netbios   bool // a NetBIOS Name Service flow (port 137)
	multicast bool // the responder is a multicast group (mDNS, LLMNR queries)
	announce  bool // mDNS/LLMNR/NBNS: responses carry names hosts claim for themselves
	first     bool // no message seen yet (Zeek's first_message)
	flipped   bool // the first message was a reply from the originator: log with roles swapped
	resync    [2]bool
	roles     bool

	pending []*session // unmatched queries and replies, oldest first
	free    []*session
	cur     *session
	full    bool // the pending table overflowed once (weird reported)

	name   []byte // scratch: owner names
	scr    []byte // scratch: answer text
	facts  [32]uint64
	nfacts int
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, first: true}
	f := env.Flow
	p.tcp = f.Proto == 6
	p.netbios = f.Resp.Port == portNBNS || f.Orig.Port == portNBNS
	p.multicast = f.Resp.IP.IsValid() && f.Resp.IP.IsMulticast()
	p.announce = p.netbios || f.Resp.Port == portMDNS || f.Orig.Port == portMDNS ||
		f.Resp.Port == portLLMNR || f.Orig.Port == portLLMNR
	p.name = make([]byte, 0, 64) // grown by append for the rare long name
	p.scr = make([]byte, 0, 64)
	return p
}

// Parse consumes one UDP datagram, or whole length-prefixed messages of a TCP stream
// (RFC 1035 §4.2.2).
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	if !p.tcp {
		p.message(dir, b)
		return len(b), nil
	}
	n := 0
	if p.resync[dir] {
		off, complete := resyncOffset(b)
		if off < 0 {
			return len(b), nil
		}
		if !complete {
			return off, nil // a plausible start: wait for the rest before trusting it
		}
		p.resync[dir] = false
		n = off
	}
	for len(b)-n >= 2 {
		l := int(b[n])<<8 | int(b[n+1])
		if l < hdrLen {
			p.env.Weird("dns_tcp_bad_length", "")
			return len(b), errDesync
		}
		if len(b)-n-2 < l {
			break
		}
		p.message(dir, b[n+2:n+2+l])
		n += 2 + l
	}
	return n, nil
}

// resyncOffset finds the first offset in b where a length-prefixed message starts: a whole
// message that parses exactly (complete), or else the first plausible start of one that is not
// all in b yet. It returns -1 when there is neither.
func resyncOffset(b []byte) (off int, complete bool) {
	first := -1
	for off := 0; off+2+hdrLen <= len(b); off++ {
		l := int(b[off])<<8 | int(b[off+1])
		if off+2+l <= len(b) {
			if l >= hdrLen && udpPlausible(b[off+2:off+2+l]) {
				return off, true
			}
		} else if first < 0 && tcpPlausible(b[off:]) {
			first = off
		}
	}
	return first, false
}

// Gap drops what was buffered; the next message boundary is searched in the following bytes.
func (p *parser) Gap(dir dissect.Dir, lost int) { p.resync[dir] = true }

// Close writes the unmatched queries and replies, as Zeek's finalize_dns does.
func (p *parser) Close() {
	for _, s := range p.pending {
		p.write(s)
		p.free = append(p.free, s)
	}
	p.pending = p.pending[:0]
}

// message handles one DNS message sent by dir.
func (p *parser) message(dir dissect.Dir, b []byte) {
	h, ok := parseHeader(b)
	if !ok {
		p.env.Weird("dns_truncated_len_lt_hdr_len", "")
		return
	}
	p.env.PDU()
	if p.first {
		p.first = false
		if h.qr && dir == dissect.Orig && !p.multicast && !p.env.Flow.Resp.IP.IsMulticast() {
			p.flipped = true
		}
	}
	if !p.roles && !p.multicast && !p.announce && h.opcode == opQuery {
		p.roles = true
		server := dir
		if !h.qr {
			server = dir.Flip()
		}
		p.env.Fact(server, dissect.AttrRole, "dns_server", "dns.flags.response")
		p.env.Fact(server.Flip(), dissect.AttrRole, "dns_client", "dns.flags.response")
	}
	tracked := h.opcode == opQuery || h.opcode == opNotify || h.opcode == opUpdate
	var s *session
	if tracked {
		s = p.setSession(h)
	}
	p.walk(dir, b, h, s)
	if s != nil {
		if h.qr {
			s.sawReply = true
		} else {
			s.sawQuery = true
		}
		if s.sawQuery && s.sawReply {
			p.write(s)
			p.release(s)
		}
	}
}

// setSession finds the session a message belongs to, as Zeek's DNS::set_session: a query
// pairs with the oldest unmatched reply of its id, a reply with the oldest unmatched query;
// otherwise the message starts a new pending session. To a multicast group every message is
// its own record.
func (p *parser) setSession(h header) *session {
	var s *session
	if p.multicast {
		s = p.alloc(h.id)
		s.sawQuery, s.sawReply = true, true
	} else {
		for i, q := range p.pending {
			if q.id == h.id && (h.qr && !q.sawReply || !h.qr && q.sawReply && !q.sawQuery) {
				s = q
				p.pending = append(p.pending[:i], p.pending[i+1:]...)
				break
			}
		}
		if s == nil {
			s = p.alloc(h.id)
			if len(p.pending) >= maxPending {
				if !p.full {
					p.full = true
					p.env.Weird("dns_pending_table_full", "")
				}
				old := p.pending[0]
				p.pending = append(p.pending[:0], p.pending[1:]...)
				p.write(old)
				p.free = append(p.free, old)
			}
			p.pending = append(p.pending, s)
		}
	}
	if h.qr {
		s.rcode, s.hasRcode = h.rcode, true
		if h.rcode != 0 && h.qd == 0 {
			s.rejected = true
		}
	}
	s.opcode = h.opcode
	s.netbios = p.netbios
	return s
}

func (p *parser) alloc(id uint16) *session {
	var s *session
	if n := len(p.free); n > 0 {
		s = p.free[n-1]
		p.free = p.free[:n-1]
	} else {
		s = &session{}
	}
	s.reset(p.env.TS, id)
	return s
}

// release returns a written session to the pool, unless it is still pending.
func (p *parser) release(s *session) {
	for i, q := range p.pending {
		if q == s {
			p.pending = append(p.pending[:i], p.pending[i+1:]...)
			break
		}
	}
	p.free = append(p.free, s)
}

// walk reads the question and record sections, filling s and reporting facts and events.
func (p *parser) walk(dir dissect.Dir, msg []byte, h header, s *session) {
	env := p.env
	if h.qd > maxQuestions {
		env.Weird("dns_conn_count_too_large", "")
		return
	}
	update := h.opcode == opUpdate && !p.netbios
	off := hdrLen
	var prob problem
	for i := 0; i < int(h.qd); i++ {
		p.name, off, prob = readName(msg, off, p.name[:0], p.netbios)
		if prob == probNone && off+4 > len(msg) {
			prob = probTruncated
		}
		if prob != probNone {
			env.Weird(problemWeird[prob], "question")
			return
		}
		qtype := uint16(msg[off])<<8 | uint16(msg[off+1])
		qclass := uint16(msg[off+2])<<8 | uint16(msg[off+3])
		off += 4
		if !h.qr {
			if h.opcode == opUpdate && !p.netbios {
				env.Event(dir, dissect.EvConfigWrite, "DNS dynamic update of zone "+string(p.name))
			} else if qtype == typeAXFR || qtype == typeIXFR {
				env.Event(dir, dissect.EvConfigWrite, "DNS zone transfer ("+typeName(qtype)+") of "+string(p.name))
			}
		}
		if s == nil {
			continue
		}
		if !h.qr {
			if update {
				continue // the zone section of an UPDATE is not a question (RFC 2136 §2.3)
			}
			s.rd, s.tc, s.z = h.rd, h.tc, h.z
			s.qclass, s.qtype, s.hasQ = qclass, qtype, true
			s.query = append(s.query[:0], p.name...)
			if p.netbios {
				if dec, _, ok := decodeNetBIOS(p.name, p.scr[:0]); ok && len(dec) > 0 {
					s.query = append(s.query[:0], dec...)
				}
			}
			s.hasQuery = true
			if !p.netbios && !p.multicast {
				// The queried name, for indicator matching (detection). Not logged as an event.
				p.env.EventBytes(dir, dissect.EvNameQuery, s.query)
			}
		} else {
			if h.an == 0 && h.ns == 0 && h.ar == 0 {
				s.rejected = true
			}
			if h.rcode == rcodeNXDomain && !p.netbios && !p.multicast && len(p.name) > 0 {
				// The name that does not exist, for the DGA rule (detection). Not logged as an event.
				p.env.EventBytes(dir, dissect.EvNameError, p.name)
			}
		}
	}
	sections := [3]struct {
		n   uint16
		sec int
	}{{h.an, secAnswer}, {h.ns, secAuthority}, {h.ar, secAdditional}}
	if update {
		sections[0].sec, sections[1].sec = secPrereq, secUpdate
	}
	total := 0
	for _, sc := range sections {
		for i := 0; i < int(sc.n); i++ {
			if total++; total > maxRRs {
				return
			}
			p.name, off, prob = readName(msg, off, p.name[:0], p.netbios)
			var r rr
			if prob == probNone {
				r, off, prob = readRR(msg, off)
			}
			if prob != probNone {
				env.Weird(problemWeird[prob], "")
				return
			}
			if h.qr && p.announce || p.netbios && r.typ == typeNB {
				p.announced(dir, msg, r)
			}
			if s == nil || !h.qr || sc.sec == secAuthority || sc.sec == secAdditional {
				continue
			}
			p.reply(s, msg, r, sc.sec, h)
		}
	}
}

// reply adds one answer, prerequisite or update record of a reply to s (Zeek's do_reply).
func (p *parser) reply(s *session, msg []byte, r rr, sec int, h header) {
	var text []byte
	var ok bool
	var prob problem
	mark := 0
	if sec == secPrereq || sec == secUpdate {
		text, ok = formatUpdate(p.name, r, sec, p.scr[:0])
	}
	if !ok {
		text = p.scr[:0]
		if sec == secUpdate {
			text = append(text, "add: "...)
			mark = len(text)
		}
		text, ok, prob = formatRR(msg, p.name, r, h.opcode == opUpdate, p.netbios, text)
		if prob != probNone {
			p.env.Weird(problemWeird[prob], "rdata")
		}
	}
	p.scr = text[:0]
	if !ok {
		return // Zeek's script never sees this record
	}
	if !s.hasQuery {
		s.query = append(s.query[:0], p.name...)
		s.hasQuery = true
	}
	s.aa, s.ra = h.aa, h.ra
	if s.rtt == 0 {
		s.rtt = p.env.TS - s.ts
	}
	if len(text) == mark {
		return // seen, but no text (WKS, empty TXT)
	}
	if len(s.ansEnd) >= maxAnswers || len(s.answers)+len(text) > maxAnswerBytes {
		return
	}
	s.answers = append(s.answers, text...)
	s.ansEnd = append(s.ansEnd, int32(len(s.answers)))
	s.ttls = append(s.ttls, r.ttl)
}

// announced reports the names a host claims in an mDNS, LLMNR or NBNS response: the owners of
// its address records, the NetBIOS names it answers for and the model strings of its service
// TXT records (RFC 6763 §6; "md=" is the Apple/HomeKit model key, "model=" and "ty=" printers').
func (p *parser) announced(dir dissect.Dir, msg []byte, r rr) {
	rd := msg[r.rdOff : r.rdOff+r.rdLen]
	switch r.typ {
	case typeA, typeAAAA:
		if p.netbios {
			return
		}
		p.fact(dir, dissect.AttrHostname, p.name, "dns.answer.name")
	case typeNB:
		// RFC 1002 §4.2.13: NB_FLAGS bit G marks a group (workgroup/domain) name.
		if len(rd) >= 2 && rd[0]&0x80 == 0 {
			p.nbnsName(dir, p.name, "nbns.answer.name")
		}
	case typeTXT:
		for i := 0; i < len(rd); {
			l := int(rd[i])
			if i+1+l > len(rd) {
				return
			}
			kv := rd[i+1 : i+1+l]
			for _, key := range [...]string{"md=", "model=", "ty=", "usb_MDL="} {
				if len(kv) > len(key) && string(kv[:len(key)]) == key {
					p.fact(dir, dissect.AttrModel, kv[len(key):], "dns.txt."+key[:len(key)-1])
				}
			}
			i += 1 + l
		}
	}
}

// nbnsName reports a NetBIOS workstation or server name (suffix 0x00 or 0x20) as a hostname.
func (p *parser) nbnsName(dir dissect.Dir, enc []byte, field string) {
	dec, suffix, ok := decodeNetBIOS(enc, p.scr[:0])
	if !ok || len(dec) == 0 || (suffix != 0x00 && suffix != 0x20) {
		return
	}
	p.fact(dir, dissect.AttrHostname, dec, field)
}

// fact reports attr=value about side once per flow (a bounded set of hashes keeps repeated
// announcements from allocating).
func (p *parser) fact(side dissect.Dir, attr string, value []byte, field string) {
	if len(value) == 0 {
		return
	}
	sum := fnv64(fnv64(uint64(14695981039346656037)^uint64(side), attr), bstr(value))
	n := p.nfacts
	if n > len(p.facts) {
		n = len(p.facts)
	}
	for _, x := range p.facts[:n] {
		if x == sum {
			return
		}
	}
	p.facts[p.nfacts%len(p.facts)] = sum
	p.nfacts++
	p.env.Fact(side, attr, string(value), field)
}

// write emits s as one dns.log record with Zeek's fields and order.
func (p *parser) write(s *session) {
	env := p.env
	f := env.Flow
	ts := env.TS
	env.TS = s.ts
	var r *dissect.Record
	if p.flipped {
		r = env.LogBare(logDNS).Str("uid", f.UID)
		if f.Orig.IP.IsValid() {
			r.Addr("id.orig_h", f.Resp.IP).Uint("id.orig_p", uint64(f.Resp.Port))
			r.Addr("id.resp_h", f.Orig.IP).Uint("id.resp_p", uint64(f.Orig.Port))
		}
	} else {
		r = env.Log(logDNS)
	}
	env.TS = ts
	if p.tcp {
		r.Str("proto", "tcp")
	} else {
		r.Str("proto", "udp")
	}
	r.Uint("trans_id", uint64(s.id))
	if s.rtt > 0 {
		r.Float("rtt", float64(s.rtt)/1e9)
	}
	if s.hasQuery {
		r.Str("query", bstr(s.query))
	}
	if s.hasQ {
		r.Uint("qclass", uint64(s.qclass))
		if n := className(s.qclass); n != "" {
			r.Str("qclass_name", n)
		} else {
			p.scr = appendNum(p.scr[:0], "qclass-", s.qclass)
			r.Str("qclass_name", bstr(p.scr))
		}
		r.Uint("qtype", uint64(s.qtype))
		name := typeName(s.qtype)
		if p.netbios && s.qtype == typeSRV {
			name = "NBSTAT"
		}
		if name != "" {
			r.Str("qtype_name", name)
		} else {
			p.scr = appendNum(p.scr[:0], "query-", s.qtype)
			r.Str("qtype_name", bstr(p.scr))
		}
	}
	if s.hasRcode {
		r.Uint("rcode", uint64(s.rcode)).Str("rcode_name", rcodeNames[s.rcode&15])
	}
	r.Bool("AA", s.aa).Bool("TC", s.tc).Bool("RD", s.rd).Bool("RA", s.ra).Uint("Z", uint64(s.z))
	if len(s.ansEnd) > 0 {
		r.Array("answers")
		start := int32(0)
		for _, end := range s.ansEnd {
			r.ElemStr(bstr(s.answers[start:end]))
			start = end
		}
		r.End()
		r.Array("TTLs")
		for _, t := range s.ttls {
			r.ElemUint(uint64(t))
		}
		r.End()
	}
	r.Bool("rejected", s.rejected)
	r.Uint("opcode", uint64(s.opcode)).Str("opcode_name", opcodeName(s.opcode, s.netbios))
	r.Done()
}

// fnv64 continues an FNV-1a hash over s.
func fnv64(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func appendNum(dst []byte, prefix string, n uint16) []byte {
	dst = append(dst, prefix...)
	var d [5]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(dst, d[i:]...)
}

// bstr views b as a string without copying. The Record copies it at once, so b may change
// afterwards.
func bstr(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
