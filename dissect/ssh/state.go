package ssh

import (
	"crypto/md5"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/wire"
)

type state uint8

const (
	stBanner    state = iota // identification string, possibly after other lines (server)
	stSkipLine               // rest of an over-long pre-banner line
	stPackets                // clear-text binary packets
	stEncrypted              // after NEWKEYS, a gap or garbage: nothing more is read
)

// kexInit is one side's algorithm name-lists, copied into buf.
type kexInit struct {
	seen  bool
	buf   []byte
	lists [nLists][2]int // offsets into buf
}

func (k *kexInit) list(i int) []byte { return k.buf[k.lists[i][0]:k.lists[i][1]] }

type dirState struct {
	st       state
	banner   []byte
	preBytes int
	kex      kexInit
}

// parser is the per-flow SSH parser. Not safe for concurrent use.
type parser struct {
	env    *dissect.Env
	client dissect.Dir
	dirs   [2]dirState

	version uint8 // 1 or 2, from the banners
	hostKey [16]byte
	hasKey  bool
	logged  bool
	roles   bool
	scratch []byte
}

func newParser(env *dissect.Env) dissect.Parser {
	return &parser{env: env, client: dissect.Orig}
}

// Parse reads the banner line, then whole clear-text packets, of dir.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	d := &p.dirs[dir]
	off := 0
	for off < len(b) {
		rest := b[off:]
		switch d.st {
		case stEncrypted:
			return len(b), nil
		case stSkipLine:
			i := indexNL(rest)
			if i < 0 {
				return len(b), nil
			}
			off += i + 1
			d.st = stBanner
		case stBanner:
			i := indexNL(rest)
			if i < 0 {
				if len(rest) > maxBanner {
					if hasPrefix(rest, "SSH-") {
						p.env.Weird(weirdBannerLong, "")
						d.st = stEncrypted
						return len(b), nil
					}
					d.preBytes += len(rest)
					d.st = stSkipLine
					return len(b), nil
				}
				return off, nil
			}
			line := rest[:i]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			off += i + 1
			if !hasPrefix(line, "SSH-") {
				// RFC 4253 §4.2: a server may send other lines first.
				d.preBytes += i + 1
				if d.preBytes > maxPreBanner {
					p.env.Weird(weirdBadBanner, "")
					d.st = stEncrypted
				}
				continue
			}
			p.banner(dir, d, line)
		case stPackets:
			if len(rest) < 5 {
				return off, nil
			}
			n := int(rest[0])<<24 | int(rest[1])<<16 | int(rest[2])<<8 | int(rest[3])
			if n < 5 || n > maxPacket || int(rest[4]) >= n {
				p.env.Weird(weirdPacketLong, "")
				d.st = stEncrypted
				return len(b), nil
			}
			if len(rest) < 4+n {
				return off, nil
			}
			p.packet(dir, rest[5:4+n-int(rest[4])])
			off += 4 + n
		}
	}
	return off, nil
}

func indexNL(b []byte) int {
	for i, c := range b {
		if c == '\n' {
			return i
		}
	}
	return -1
}

func hasPrefix(b []byte, s string) bool { return len(b) >= len(s) && string(b[:len(s)]) == s }

// banner handles "SSH-protoversion-softwareversion [SP comments]".
func (p *parser) banner(dir dissect.Dir, d *dirState, line []byte) {
	p.env.PDU()
	if len(line) > maxBanner {
		line = line[:maxBanner]
	}
	d.banner = append(d.banner[:0], line...)
	d.st = stPackets
	proto := line[4:]
	for i, c := range proto {
		if c == '-' {
			proto = proto[:i]
			break
		}
	}
	switch {
	case string(proto) == "2.0" || string(proto) == "1.99":
		if p.version == 0 {
			p.version = 2
		}
	case hasPrefix(proto, "1."):
		p.version = 1
		p.env.Weird(weirdV1, string(line))
		d.st = stEncrypted // SSH-1 packets are not parsed
	default:
		p.env.Weird(weirdBadBanner, "")
	}
	if !p.roles {
		p.roles = true
		p.env.Fact(p.client, dissect.AttrRole, "ssh_client", "banner")
		p.env.Fact(p.client.Flip(), dissect.AttrRole, "ssh_server", "banner")
	}
	field := "server"
	if dir == p.client {
		field = "client"
	}
	p.env.Fact(dir, dissect.AttrSoftware, string(line), field)
}

// packet handles one clear-text packet payload.
func (p *parser) packet(dir dissect.Dir, payload []byte) {
	p.env.PDU()
	if len(payload) == 0 {
		return
	}
	d := &p.dirs[dir]
	switch payload[0] {
	case msgKexInit:
		p.env.Command("KEXINIT")
		if !p.kexInit(&d.kex, payload[1:]) {
			p.env.Weird(weirdBadPacket, "kexinit")
		}
	case msgNewKeys:
		d.st = stEncrypted
		if p.dirs[0].st == stEncrypted && p.dirs[1].st == stEncrypted {
			p.logSSH()
		}
	case msgKexDHReply, msgKexGexReply:
		if dir == p.client || p.hasKey {
			return
		}
		gex := contains(p.negotiated(nlKex), "group-exchange")
		if gex != (payload[0] == msgKexGexReply) {
			return
		}
		r := wire.New(payload[1:])
		key := r.Bytes(int(r.U32BE()))
		if r.Err() == nil && len(key) > 0 {
			p.hostKey = md5.Sum(key)
			p.hasKey = true
		}
	}
}

