package tls

import (
	"crypto/sha256"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/wire"
)

// dirState is one direction's record and handshake state.
type dirState struct {
	skip      int    // bytes of the current record body still to pass over (TCP)
	hs        []byte // handshake bytes not yet forming a whole message
	encrypted bool   // handshake records of this direction are encrypted from here on
	ccs       bool
	appData   bool
	resync    bool // a gap lost the record boundary: scan for a plausible header
	hsDead    bool // a handshake message was too long: stop reassembling

	// DTLS handshake reassembly (RFC 6347 §4.2.3): the next message_seq expected and the
	// message being reassembled from fragments.
	nextSeq  uint16
	frag     []byte
	fragSeq  uint16
	fragLen  int
	fragType uint8
	fragOn   bool
}

// parser is the per-flow TLS/DTLS parser. Not safe for concurrent use.
type parser struct {
	env  *dissect.Env
	dtls bool
	dirs [2]dirState

	ch          clientHello
	sh          serverHello
	client      dissect.Dir
	sawCH       bool
	sawSH       bool
	sslv2       bool
	version     uint16
	cipher      uint16
	curve       uint16
	hasCurve    bool
	resumed     bool
	lastAlert   uint8
	hasAlert    bool
	established bool
	logged      bool
	ts          int64

	history [maxHistory]byte
	nHist   int
	fps     [2][maxCerts][32]byte // server (0) and client (1) certificate fingerprints
	nFPs    [2]int
	sniTest uint8 // 0 not tested, 1 match, 2 mismatch

	ja3     [32]byte
	ja3s    [32]byte
	ja4     [36]byte
	hasJA3  bool
	hasJA3S bool
	nJA4    int

	rolesSent bool
	scratch   []byte
	name      []byte
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env}
	if env != nil && env.Flow != nil && env.Flow.Proto == 17 {
		p.dtls = true
	}
	return p
}

// Parse consumes whole records (TCP) or one datagram of DTLS records (UDP). Application
// data records are passed over without buffering.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	if p.dtls {
		p.datagram(dir, b)
		return len(b), nil
	}
	d := &p.dirs[dir]
	off := 0
	for off < len(b) {
		if d.skip > 0 {
			n := len(b) - off
			if n > d.skip {
				n = d.skip
			}
			d.skip -= n
			off += n
			continue
		}
		rest := b[off:]
		if d.resync {
			i := findRecord(rest)
			if i < 0 {
				if len(rest) > 4 {
					return len(b) - 4, nil
				}
				return off, nil
			}
			off += i
			d.resync = false
			continue
		}
		if rest[0]&0x80 != 0 {
			// SSLv2 record with a two-byte header (RFC 6101 Appendix E.2).
			if len(rest) < 2 {
				return off, nil
			}
			n := int(rest[0]&0x7f)<<8 | int(rest[1])
			if len(rest) < 2+n {
				if 2+n > maxRecord {
					d.skip = 2 + n - len(rest)
					return len(b), nil
				}
				return off, nil
			}
			p.v2record(dir, rest[2:2+n])
			off += 2 + n
			continue
		}
		if len(rest) < 5 {
			return off, nil
		}
		typ := rest[0]
		n := int(rest[3])<<8 | int(rest[4])
		if typ < ctChangeCipherSpec || typ > ctACK || rest[1] != 3 && rest[1] != 0xfe && rest[1] != 0x7f {
			p.env.Weird(weirdUnknownContent, "")
			d.resync = true
			off++
			continue
		}
		if n > maxRecord {
			p.env.Weird(weirdRecordTooLong, "")
			d.resync = true
			off++
			continue
		}
		if typ == ctApplicationData || (typ == ctHandshake && (d.encrypted || p.logged)) {
			p.env.PDU()
			if typ == ctApplicationData {
				p.appData(dir)
			}
			d.skip = n
			off += 5
			continue
		}
		if len(rest) < 5+n {
			return off, nil
		}
		p.record(dir, typ, rest[5:5+n])
		off += 5 + n
	}
	return off, nil
}

