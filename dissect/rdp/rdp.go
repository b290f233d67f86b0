package rdp

import (
	"bytes"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/quietwire/quietwire/dissect"
)

const (
	logRDP = "rdp"

	weirdBadTPKT   = "rdp_invalid_tpkt" // TPKT version/length impossible
	weirdNegFailed = "rdp_negotiation_failure"

	// X.224 TPDU codes. Spec: ITU-T X.224 13.3.
	x224CR = 0xe0
	x224CC = 0xd0
	x224DT = 0xf0

	// Security protocol flags. Spec: [MS-RDPBCGR] 2.2.1.1.1 RDP_NEG_REQ.
	protoSSL      = 0x01
	protoHybrid   = 0x02
	protoRDSTLS   = 0x04
	protoHybridEx = 0x08
	protoRDSAAD   = 0x10
)

// securityProtocol names a selected protocol as Zeek's rdp.log does.
func securityProtocol(p uint32) string {
	switch p {
	case 0:
		return "RDP"
	case protoSSL:
		return "SSL"
	case protoHybrid:
		return "HYBRID"
	case protoRDSTLS:
		return "RDSTLS"
	case protoHybridEx:
		return "HYBRID_EX"
	case protoRDSAAD:
		return "RDSAAD"
	}
	return "unknown"
}

// failureCode names an RDP_NEG_FAILURE code ([MS-RDPBCGR] 2.2.1.2.2).
func failureCode(c uint32) string {
	switch c {
	case 1:
		return "SSL_REQUIRED_BY_SERVER"
	case 2:
		return "SSL_NOT_ALLOWED_BY_SERVER"
	case 3:
		return "SSL_CERT_NOT_ON_SERVER"
	case 4:
		return "INCONSISTENT_FLAGS"
	case 5:
		return "HYBRID_REQUIRED_BY_SERVER"
	case 6:
		return "SSL_WITH_USER_AUTH_REQUIRED_BY_SERVER"
	}
	return "unknown"
}

// clientBuild names well-known client builds (the Windows build of mstsc), Zeek-style.
func clientBuild(b uint32) string {
	switch b {
	case 2195:
		return "RDP 5.0"
	case 2600:
		return "RDP 5.1"
	case 3790:
		return "RDP 5.2"
	case 6000:
		return "RDP 6.0"
	case 6001:
		return "RDP 6.1"
	case 6002:
		return "RDP 6.2"
	case 7600:
		return "RDP 7.0"
	case 7601:
		return "RDP 7.1"
	case 9200:
		return "RDP 8.0"
	case 9600:
		return "RDP 8.1"
	case 10240:
		return "RDP 10.0"
	}
	return ""
}

// keyboardLayout names common input locales ([MS-RDPBCGR] 2.2.1.3.2 keyboardLayout, LCIDs
// from [MS-LCID]) in Zeek's spelling.
func keyboardLayout(l uint32) string {
	switch l {
	case 0x0409:
		return "English - United States"
	case 0x0809:
		return "English - United Kingdom"
	case 0x0407:
		return "German - Germany"
	case 0x040c:
		return "French - France"
	case 0x0410:
		return "Italian - Italy"
	case 0x0c0a:
		return "Spanish - Spain (Modern Sort)"
	case 0x0413:
		return "Dutch - Netherlands"
	case 0x0416:
		return "Portuguese - Brazil"
	case 0x0419:
		return "Russian"
	case 0x0411:
		return "Japanese"
	case 0x0412:
		return "Korean"
	case 0x0804:
		return "Chinese - People's Republic of China"
	case 0x0404:
		return "Chinese - Taiwan"
	case 0x041d:
		return "Swedish"
	case 0x0415:
		return "Polish"
	case 0x041f:
		return "Turkish"
	case 0x0807:
		return "German - Switzerland"
	case 0x0c07:
		return "German - Austria"
	case 0x080c:
		return "French - Belgium"
	case 0x0c0c:
		return "French - Canada"
	}
	return ""
}