// kexInit copies the eight name-lists after the 16-byte cookie.
func (p *parser) kexInit(k *kexInit, b []byte) bool {
	r := wire.New(b)
	r.Skip(16)
	k.buf = k.buf[:0]
	for i := 0; i < nLists; i++ {
		l := r.Bytes(int(r.U32BE()))
		if r.Err() != nil {
			return false
		}
		if len(l) > maxNameList {
			l = l[:maxNameList]
		}
		start := len(k.buf)
		k.buf = append(k.buf, l...)
		k.lists[i] = [2]int{start, len(k.buf)}
	}
	k.seen = true
	return true
}

// negotiated returns the first client algorithm of list i that the server also offers
// (RFC 4253 §7.1), or nil.
func (p *parser) negotiated(i int) []byte {
	c, s := &p.dirs[p.client].kex, &p.dirs[p.client.Flip()].kex
	if !c.seen || !s.seen {
		return nil
	}
	cl := c.list(i)
	for len(cl) > 0 {
		name := cl
		for j, ch := range cl {
			if ch == ',' {
				name = cl[:j]
				break
			}
		}
		if inList(s.list(i), name) {
			return name
		}
		if len(name) == len(cl) {
			break
		}
		cl = cl[len(name)+1:]
	}
	return nil
}

func inList(l, name []byte) bool {
	for len(l) > 0 {
		item := l
		for j, ch := range l {
			if ch == ',' {
				item = l[:j]
				break
			}
		}
		if string(item) == string(name) {
			return true
		}
		if len(item) == len(l) {
			return false
		}
		l = l[len(item)+1:]
	}
	return false
}

func contains(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if string(b[i:i+len(s)]) == s {
			return true
		}
	}
	return false
}

// hassh builds "kex;enc;mac;comp" from a KEXINIT: the client's client-to-server lists or the
// server's server-to-client lists, and its MD5 in hex.
func hassh(k *kexInit, server bool, algs []byte, sum *[32]byte) []byte {
	enc, mac, comp := nlEncC2S, nlMacC2S, nlCompC2S
	if server {
		enc, mac, comp = nlEncS2C, nlMacS2C, nlCompS2C
	}
	algs = append(algs[:0], k.list(nlKex)...)
	for _, i := range [3]int{enc, mac, comp} {
		algs = append(algs, ';')
		algs = append(algs, k.list(i)...)
	}
	h := md5.Sum(algs)
	const hexd = "0123456789abcdef"
	for i, c := range h {
		sum[2*i], sum[2*i+1] = hexd[c>>4], hexd[c&15]
	}
	return algs
}

// logSSH writes the ssh.log record once (Zeek's ssh.log plus the hassh package's fields).
func (p *parser) logSSH() {
	if p.logged || (len(p.dirs[0].banner) == 0 && len(p.dirs[1].banner) == 0) {
		return
	}
	p.logged = true
	ck, sk := &p.dirs[p.client].kex, &p.dirs[p.client.Flip()].kex
	var hc, hs [32]byte
	if ck.seen {
		p.scratch = hassh(ck, false, p.scratch, &hc)
		p.env.Fact(p.client, "hassh", string(hc[:]), "kexinit")
	}
	if sk.seen {
		p.scratch = hassh(sk, true, p.scratch, &hs)
		p.env.Fact(p.client.Flip(), "hassh_server", string(hs[:]), "kexinit")
	}
	if ck.seen && sk.seen && p.negotiated(nlKex) == nil {
		p.env.Weird(weirdNoCommonAlgo, "kex")
	}
	r := p.env.Log(logSSH)
	if p.version != 0 {
		r.Uint("version", uint64(p.version))
	}
	if b := p.dirs[p.client].banner; len(b) > 0 {
		r.Bytes("client", b)
	}
	if b := p.dirs[p.client.Flip()].banner; len(b) > 0 {
		r.Bytes("server", b)
	}
	for _, f := range [...]struct {
		key string
		nl  int
	}{{"cipher_alg", nlEncC2S}, {"mac_alg", nlMacC2S}, {"compression_alg", nlCompC2S}, {"kex_alg", nlKex}, {"host_key_alg", nlHostKey}} {
		if v := p.negotiated(f.nl); v != nil {
			r.Bytes(f.key, v)
		}
	}
	if p.hasKey {
		var fp [47]byte
		const hexd = "0123456789abcdef"
		for i, c := range p.hostKey {
			fp[3*i], fp[3*i+1] = hexd[c>>4], hexd[c&15]
			if i < 15 {
				fp[3*i+2] = ':'
			}
		}
		r.Bytes("host_key", fp[:])
	}
	if ck.seen {
		r.Str("hasshVersion", "1.1").Bytes("hassh", hc[:])
		p.scratch = hassh(ck, false, p.scratch, &hc)
		r.Bytes("hasshAlgorithms", p.scratch).Bytes("cshka", ck.list(nlHostKey))
	}
	if sk.seen {
		if !ck.seen {
			r.Str("hasshVersion", "1.1")
		}
		r.Bytes("hasshServer", hs[:])
		p.scratch = hassh(sk, true, p.scratch, &hs)
		r.Bytes("hasshServerAlgorithms", p.scratch).Bytes("sshka", sk.list(nlHostKey))
	}
	r.Done()
}

// Gap: the clear-text part of SSH is short and the rest is encrypted, so a direction that
// lost bytes is not read any further.
func (p *parser) Gap(dir dissect.Dir, lost int) { p.dirs[dir].st = stEncrypted }

// Close logs a connection whose key exchange did not complete.
func (p *parser) Close() { p.logSSH() }

// Interface guards
var _ dissect.Parser = (*parser)(nil)