// findRecord returns the offset of the first plausible TLS record header in b, or -1.
func findRecord(b []byte) int {
	for i := 0; i+5 <= len(b); i++ {
		if b[i] >= ctChangeCipherSpec && b[i] <= ctApplicationData && b[i+1] == 3 && b[i+2] <= 4 {
			if n := int(b[i+3])<<8 | int(b[i+4]); n > 0 && n <= maxRecord {
				return i
			}
		}
	}
	return -1
}

// record handles one plaintext record body.
func (p *parser) record(dir dissect.Dir, typ uint8, frag []byte) {
	d := &p.dirs[dir]
	p.env.PDU()
	switch typ {
	case ctChangeCipherSpec:
		if !d.ccs {
			d.ccs = true
			p.hist(dir, 'i')
		}
		// Before a ServerHello (TLS 1.3 middlebox compatibility, RFC 8446 §D.4) a CCS does
		// not start encryption: a second ClientHello may follow a HelloRetryRequest.
		if p.sawSH {
			d.encrypted = true
		}
		p.checkEstablished()
	case ctAlert:
		p.alert(dir, frag)
	case ctHandshake:
		if d.hsDead {
			return
		}
		if len(d.hs)+len(frag) > maxHandshake+4 {
			p.env.Weird(weirdHandshakeTooLong, "")
			d.hs = d.hs[:0]
			d.hsDead = true
			return
		}
		d.hs = append(d.hs, frag...)
		used := 0
		for len(d.hs)-used >= 4 {
			h := d.hs[used:]
			mlen := int(h[1])<<16 | int(h[2])<<8 | int(h[3])
			if mlen > maxHandshake {
				p.env.Weird(weirdHandshakeTooLong, "")
				d.hs = d.hs[:0]
				d.hsDead = true
				return
			}
			if len(h) < 4+mlen {
				break
			}
			p.handshake(dir, h[0], h[4:4+mlen])
			used += 4 + mlen
			if d.encrypted {
				used = len(d.hs)
			}
		}
		m := copy(d.hs, d.hs[used:])
		d.hs = d.hs[:m]
	case ctHeartbeat:
		p.hist(dir, 'b')
	}
}

// alert reads plaintext alerts; an encrypted alert is longer than two bytes and is skipped.
func (p *parser) alert(dir dissect.Dir, frag []byte) {
	if len(frag) != 2 && (p.dirs[dir].encrypted || len(frag)%2 != 0) {
		return
	}
	for i := 0; i+1 < len(frag); i += 2 {
		p.hist(dir, 'l')
		if !p.logged {
			p.lastAlert, p.hasAlert = frag[i+1], true
		}
	}
}

func (p *parser) appData(dir dissect.Dir) {
	d := &p.dirs[dir]
	if d.appData {
		return
	}
	d.appData = true
	p.checkEstablished()
}

// checkEstablished marks the session established and logs it: for TLS 1.2 and older when
// both sides changed cipher spec, for TLS 1.3 when both sides sent encrypted records after
// the ServerHello.
func (p *parser) checkEstablished() {
	if p.established || !p.sawSH {
		return
	}
	v := p.version
	tls13 := versionRank(v) >= 0x0304
	if tls13 {
		if !(p.dirs[0].appData && p.dirs[1].appData) {
			return
		}
	} else if !(p.dirs[0].ccs && p.dirs[1].ccs) {
		return
	}
	p.established = true
	p.logSSL()
}

// hist appends a history letter, upper-cased for the originator.
func (p *parser) hist(dir dissect.Dir, c byte) {
	if p.nHist >= maxHistory {
		return
	}
	if dir == dissect.Orig && c >= 'a' && c <= 'z' {
		c -= 'a' - 'A'
	}
	p.history[p.nHist] = c
	p.nHist++
}

