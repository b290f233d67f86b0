package tls

import (
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"strconv"

	"github.com/quietwire/quietwire/dissect/wire"
)

// ErrMalformed is a hello whose fields run past their message.
var ErrMalformed = errors.New("tls: malformed hello")

// clientHello holds what the log and the fingerprints need of a ClientHello (RFC 8446
// §4.1.2). Lists are capped at maxList entries.
type clientHello struct {
	version   uint16
	sid       [32]byte
	sidLen    int
	ciphers   []uint16
	exts      []uint16
	groups    []uint16
	points    []uint8
	sigalgs   []uint16
	versions  []uint16
	sni       []byte
	alpn      []byte // the first ALPN protocol
	hasSNI    bool
	hasALPN   bool
	hasTicket bool
}

func (c *clientHello) reset() {
	*c = clientHello{
		ciphers: c.ciphers[:0], exts: c.exts[:0], groups: c.groups[:0], points: c.points[:0],
		sigalgs: c.sigalgs[:0], versions: c.versions[:0], sni: c.sni[:0], alpn: c.alpn[:0],
	}
}

func add16(l []uint16, v uint16) []uint16 {
	if len(l) < maxList {
		l = append(l, v)
	}
	return l
}

// parseClientHello reads a ClientHello body; dtls adds the cookie field (RFC 6347 §4.2.1).
func parseClientHello(c *clientHello, body []byte, dtls bool) error {
	c.reset()
	r := wire.New(body)
	c.version = r.U16BE()
	r.Skip(32)
	sid := r.Bytes(int(r.U8()))
	if len(sid) <= 32 {
		c.sidLen = copy(c.sid[:], sid)
	}
	if dtls {
		r.Skip(int(r.U8()))
	}
	cs := r.Sub(int(r.U16BE()))
	for cs.Len() >= 2 {
		c.ciphers = add16(c.ciphers, cs.U16BE())
	}
	r.Skip(int(r.U8()))
	if r.Err() != nil {
		return ErrMalformed
	}
	if r.Len() < 2 {
		return nil
	}
	exts := r.Sub(int(r.U16BE()))
	for exts.Len() >= 4 {
		typ := exts.U16BE()
		data := exts.Bytes(int(exts.U16BE()))
		if exts.Err() != nil {
			return ErrMalformed
		}
		c.exts = add16(c.exts, typ)
		e := wire.New(data)
		switch typ {
		case extServerName:
			c.hasSNI = true
			list := e.Sub(int(e.U16BE()))
			for list.Len() >= 3 {
				kind := list.U8()
				name := list.Bytes(int(list.U16BE()))
				if kind == 0 && len(c.sni) == 0 {
					c.sni = append(c.sni, name...)
				}
			}
		case extSupportedGroups:
			l := e.Sub(int(e.U16BE()))
			for l.Len() >= 2 {
				c.groups = add16(c.groups, l.U16BE())
			}
		case extECPointFormats:
			l := e.Sub(int(e.U8()))
			for l.Len() >= 1 && len(c.points) < maxList {
				c.points = append(c.points, l.U8())
			}
		case extSignatureAlgs:
			l := e.Sub(int(e.U16BE()))
			for l.Len() >= 2 {
				c.sigalgs = add16(c.sigalgs, l.U16BE())
			}
		case extALPN:
			c.hasALPN = true
			l := e.Sub(int(e.U16BE()))
			if l.Len() >= 1 {
				c.alpn = append(c.alpn, l.Bytes(int(l.U8()))...)
			}
		case extSupportedVersions:
			l := e.Sub(int(e.U8()))
			for l.Len() >= 2 {
				c.versions = add16(c.versions, l.U16BE())
			}
		case 35: // session_ticket
			c.hasTicket = len(data) > 0
		}
	}
	return nil
}

// serverHello holds what the log needs of a ServerHello (RFC 8446 §4.1.3).
type serverHello struct {
	version  uint16 // legacy_version
	selected uint16 // supported_versions, 0 if absent
	cipher   uint16
	sid      [32]byte
	sidLen   int
	exts     []uint16
	group    uint16 // key_share group
	alpn     []byte
	hasPSK   bool
	retry    bool // a HelloRetryRequest
}