// encryption method/level names ([MS-RDPBCGR] 2.2.1.4.3 SC_SECURITY).
func encryptionMethod(m uint32) string {
	switch m {
	case 0:
		return "None"
	case 1:
		return "40bit"
	case 2:
		return "128bit"
	case 8:
		return "56bit"
	case 0x10:
		return "FIPS"
	}
	return "unknown"
}

func encryptionLevel(l uint32) string {
	switch l {
	case 0:
		return "None"
	case 1:
		return "Low"
	case 2:
		return "Client compatible"
	case 3:
		return "High"
	case 4:
		return "FIPS"
	}
	return "unknown"
}

// parser is the per-flow RDP parser: it reads the connection sequence up to the point where
// the traffic is encrypted (TLS/CredSSP, or RDP standard security after the MCS connect).
type parser struct {
	env    *dissect.Env
	server dissect.Dir
	done   [2]bool // direction no longer parsed (encrypted or past the connect sequence)
	logged bool
	resync [2]bool

	ts          int64
	cookie      []byte
	requested   uint32
	hasReq      bool
	selected    uint32
	hasSelected bool
	result      string
	clientName  []byte
	build       uint32
	layout      uint32
	width       uint16
	height      uint16
	hasCore     bool
	channels    [][]byte
	encMethod   string
	encLevel    string
	scratch     []byte
}

func newParser(env *dissect.Env) dissect.Parser {
	p := &parser{env: env, server: dissect.Resp}
	if env != nil && env.Flow != nil && env.Flow.Orig.Port == 3389 && env.Flow.Resp.Port != 3389 {
		p.server = dissect.Orig
	}
	return p
}

// Parse consumes TPKT-framed PDUs of the connection sequence; once a direction is
// encrypted its bytes are consumed without parsing.
func (p *parser) Parse(dir dissect.Dir, b []byte) (int, error) {
	d := dir & 1
	off := 0
	for off < len(b) {
		if p.done[d] {
			return len(b), nil
		}
		rest := b[off:]
		if p.resync[d] {
			i := bytes.Index(rest, []byte{3, 0})
			if i < 0 {
				return len(b), nil
			}
			off += i
			p.resync[d] = false
			continue
		}
		if rest[0] != 3 {
			// Fast-path or TLS bytes: the cleartext connection sequence is over.
			p.finish()
			p.done[d] = true
			return len(b), nil
		}
		if len(rest) < 4 {
			return off, nil
		}
		n := int(rest[2])<<8 | int(rest[3])
		if rest[1] != 0 || n < 7 {
			p.env.Weird(weirdBadTPKT, "length "+strconv.Itoa(n))
			p.resync[d] = true
			off++
			continue
		}
		if len(rest) < n {
			return off, nil
		}
		p.tpkt(dir, rest[4:n])
		off += n
	}
	return off, nil
}

// tpkt handles one X.224 TPDU. Spec: RFC 1006 (TPKT), ITU-T X.224.
func (p *parser) tpkt(dir dissect.Dir, t []byte) {
	p.env.PDU()
	if len(t) < 2 {
		return
	}
	li := int(t[0])
	switch t[1] & 0xf0 {
	case x224CR:
		p.env.Command("X224_CONNECTION_REQUEST")
		p.ts = p.env.TS
		if li+1 <= len(t) && li >= 6 {
			p.connectionRequest(t[7 : li+1])
		}
	case x224CC:
		if li+1 <= len(t) && li >= 6 {
			p.connectionConfirm(t[7 : li+1])
		}
	case x224DT:
		if li+1 <= len(t) {
			p.data(dir, t[li+1:])
		}
	}
}