// handshake handles one complete plaintext handshake message.
func (p *parser) handshake(dir dissect.Dir, typ uint8, body []byte) {
	switch typ {
	case hsClientHello:
		p.hist(dir, 'c')
		if err := parseClientHello(&p.ch, body, p.dtls); err != nil {
			p.env.Weird(weirdBadHandshake, "client_hello")
			return
		}
		p.clientHello(dir)
	case hsServerHello:
		if err := parseServerHello(&p.sh, body); err != nil {
			p.hist(dir, 's')
			p.env.Weird(weirdBadHandshake, "server_hello")
			return
		}
		if p.sh.retry {
			p.hist(dir, 'j')
		} else {
			p.hist(dir, 's')
		}
		p.serverHello(dir)
	case hsCertificate:
		p.hist(dir, 'x')
		p.certificates(dir, body)
	case hsServerKeyEx:
		p.hist(dir, 'k')
		if name := cipherNames[p.cipher]; containsECDH(name) {
			r := wire.New(body)
			if r.U8() == 3 {
				g := r.U16BE()
				if r.Err() == nil {
					p.curve, p.hasCurve = g, true
				}
			}
		}
	default:
		p.hist(dir, historyLetter(typ))
	}
}

func containsECDH(s string) bool {
	for i := 0; i+5 <= len(s); i++ {
		if s[i:i+5] == "_ECDH" {
			return true
		}
	}
	return false
}

func (p *parser) clientHello(dir dissect.Dir) {
	if p.sawCH {
		return // a second hello (after HelloRetryRequest or HelloVerifyRequest) keeps the first's fingerprints
	}
	p.sawCH = true
	p.client = dir
	p.ts = p.env.TS
	ja3(&p.ch, p.scratch[:0], &p.ja3)
	p.hasJA3 = true
	p.nJA4 = len(ja4(&p.ch, p.dtls, p.scratch[:0], p.ja4[:0]))
	p.env.Command("client_hello")
	if !p.rolesSent {
		p.rolesSent = true
		p.env.Fact(dir, dissect.AttrRole, "tls_client", "client_hello")
		p.env.Fact(dir.Flip(), dissect.AttrRole, "tls_server", "server_hello")
	}
	p.env.Fact(dir, "ja3", string(p.ja3[:]), "client_hello")
	p.env.Fact(dir, "ja4", string(p.ja4[:p.nJA4]), "client_hello")
	if len(p.ch.sni) > 0 {
		p.env.Fact(dir.Flip(), dissect.AttrHostname, string(p.ch.sni), "client_hello.server_name")
	}
}

func (p *parser) serverHello(dir dissect.Dir) {
	s := &p.sh
	if !p.sawCH {
		p.client = dir.Flip()
		p.ts = p.env.TS
	}
	if s.retry {
		return
	}
	p.sawSH = true
	p.version = s.negotiated()
	p.cipher = s.cipher
	if s.group != 0 {
		p.curve, p.hasCurve = s.group, true
	}
	// TLS 1.3 servers echo the legacy session id: only older versions resume by it.
	if s.sidLen > 0 && s.sidLen == p.ch.sidLen && s.sid == p.ch.sid && versionRank(p.version) < 0x0304 {
		p.resumed = true
	}
	if s.hasPSK {
		p.resumed = true
	}
	ja3s(s, p.scratch[:0], &p.ja3s)
	p.hasJA3S = true
	p.env.Fact(dir, "ja3s", string(p.ja3s[:]), "server_hello")
	if weakVersion(p.version) {
		p.name = versionName(p.version, p.name[:0])
		p.env.Weird(weirdWeakVersion, string(p.name))
	}
	if versionRank(p.version) >= 0x0304 {
		p.dirs[0].encrypted, p.dirs[1].encrypted = true, true
	}
}