// negotiated is the protocol version the server chose.
func (s *serverHello) negotiated() uint16 {
	if s.selected != 0 {
		return s.selected
	}
	return s.version
}

// parseServerHello reads a ServerHello body. TLS 1.3 drafts before 22 had neither session id
// nor compression method.
func parseServerHello(s *serverHello, body []byte) error {
	*s = serverHello{exts: s.exts[:0], alpn: s.alpn[:0]}
	r := wire.New(body)
	s.version = r.U16BE()
	random := r.Bytes(32)
	if len(random) == 32 && [32]byte(random) == helloRetryRandom {
		s.retry = true
	}
	draft := s.version>>8 == 0x7f && s.version&0xff < 22
	if !draft {
		sid := r.Bytes(int(r.U8()))
		if len(sid) <= 32 {
			s.sidLen = copy(s.sid[:], sid)
		}
	}
	s.cipher = r.U16BE()
	if !draft {
		r.U8()
	}
	if r.Err() != nil {
		return ErrMalformed
	}
	if r.Len() < 2 {
		return nil
	}
	exts := r.Sub(int(r.U16BE()))
	for exts.Len() >= 4 {
		typ := exts.U16BE()
		data := exts.Bytes(int(exts.U16BE()))
		if exts.Err() != nil {
			return ErrMalformed
		}
		s.exts = add16(s.exts, typ)
		e := wire.New(data)
		switch typ {
		case extSupportedVersions:
			s.selected = e.U16BE()
		case extKeyShare, 40: // key_share (40 in early drafts)
			s.group = e.U16BE()
		case extALPN:
			l := e.Sub(int(e.U16BE()))
			if l.Len() >= 1 {
				s.alpn = append(s.alpn, l.Bytes(int(l.U8()))...)
			}
		case extPreSharedKey:
			s.hasPSK = true
		}
	}
	return nil
}

const hexDigits = "0123456789abcdef"

