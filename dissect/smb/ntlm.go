package smb

import (
	"bytes"
	"strconv"

	"github.com/quietwire/quietwire/dissect"
)

// ntlmState is the NTLM exchange of the flow (Zeek's ntlm.log record).
type ntlmState struct {
	active     bool // a NTLMSSP message was seen
	logged     bool
	authSeen   bool // AUTHENTICATE seen: the next session result completes the record
	ts         int64
	user       []byte
	host       []byte
	domain     []byte
	nb         []byte
	dns        []byte
	tree       []byte
	success    bool
	hasSuccess bool
}

func (n *ntlmState) reset() {
	*n = ntlmState{user: n.user[:0], host: n.host[:0], domain: n.domain[:0],
		nb: n.nb[:0], dns: n.dns[:0], tree: n.tree[:0]}
}

var ntlmSig = []byte("NTLMSSP\x00")

// NTLM negotiate flags. Spec: [MS-NLMP] 2.2.2.5.
const (
	ntlmUnicode = 0x00000001
	ntlmVersion = 0x02000000
)

// gssBlob looks at a security blob of a session setup (SPNEGO, raw NTLMSSP or Kerberos) sent
// by dir. It returns the SPNEGO negResult when the blob carries one (-1 otherwise).
func (p *parser) gssBlob(dir dissect.Dir, blob []byte) int {
	if len(blob) == 0 {
		return -1
	}
	if i := bytes.Index(blob, ntlmSig); i >= 0 {
		p.ntlmMessage(dir, blob[i:])
	} else if dir != p.server {
		p.kerberos(blob)
	}
	return spnegoNegResult(blob)
}

// ntlmMessage parses one NTLMSSP message. Spec: [MS-NLMP] 2.2.1.
func (p *parser) ntlmMessage(dir dissect.Dir, m []byte) {
	if len(m) < 12 {
		return
	}
	n := &p.ntlm
	switch le32(m, 8) {
	case 1: // NEGOTIATE
		if n.active && n.authSeen && !n.logged {
			p.logNTLM()
		}
		if !n.active || n.logged {
			n.reset()
			n.active, n.ts = true, p.env.TS
		}
	case 2: // CHALLENGE
		if !n.active || n.logged {
			n.reset()
			n.active, n.ts = true, p.env.TS
		}
		flags := le32(m, 20)
		if ti, ok := secBuf(m, 40); ok {
			p.avPairs(dir, ti)
		} else {
			p.env.Weird(weirdNTLMBad, "challenge target info out of bounds")
		}
		if flags&ntlmVersion != 0 && len(m) >= 56 {
			p.ntlmOS(dir, m[48:56], "ntlm.challenge.version")
		}
	case 3: // AUTHENTICATE
		if !n.active || n.logged {
			n.reset()
			n.active, n.ts = true, p.env.TS
		}
		flags := le32(m, 60)
		uni := flags&ntlmUnicode != 0
		dom, ok1 := secBuf(m, 28)
		usr, ok2 := secBuf(m, 36)
		wks, ok3 := secBuf(m, 44)
		if !ok1 || !ok2 || !ok3 {
			p.env.Weird(weirdNTLMBad, "authenticate field out of bounds")
		}
		n.domain = appendText(n.domain[:0], dom, uni)
		n.user = appendText(n.user[:0], usr, uni)
		n.host = appendText(n.host[:0], wks, uni)
		n.authSeen = true
		client := p.server.Flip()
		if len(n.host) > 0 {
			p.env.Fact(client, dissect.AttrHostname, string(n.host), "ntlm.authenticate.workstation")
		}
		if len(n.domain) > 0 {
			p.env.Fact(client, "domain", string(n.domain), "ntlm.authenticate.domain_name")
		}
		if len(n.user) == 0 {
			p.env.Weird(weirdAnonymous, "")
		}
		if flags&ntlmVersion != 0 && len(m) >= 72 {
			p.ntlmOS(client, m[64:72], "ntlm.authenticate.version")
		}
	}
}

// secBuf reads the security buffer descriptor (length, max length, offset) at off in m and
// returns the bytes it points to.
func secBuf(m []byte, off int) ([]byte, bool) {
	if off+8 > len(m) {
		return nil, false
	}
	l, o := int(le16(m, off)), int(le32(m, off+4))
	if l == 0 {
		return nil, true
	}
	b := slice(m, o, l)
	return b, b != nil
}

func appendText(dst, b []byte, unicode bool) []byte {
	if unicode {
		return appendUTF16(dst, b)
	}
	return appendOEM(dst, b)
}