// connectionRequest reads the cookie or routing token and RDP_NEG_REQ.
// Spec: [MS-RDPBCGR] 2.2.1.1.
func (p *parser) connectionRequest(v []byte) {
	p.env.Fact(p.server, dissect.AttrRole, "rdp_server", "rdp")
	p.env.Fact(p.server.Flip(), dissect.AttrRole, "rdp_client", "rdp")
	if i := bytes.Index(v, []byte("\r\n")); i >= 0 {
		line := v[:i]
		if c, ok := bytes.CutPrefix(line, []byte("Cookie: mstshash=")); ok {
			p.cookie = append(p.cookie[:0], c...)
			p.env.Event(p.server.Flip(), dissect.EvLogin, "user="+string(c))
		} else if c, ok := bytes.CutPrefix(line, []byte("Cookie: msts=")); ok {
			p.cookie = append(p.cookie[:0], c...)
		}
		v = v[i+2:]
	}
	if len(v) >= 8 && v[0] == 0x01 && v[2] == 8 && v[3] == 0 {
		p.requested, p.hasReq = le32(v[4:]), true
	}
}

// connectionConfirm reads RDP_NEG_RSP or RDP_NEG_FAILURE. Spec: [MS-RDPBCGR] 2.2.1.2.
func (p *parser) connectionConfirm(v []byte) {
	switch {
	case len(v) >= 8 && v[0] == 0x02:
		p.selected, p.hasSelected = le32(v[4:]), true
		if p.selected != 0 {
			// TLS (and CredSSP) follows: nothing more in clear.
			p.result = "encrypted"
			p.finish()
			p.done[0], p.done[1] = true, true
		}
	case len(v) >= 8 && v[0] == 0x03:
		p.result = failureCode(le32(v[4:]))
		p.env.Weird(weirdNegFailed, p.result)
		p.finish()
	default:
		p.hasSelected = true // no negotiation: standard RDP security
	}
}

// data handles an X.224 data TPDU: MCS Connect-Initial (client) or Connect-Response (server).
// Spec: ITU-T T.125 (MCS, BER), T.124 (GCC, PER), [MS-RDPBCGR] 2.2.1.3 and 2.2.1.4.
func (p *parser) data(dir dissect.Dir, d []byte) {
	if len(d) < 2 || d[0] != 0x7f {
		return
	}
	switch d[1] {
	case 0x65: // Connect-Initial
		if i := bytes.Index(d, []byte("Duca")); i >= 0 {
			p.userData(d[i+4:], true)
		}
	case 0x66: // Connect-Response: result is the first field (ENUMERATED)
		if i := bytes.Index(d, []byte{0x0a, 0x01}); i >= 0 && i+2 < len(d) {
			if d[i+2] == 0 {
				p.result = "Success"
			} else {
				p.result = "rt-unsuccessful"
			}
		}
		if i := bytes.Index(d, []byte("McDn")); i >= 0 {
			p.userData(d[i+4:], false)
		}
		p.finish()
		p.done[0], p.done[1] = true, true
	}
}

// userData walks the GCC user data blocks (after the H.221 key and a PER length).
func (p *parser) userData(b []byte, client bool) {
	if len(b) < 1 {
		return
	}
	if b[0]&0x80 != 0 {
		b = b[min(2, len(b)):]
	} else {
		b = b[1:]
	}
	for len(b) >= 4 {
		typ, l := le16(b), int(le16(b[2:]))
		if l < 4 || l > len(b) {
			return
		}
		blk := b[4:l]
		switch typ {
		case 0xc001: // CS_CORE
			if len(blk) >= 68 {
				p.hasCore = true
				p.width, p.height = le16(blk[4:]), le16(blk[6:])
				p.layout = le32(blk[12:])
				p.build = le32(blk[16:])
				p.clientName = appendUTF16(p.clientName[:0], blk[20:52])
				if len(p.clientName) > 0 {
					p.env.Fact(p.server.Flip(), dissect.AttrHostname, string(p.clientName), "rdp.client_core.client_name")
				}
			}
		case 0xc003: // CS_NET: channelCount(4) then 12-byte CHANNEL_DEFs (name 8 + options 4)
			n := int(le32(blk))
			p.channels = p.channels[:0]
			for i := 0; i < n && i < 31 && 4+12*i+8 <= len(blk); i++ {
				name := blk[4+12*i : 4+12*i+8]
				if j := bytes.IndexByte(name, 0); j >= 0 {
					name = name[:j]
				}
				p.channels = append(p.channels, append([]byte(nil), name...))
			}
		case 0x0c02: // SC_SECURITY: encryptionMethod(4) encryptionLevel(4)
			if len(blk) >= 8 {
				p.encMethod = encryptionMethod(le32(blk))
				p.encLevel = encryptionLevel(le32(blk[4:]))
			}
		}
		b = b[l:]
	}
}