// certificates reads a TLS 1.2-style Certificate message: a chain of DER certificates.
func (p *parser) certificates(dir dissect.Dir, body []byte) {
	r := wire.New(body)
	if versionRank(p.version) >= 0x0304 {
		r.Skip(int(r.U8())) // certificate_request_context
	}
	list := r.Sub(int(r.U24BE()))
	if r.Err() != nil {
		p.env.Weird(weirdBadHandshake, "certificate")
		return
	}
	isClient := dir == p.client
	idx := 0
	if isClient {
		idx = 1
	}
	p.nFPs[idx] = 0
	for i := 0; list.Len() >= 3; i++ {
		der := list.Bytes(int(list.U24BE()))
		if list.Err() != nil {
			p.env.Weird(weirdBadHandshake, "certificate")
			return
		}
		if versionRank(p.version) >= 0x0304 {
			list.Skip(int(list.U16BE())) // per-certificate extensions
		}
		if i >= maxCerts {
			continue
		}
		p.fps[idx][p.nFPs[idx]] = sha256.Sum256(der)
		p.nFPs[idx]++
		cert := p.logCert(der, i == 0 && !isClient, isClient)
		if i == 0 && cert != nil && !isClient {
			p.serverCertFacts(dir, cert)
			if len(p.ch.sni) > 0 {
				p.sniTest = 2
				if sniMatches(string(p.ch.sni), cert) {
					p.sniTest = 1
				}
			}
		}
	}
}

// v2record handles an SSLv2 record: only the hellos are read.
func (p *parser) v2record(dir dissect.Dir, b []byte) {
	p.env.PDU()
	if len(b) == 0 {
		return
	}
	switch b[0] {
	case 1: // CLIENT-HELLO: version, cipher_spec_length, session_id_length, challenge_length
		if p.sawCH || len(b) < 9 {
			return
		}
		p.hist(dir, 'c')
		p.sawCH, p.client, p.ts = true, dir, p.env.TS
		p.ch.reset()
		p.ch.version = uint16(b[1])<<8 | uint16(b[2])
	case 4: // SERVER-HELLO: session_id_hit, certificate_type, version, …
		if p.sawSH || len(b) < 11 {
			return
		}
		p.hist(dir, 's')
		p.sawSH, p.sslv2 = true, true
		p.version = 0x0002
		p.name = versionName(p.version, p.name[:0])
		p.env.Weird(weirdWeakVersion, string(p.name))
		if !p.sawCH {
			p.client, p.ts = dir.Flip(), p.env.TS
		}
	}
}

// logSSL writes the ssl.log record once.
func (p *parser) logSSL() {
	if p.logged || !p.sawCH && !p.sawSH {
		return
	}
	p.logged = true
	env := p.env
	now := env.TS
	if p.ts != 0 {
		env.TS = p.ts
	}
	r := env.Log(logSSL)
	if p.sawSH {
		p.name = versionName(p.version, p.name[:0])
		r.Bytes("version", p.name)
		if !p.sslv2 {
			p.name = cipherName(p.cipher, p.name[:0])
			r.Bytes("cipher", p.name)
		}
	}
	if p.hasCurve {
		p.name = curveName(p.curve, p.name[:0])
		r.Bytes("curve", p.name)
	}
	if len(p.ch.sni) > 0 {
		r.Bytes("server_name", p.ch.sni)
	}
	r.Bool("resumed", p.resumed)
	if p.hasAlert {
		if s := alertName(p.lastAlert); s != "" {
			r.Str("last_alert", s)
		} else {
			r.Uint("last_alert", uint64(p.lastAlert))
		}
	}
	if len(p.sh.alpn) > 0 && p.sawSH {
		r.Bytes("next_protocol", p.sh.alpn)
	}
	r.Bool("established", p.established)
	r.Bytes("ssl_history", p.history[:p.nHist])
	for i, key := range [2]string{"cert_chain_fps", "client_cert_chain_fps"} {
		if p.nFPs[i] == 0 {
			continue
		}
		r.Array(key)
		for j := 0; j < p.nFPs[i]; j++ {
			p.name = appendHex(p.name[:0], p.fps[i][j][:])
			r.ElemStr(string(p.name)) // one per certificate: rare
		}
		r.End()
	}
	if p.sniTest != 0 {
		r.Bool("sni_matches_cert", p.sniTest == 1)
	}
	if p.hasJA3 {
		r.Bytes("ja3", p.ja3[:])
	}
	if p.hasJA3S {
		r.Bytes("ja3s", p.ja3s[:])
	}
	if p.nJA4 > 0 {
		r.Bytes("ja4", p.ja4[:p.nJA4])
	}
	r.Done()
	env.TS = now
}