// avPairs reads the challenge's target information. Spec: [MS-NLMP] 2.2.2.1.
func (p *parser) avPairs(dir dissect.Dir, ti []byte) {
	n := &p.ntlm
	var nbDomain, dnsDomain []byte
	for off := 0; off+4 <= len(ti); {
		id, l := le16(ti, off), int(le16(ti, off+2))
		v := slice(ti, off+4, l)
		if id == 0 || v == nil {
			break
		}
		switch id {
		case 1:
			n.nb = appendUTF16(n.nb[:0], v)
		case 2:
			nbDomain = v
		case 3:
			n.dns = appendUTF16(n.dns[:0], v)
		case 4:
			dnsDomain = v
		case 5:
			n.tree = appendUTF16(n.tree[:0], v)
		}
		off += 4 + l
	}
	server := p.server
	switch {
	case len(n.dns) > 0:
		p.env.Fact(server, dissect.AttrHostname, string(n.dns), "ntlm.challenge.dns_computer_name")
	case len(n.nb) > 0:
		p.env.Fact(server, dissect.AttrHostname, string(n.nb), "ntlm.challenge.nb_computer_name")
	}
	switch {
	case dnsDomain != nil:
		p.scratch2 = appendUTF16(p.scratch2[:0], dnsDomain)
		p.env.Fact(server, "domain", string(p.scratch2), "ntlm.challenge.dns_domain_name")
	case nbDomain != nil:
		p.scratch2 = appendUTF16(p.scratch2[:0], nbDomain)
		p.env.Fact(server, "domain", string(p.scratch2), "ntlm.challenge.nb_domain_name")
	}
}

// ntlmOS reports the Windows version of the NTLM VERSION structure ([MS-NLMP] 2.2.2.10).
// A zero build number is what non-Windows stacks (Samba, impacket) send: no fact then.
func (p *parser) ntlmOS(side dissect.Dir, v []byte, field string) {
	major, minor, build := v[0], v[1], uint16(v[2])|uint16(v[3])<<8
	if major == 0 || build == 0 {
		return
	}
	s := p.scratch2[:0]
	s = append(s, "Windows NT "...)
	s = strconv.AppendUint(s, uint64(major), 10)
	s = append(s, '.')
	s = strconv.AppendUint(s, uint64(minor), 10)
	s = append(s, " build "...)
	s = strconv.AppendUint(s, uint64(build), 10)
	p.scratch2 = s
	p.env.Fact(side, dissect.AttrOS, string(s), field)
}

// sessionResult completes the NTLM record from a session setup response: SPNEGO's
// negResult when present (0 accept-completed, 2 reject; 1 accept-incomplete is ignored),
// otherwise the response status once the AUTHENTICATE was seen.
func (p *parser) sessionResult(negResult int, status uint32) {
	n := &p.ntlm
	if !n.active || n.logged {
		return
	}
	switch {
	case negResult == 0 || negResult == 2:
		n.success, n.hasSuccess = negResult == 0, true
	case !n.authSeen:
		return
	case status == statusSuccess:
		n.success, n.hasSuccess = true, true
	case status != statusMoreProcessing && status != statusPending:
		n.success, n.hasSuccess = false, true
	default:
		return
	}
	p.logNTLM()
}

func (p *parser) logNTLM() {
	n := &p.ntlm
	ts := p.env.TS
	p.env.TS = n.ts
	r := p.env.Log(logNTLM)
	if len(n.user) > 0 {
		r.Bytes("username", n.user)
	}
	if len(n.host) > 0 {
		r.Bytes("hostname", n.host)
	}
	if len(n.domain) > 0 {
		r.Bytes("domainname", n.domain)
	}
	if len(n.nb) > 0 {
		r.Bytes("server_nb_computer_name", n.nb)
	}
	if len(n.dns) > 0 {
		r.Bytes("server_dns_computer_name", n.dns)
	}
	if len(n.tree) > 0 {
		r.Bytes("server_tree_name", n.tree)
	}
	if n.hasSuccess {
		r.Bool("success", n.success)
	}
	r.Done()
	p.env.TS = ts
	n.logged = true
}

// spnegoNegResult returns the negState of a SPNEGO negTokenResp ([1] { [0] ENUMERATED }),
// or -1. Spec: RFC 4178 4.2.2.
func spnegoNegResult(b []byte) int {
	tag, body, _, ok := derNext(b)
	if !ok || tag != 0xa1 {
		return -1
	}
	tag, seq, _, ok := derNext(body)
	if !ok || tag != 0x30 {
		return -1
	}
	tag, ctx, _, ok := derNext(seq)
	if !ok || tag != 0xa0 {
		return -1
	}
	tag, e, _, ok := derNext(ctx)
	if !ok || tag != 0x0a || len(e) != 1 {
		return -1
	}
	return int(e[0])
}