// finish writes the rdp.log record once.
func (p *parser) finish() {
	if p.logged || p.ts == 0 && len(p.cookie) == 0 && !p.hasSelected {
		return
	}
	p.logged = true
	now := p.env.TS
	if p.ts != 0 {
		p.env.TS = p.ts
	}
	r := p.env.Log(logRDP)
	if len(p.cookie) > 0 {
		r.Bytes("cookie", p.cookie)
	}
	if p.result != "" {
		r.Str("result", p.result)
	}
	if p.hasSelected {
		r.Str("security_protocol", securityProtocol(p.selected))
	}
	if p.hasReq {
		r.Array("requested_security_protocols")
		if p.requested == 0 {
			r.ElemStr("RDP")
		}
		for _, f := range []uint32{protoSSL, protoHybrid, protoRDSTLS, protoHybridEx, protoRDSAAD} {
			if p.requested&f != 0 {
				r.ElemStr(securityProtocol(f))
			}
		}
		r.End()
	}
	if len(p.channels) > 0 {
		r.Array("client_channels")
		for _, c := range p.channels {
			r.ElemStr(string(c))
		}
		r.End()
	}
	if p.hasCore {
		if s := keyboardLayout(p.layout); s != "" {
			r.Str("keyboard_layout", s)
		} else {
			p.scratch = append(p.scratch[:0], "unknown-0x"...)
			p.scratch = strconv.AppendUint(p.scratch, uint64(p.layout), 16)
			r.Bytes("keyboard_layout", p.scratch)
		}
		if s := clientBuild(p.build); s != "" {
			r.Str("client_build", s)
		} else {
			p.scratch = append(p.scratch[:0], "unknown-"...)
			p.scratch = strconv.AppendUint(p.scratch, uint64(p.build), 10)
			r.Bytes("client_build", p.scratch)
		}
		r.Bytes("client_name", p.clientName)
		r.Uint("desktop_width", uint64(p.width)).Uint("desktop_height", uint64(p.height))
	}
	if p.encMethod != "" {
		r.Str("encryption_level", p.encLevel).Str("encryption_method", p.encMethod)
	}
	r.Done()
	p.env.TS = now
}

// Gap: the connection sequence is a few small PDUs; after a hole resynchronise on a TPKT.
func (p *parser) Gap(dir dissect.Dir, lost int) { p.resync[dir&1] = true }

// Close logs what was learnt if the sequence did not reach a natural end.
func (p *parser) Close() { p.finish() }

func le16(b []byte) uint16 {
	if len(b) < 2 {
		return 0
	}
	return uint16(b[0]) | uint16(b[1])<<8
}

func le32(b []byte) uint32 {
	if len(b) < 4 {
		return 0
	}
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func appendUTF16(dst, b []byte) []byte {
	for i := 0; i+1 < len(b); i += 2 {
		r := rune(b[i]) | rune(b[i+1])<<8
		if r == 0 {
			break
		}
		if utf16.IsSurrogate(r) {
			r = utf8.RuneError
		}
		dst = utf8.AppendRune(dst, r)
	}
	return dst
}

// Interface guards
var _ dissect.Parser = (*parser)(nil)