// Gap drops handshake state of dir; the record boundary is found again by scanning when the
// gap did not fall inside a record being skipped.
func (p *parser) Gap(dir dissect.Dir, lost int) {
	d := &p.dirs[dir]
	if d.skip >= lost {
		d.skip -= lost
		return
	}
	d.skip = 0
	d.hs = d.hs[:0]
	d.resync = true
}

// Close logs a session that never completed its handshake.
func (p *parser) Close() { p.logSSL() }

// datagram parses the DTLS records of one UDP datagram (RFC 6347 §4.1, RFC 9147 §4).
func (p *parser) datagram(dir dissect.Dir, b []byte) {
	d := &p.dirs[dir]
	for len(b) >= 13 {
		typ := b[0]
		epoch := uint16(b[3])<<8 | uint16(b[4])
		n := int(b[11])<<8 | int(b[12])
		if typ < ctChangeCipherSpec || typ > ctACK {
			p.env.Weird(weirdUnknownContent, "")
			return
		}
		if 13+n > len(b) {
			p.env.Weird(weirdDTLSTruncated, "")
			return
		}
		body := b[13 : 13+n]
		b = b[13+n:]
		p.env.PDU()
		switch {
		case typ == ctApplicationData:
			p.appData(dir)
		case typ == ctChangeCipherSpec:
			if !d.ccs {
				d.ccs = true
				p.hist(dir, 'i')
			}
			p.checkEstablished()
		case epoch != 0 || p.logged:
			// encrypted handshake or alert
		case typ == ctAlert:
			p.alert(dir, body)
		case typ == ctHandshake:
			p.dtlsHandshake(dir, body)
		}
	}
}

// dtlsHandshake reassembles DTLS handshake fragments and drops retransmissions.
func (p *parser) dtlsHandshake(dir dissect.Dir, b []byte) {
	d := &p.dirs[dir]
	for len(b) >= 12 {
		typ := b[0]
		length := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
		seq := uint16(b[4])<<8 | uint16(b[5])
		foff := int(b[6])<<16 | int(b[7])<<8 | int(b[8])
		flen := int(b[9])<<16 | int(b[10])<<8 | int(b[11])
		if 12+flen > len(b) || length > maxHandshake || foff+flen > length {
			p.env.Weird(weirdBadHandshake, "dtls fragment")
			return
		}
		frag := b[12 : 12+flen]
		b = b[12+flen:]
		if seq < d.nextSeq {
			continue // retransmission
		}
		if foff == 0 && flen == length {
			d.nextSeq = seq + 1
			d.fragOn = false
			p.handshake(dir, typ, frag)
			continue
		}
		if foff == 0 {
			d.frag = append(d.frag[:0], frag...)
			d.fragSeq, d.fragLen, d.fragType, d.fragOn = seq, length, typ, true
			continue
		}
		if d.fragOn && seq == d.fragSeq && foff == len(d.frag) {
			d.frag = append(d.frag, frag...)
			if len(d.frag) == d.fragLen {
				d.fragOn = false
				d.nextSeq = seq + 1
				p.handshake(dir, d.fragType, d.frag)
			}
		}
	}
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