// derNext splits the DER element at the start of b: its tag, contents and the bytes after it.
func derNext(b []byte) (tag byte, body, rest []byte, ok bool) {
	if len(b) < 2 {
		return 0, nil, nil, false
	}
	tag = b[0]
	l, off := int(b[1]), 2
	if l&0x80 != 0 {
		k := l & 0x7f
		if k == 0 || k > 3 || len(b) < 2+k {
			return 0, nil, nil, false
		}
		l = 0
		for i := 0; i < k; i++ {
			l = l<<8 | int(b[2+i])
		}
		off = 2 + k
	}
	if l > len(b)-off {
		return 0, nil, nil, false
	}
	return tag, b[off : off+l], b[off+l:], true
}

// kerberos looks for a Kerberos AP-REQ in a client's GSS-API blob and reports the service
// principal's host (cifs/HOST…) and realm as facts about the server. Spec: RFC 4120 5.5.1,
// RFC 4121 4.1 (token framing), RFC 4178 (SPNEGO negTokenInit mechToken [2]).
func (p *parser) kerberos(blob []byte) {
	ap := findAPReq(blob, 0)
	if ap == nil {
		return
	}
	// AP-REQ ::= [APPLICATION 14] SEQUENCE { pvno [0], msg-type [1], ap-options [2], ticket [3] … }
	_, seq, _, ok := derNext(ap)
	if !ok {
		return
	}
	_, seq, _, ok = derNext(seq)
	if !ok {
		return
	}
	for len(seq) > 0 {
		tag, body, rest, ok := derNext(seq)
		if !ok {
			return
		}
		seq = rest
		if tag != 0xa3 {
			continue
		}
		// Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] }
		_, t, _, ok := derNext(body)
		if !ok {
			return
		}
		_, t, _, ok = derNext(t)
		if !ok {
			return
		}
		var realm, host []byte
		for len(t) > 0 {
			tag, f, rest, ok := derNext(t)
			if !ok {
				break
			}
			t = rest
			switch tag {
			case 0xa1:
				if _, s, _, ok := derNext(f); ok {
					realm = s
				}
			case 0xa2:
				host = snameHost(f)
			}
		}
		server := p.server
		if len(host) > 0 {
			p.env.Fact(server, dissect.AttrHostname, string(host), "kerberos.ticket.sname")
		}
		if len(realm) > 0 {
			p.env.Fact(server, "domain", string(realm), "kerberos.ticket.realm")
		}
		return
	}
}

// snameHost returns the host part of a service principal (the second name-string of
// cifs/host or host/host).
func snameHost(f []byte) []byte {
	_, seq, _, ok := derNext(f)
	if !ok {
		return nil
	}
	for len(seq) > 0 {
		tag, body, rest, ok := derNext(seq)
		if !ok {
			return nil
		}
		seq = rest
		if tag != 0xa1 {
			continue
		}
		_, names, _, ok := derNext(body)
		if !ok {
			return nil
		}
		_, svc, rest2, ok := derNext(names)
		if !ok {
			return nil
		}
		_, host, _, ok := derNext(rest2)
		if !ok || (string(svc) != "cifs" && string(svc) != "host") {
			return nil
		}
		return host
	}
	return nil
}

// findAPReq walks nested DER containers (SPNEGO, GSS-API framing) looking for an element
// with tag [APPLICATION 14] (0x6e) and returns it whole.
func findAPReq(b []byte, depth int) []byte {
	if depth > 8 {
		return nil
	}
	for len(b) > 0 {
		tag, body, rest, ok := derNext(b)
		if !ok {
			return nil
		}
		if tag == 0x6e {
			return b[:len(b)-len(rest)]
		}
		if tag == 0x60 {
			// GSS-API InitialContextToken: OID, then a 2-byte token id, then the AP-REQ.
			if t, _, r, ok := derNext(body); ok && t == 0x06 && len(r) > 2 {
				if ap := findAPReq(r[2:], depth+1); ap != nil {
					return ap
				}
			}
		}
		if tag&0x20 != 0 { // constructed: look inside
			if ap := findAPReq(body, depth+1); ap != nil {
				return ap
			}
		}
		if tag == 0x04 { // OCTET STRING (SPNEGO mechToken) wraps the GSS token
			if ap := findAPReq(body, depth+1); ap != nil {
				return ap
			}
		}
		b = rest
	}
	return nil
}