func appendHex(dst, src []byte) []byte {
	for _, c := range src {
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

func appendHex16(dst []byte, v uint16) []byte {
	return append(dst, hexDigits[v>>12], hexDigits[v>>8&15], hexDigits[v>>4&15], hexDigits[v&15])
}

// appendDecList appends the non-GREASE values of l in decimal, separated by '-'.
func appendDecList(dst []byte, l []uint16) []byte {
	first := true
	for _, v := range l {
		if isGREASE(v) {
			continue
		}
		if !first {
			dst = append(dst, '-')
		}
		first = false
		dst = strconv.AppendUint(dst, uint64(v), 10)
	}
	return dst
}

// ja3 returns the JA3 string of a ClientHello in scratch and its MD5 as hex in out:
// "version,ciphers,extensions,groups,point formats", GREASE removed.
func ja3(c *clientHello, scratch []byte, out *[32]byte) []byte {
	s := strconv.AppendUint(scratch[:0], uint64(c.version), 10)
	s = append(s, ',')
	s = appendDecList(s, c.ciphers)
	s = append(s, ',')
	s = appendDecList(s, c.exts)
	s = append(s, ',')
	s = appendDecList(s, c.groups)
	s = append(s, ',')
	for i, p := range c.points {
		if i > 0 {
			s = append(s, '-')
		}
		s = strconv.AppendUint(s, uint64(p), 10)
	}
	sum := md5.Sum(s)
	appendHex(out[:0], sum[:])
	return s
}

// ja3s returns the MD5 hex of "version,cipher,extensions" of a ServerHello.
func ja3s(s *serverHello, scratch []byte, out *[32]byte) []byte {
	b := strconv.AppendUint(scratch[:0], uint64(s.version), 10)
	b = append(b, ',')
	b = strconv.AppendUint(b, uint64(s.cipher), 10)
	b = append(b, ',')
	b = appendDecList(b, s.exts)
	sum := md5.Sum(b)
	appendHex(out[:0], sum[:])
	return b
}

// ja4 builds the JA4 fingerprint (FoxIO spec) of a ClientHello into out (36 bytes):
// part a "t13d1516h2", part b the truncated SHA-256 of the sorted cipher list, part c that of
// the sorted extensions (without SNI and ALPN) followed by "_" and the signature algorithms.
func ja4(c *clientHello, dtls bool, scratch []byte, out []byte) []byte {
	out = out[:0]
	if dtls {
		out = append(out, 'd')
	} else {
		out = append(out, 't')
	}
	v := c.version
	for _, sv := range c.versions {
		if !isGREASE(sv) && versionRank(sv) > versionRank(v) {
			v = sv
		}
	}
	switch v {
	case 0x0304:
		out = append(out, "13"...)
	case 0x0303:
		out = append(out, "12"...)
	case 0x0302:
		out = append(out, "11"...)
	case 0x0301:
		out = append(out, "10"...)
	case 0x0300:
		out = append(out, "s3"...)
	case 0x0002:
		out = append(out, "s2"...)
	case 0xfeff:
		out = append(out, "d1"...)
	case 0xfefd:
		out = append(out, "d2"...)
	case 0xfefc:
		out = append(out, "d3"...)
	default:
		out = append(out, "00"...)
	}
	if c.hasSNI {
		out = append(out, 'd')
	} else {
		out = append(out, 'i')
	}
	var ciphers, exts [maxList]uint16
	nc, ne := 0, 0
	for _, x := range c.ciphers {
		if !isGREASE(x) {
			ciphers[nc] = x
			nc++
		}
	}
	allExt := 0
	for _, x := range c.exts {
		if isGREASE(x) {
			continue
		}
		allExt++
		if x != extServerName && x != extALPN {
			exts[ne] = x
			ne++
		}
	}
	out = append2(out, nc)
	out = append2(out, allExt)
	switch {
	case len(c.alpn) == 0:
		out = append(out, "00"...)
	case isAlnum(c.alpn[0]) && isAlnum(c.alpn[len(c.alpn)-1]):
		out = append(out, c.alpn[0], c.alpn[len(c.alpn)-1])
	default:
		out = append(out, hexDigits[c.alpn[0]>>4], hexDigits[c.alpn[len(c.alpn)-1]&15])
	}
	out = append(out, '_')
	sort16(ciphers[:nc])
	s := scratch[:0]
	for i, x := range ciphers[:nc] {
		if i > 0 {
			s = append(s, ',')
		}
		s = appendHex16(s, x)
	}
	out = appendTrunc(out, s, nc == 0)
	out = append(out, '_')
	sort16(exts[:ne])
	s = s[:0]
	for i, x := range exts[:ne] {
		if i > 0 {
			s = append(s, ',')
		}
		s = appendHex16(s, x)
	}
	if n := len(c.sigalgs); n > 0 {
		s = append(s, '_')
		first := true
		for _, x := range c.sigalgs {
			if isGREASE(x) {
				continue
			}
			if !first {
				s = append(s, ',')
			}
			first = false
			s = appendHex16(s, x)
		}
	}
	return appendTrunc(out, s, ne == 0)
}

func appendTrunc(out, s []byte, empty bool) []byte {
	if empty {
		return append(out, "000000000000"...)
	}
	sum := sha256.Sum256(s)
	return appendHex(out, sum[:6])
}

func append2(out []byte, n int) []byte {
	if n > 99 {
		n = 99
	}
	return append(out, byte('0'+n/10), byte('0'+n%10))
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// versionRank orders versions so that DTLS's descending numbers compare like TLS's.
func versionRank(v uint16) int {
	switch v {
	case 0xfeff:
		return 0x0302
	case 0xfefd:
		return 0x0303
	case 0xfefc:
		return 0x0304
	}
	if v>>8 == 0x7f {
		return 0x0304
	}
	return int(v)
}

func sort16(a []uint16) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
