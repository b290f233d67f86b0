package sim

import (
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"strings"
	"unicode/utf16"
)

// BACnet/IP. Spec: ANSI/ASHRAE 135-2020 (Annex J BVLL, clause 6 NPDU, clause 20 encoding).

func bvlc(bcast bool, npdu []byte) []byte {
	fn := byte(0x0a)
	if bcast {
		fn = 0x0b
	}
	return cat([]byte{0x81, fn}, u16(uint16(len(npdu)+4)), npdu)
}

func bacObjID(typ uint16, inst uint32) []byte { return u32(uint32(typ)<<22 | inst&0x3fffff) }

func bacWhoIs() []byte { return bvlc(true, []byte{0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x08}) }

func bacIAm(inst uint32, vendor uint16) []byte {
	return bvlc(true, cat([]byte{0x01, 0x20, 0xff, 0xff, 0x00, 0xff, 0x10, 0x00, 0xc4}, bacObjID(8, inst),
		[]byte{0x22, 0x05, 0xc4, 0x91, 0x03, 0x22}, u16(vendor)))
}

func bacReadProp(invoke byte, typ uint16, inst uint32, prop byte) []byte {
	return bvlc(false, cat([]byte{0x01, 0x04, 0x00, 0x05, invoke, 0x0c, 0x0c}, bacObjID(typ, inst), []byte{0x19, prop}))
}

func bacAppString(s string) []byte {
	n := len(s) + 1
	if n <= 4 {
		return cat([]byte{0x70 | byte(n), 0x00}, []byte(s))
	}
	return cat([]byte{0x75, byte(n), 0x00}, []byte(s))
}

func bacAppReal(v float64) []byte { return cat([]byte{0x44}, f32(v)) }

func bacReadPropAck(invoke byte, typ uint16, inst uint32, prop byte, value []byte) []byte {
	return bvlc(false, cat([]byte{0x01, 0x00, 0x30, invoke, 0x0c, 0x0c}, bacObjID(typ, inst), []byte{0x19, prop, 0x3e}, value, []byte{0x3f}))
}

// BACnet property identifiers.
const (
	propFirmware  = 44
	propModelName = 70
	propObjName   = 77
	propPV        = 85
	propVendor    = 121
)

// OPC UA binary. Spec: OPC 10000-6 §7 (UA TCP, UA Secure Conversation), §5 (encoding).

func uaString(s string) []byte {
	if s == "" {
		return le32(0xffffffff)
	}
	return cat(le32(uint32(len(s))), []byte(s))
}

func uaNodeID4(id uint16) []byte { return cat([]byte{0x01, 0x00}, le16(id)) }

// uaNodeNum is a numeric NodeId (encoding 2: namespace, 32-bit identifier).
func uaNodeNum(ns uint16, id uint32) []byte { return cat([]byte{0x02}, le16(ns), le32(id)) }

func uaTime(t int64) []byte {
	v := uint64(t/100) + 116444736000000000
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, v)
	return b
}

func uaDouble(v float64) []byte {
	b := make([]byte, 8)
	binary.LittleEndian.PutUint64(b, mathFloat64bits(v))
	return b
}

func uaReqHdr(auth []byte, t int64, handle uint32) []byte {
	if auth == nil {
		auth = []byte{0x00, 0x00}
	}
	return cat(auth, uaTime(t), le32(handle), le32(0), le32(0xffffffff), le32(10000), []byte{0, 0, 0})
}

func uaRespHdr(t int64, handle uint32) []byte {
	return cat(uaTime(t), le32(handle), le32(0), []byte{0x00}, le32(0xffffffff), []byte{0, 0, 0})
}

func uaMsg(kind string, body []byte) []byte {
	return cat([]byte(kind), []byte{'F'}, le32(uint32(len(body)+8)), body)
}

func uaHello(url string) []byte {
	return uaMsg("HEL", cat(le32(0), le32(65536), le32(65536), le32(0), le32(0), uaString(url)))
}

func uaAck() []byte {
	return uaMsg("ACK", cat(le32(0), le32(65536), le32(65536), le32(0x1000000), le32(0)))
}

const uaPolicyNone = "http://opcfoundation.org/UA/SecurityPolicy#None"

func uaOpen(chanID, seq, req uint32, body []byte) []byte {
	return uaMsg("OPN", cat(le32(chanID), uaString(uaPolicyNone), le32(0xffffffff), le32(0xffffffff), le32(seq), le32(req), body))
}

func uaOpenReq(t int64) []byte {
	return cat(uaNodeID4(446), uaReqHdr(nil, t, 1), le32(0), le32(0), le32(1), le32(0), le32(3600000))
}

func uaOpenResp(t int64, chanID uint32) []byte {
	return cat(uaNodeID4(449), uaRespHdr(t, 1), le32(0), le32(chanID), le32(1), uaTime(t), le32(3600000), le32(0))
}

func uaMsgChunk(chanID, token, seq, req uint32, body []byte) []byte {
	return uaMsg("MSG", cat(le32(chanID), le32(token), le32(seq), le32(req), body))
}

func uaAppDesc(uri, product, name string, typ uint32) []byte {
	return cat(uaString(uri), uaString(product), []byte{0x02}, uaString(name), le32(typ), uaString(""), uaString(""), le32(0xffffffff))
}

func uaCreateSessionReq(t int64, url, clientURI string) []byte {
	return cat(uaNodeID4(461), uaReqHdr(nil, t, 2), uaAppDesc(clientURI, "urn:historian", "Historian", 1),
		uaString(""), uaString(url), uaString("HistorianSession"), le32(32), make([]byte, 32), le32(0xffffffff),
		uaDouble(1200000), le32(0x1000000))
}

func uaCreateSessionResp(t int64, sess, token uint32, url, serverURI, product, name string) []byte {
	ep := cat(uaString(url), uaAppDesc(serverURI, product, name, 0), le32(0xffffffff), le32(1), uaString(uaPolicyNone),
		le32(1), uaString("username_basic256sha256"), le32(1), uaString(""), uaString(""), uaString("http://opcfoundation.org/UA/SecurityPolicy#Basic256Sha256"),
		uaString("http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary"), []byte{0})
	return cat(uaNodeID4(464), uaRespHdr(t, 2), uaNodeNum(1, sess), uaNodeNum(1, token),
		uaDouble(1200000), le32(32), make([]byte, 32), le32(0xffffffff), le32(1), ep, le32(0), uaString(""), le32(0xffffffff), le32(0x1000000))
}

func uaActivateReq(t int64, token uint32, secret []byte) []byte {
	tok := cat(uaString("username_basic256sha256"), uaString("historian"), le32(uint32(len(secret))), secret,
		uaString("http://www.w3.org/2001/04/xmlenc#rsa-oaep"))
	return cat(uaNodeID4(467), uaReqHdr(uaNodeNum(1, token), t, 3),
		uaString(""), le32(0xffffffff), le32(0), le32(1), uaString("en-US"),
		uaNodeID4(324), []byte{0x01}, le32(uint32(len(tok))), tok, uaString(""), le32(0xffffffff))
}

func uaActivateResp(t int64) []byte {
	return cat(uaNodeID4(470), uaRespHdr(t, 3), le32(32), make([]byte, 32), le32(0), le32(0))
}

func uaReadReq(t int64, token, handle uint32, nodes []uint32) []byte {
	b := cat(uaNodeID4(631), uaReqHdr(uaNodeNum(1, token), t, handle), uaDouble(0), le32(2), le32(uint32(len(nodes))))
	for _, n := range nodes {
		b = append(b, cat(uaNodeNum(2, n), le32(13), uaString(""), le16(0), uaString(""))...)
	}
	return b
}

func uaReadResp(t int64, handle uint32, vals []float64) []byte {
	b := cat(uaNodeID4(634), uaRespHdr(t, handle), le32(uint32(len(vals))))
	for _, v := range vals {
		b = append(b, cat([]byte{0x05, 0x0b}, uaDouble(v), uaTime(t))...)
	}
	return append(b, le32(0)...)
}

// SMB2 with NTLMSSP. Spec: [MS-SMB2] §2.2, [MS-NLMP] §2.2.

func nbss(b []byte) []byte {
	return cat([]byte{0, byte(len(b) >> 16), byte(len(b) >> 8), byte(len(b))}, b)
}

func smb2Hdr(cmd uint16, status uint32, resp bool, msgID uint64, sess uint64) []byte {
	flags := uint32(0)
	credits := uint16(1)
	if resp {
		flags = 1
	}
	m := make([]byte, 8)
	binary.LittleEndian.PutUint64(m, msgID)
	sid := make([]byte, 8)
	binary.LittleEndian.PutUint64(sid, sess)
	return cat([]byte{0xfe, 'S', 'M', 'B'}, le16(64), le16(0), le32(status), le16(cmd), le16(credits),
		le32(flags), le32(0), m, le32(0xfeff), le32(0), sid, make([]byte, 16))
}

func smb2NegReq(guid []byte) []byte {
	dialects := []uint16{0x0202, 0x0210, 0x0300, 0x0302}
	b := cat(le16(36), le16(uint16(len(dialects))), le16(1), le16(0), le32(0x7f), guid, make([]byte, 8))
	for _, d := range dialects {
		b = append(b, le16(d)...)
	}
	return nbss(cat(smb2Hdr(0, 0, false, 0, 0), b))
}

func smb2NegResp(guid []byte, t int64) []byte {
	return nbss(cat(smb2Hdr(0, 0, true, 0, 0), le16(65), le16(1), le16(0x0302), le16(0), guid, le32(0x2f),
		le32(8388608), le32(8388608), le32(8388608), uaTime(t), make([]byte, 8), le16(128), le16(0), le32(0)))
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range utf16.Encode([]rune(s)) {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

func ntlmNegotiate() []byte {
	return cat([]byte("NTLMSSP\x00"), le32(1), le32(0xe0088215), make([]byte, 16))
}

func ntlmAV(id uint16, v []byte) []byte { return cat(le16(id), le16(uint16(len(v))), v) }

func ntlmTargetInfo(domain, host, dnsDomain string, t int64) []byte {
	fq := strings.ToLower(host) + "." + dnsDomain
	return cat(ntlmAV(2, utf16le(domain)), ntlmAV(1, utf16le(host)), ntlmAV(4, utf16le(dnsDomain)),
		ntlmAV(3, utf16le(fq)), ntlmAV(7, uaTime(t)), ntlmAV(0, nil))
}

func ntlmChallenge(domain, host, dnsDomain string, t int64, chal []byte) []byte {
	name := utf16le(domain)
	info := ntlmTargetInfo(domain, host, dnsDomain, t)
	const hl = 56
	return cat([]byte("NTLMSSP\x00"), le32(2), le16(uint16(len(name))), le16(uint16(len(name))), le32(hl),
		le32(0xe28a8215), chal, make([]byte, 8), le16(uint16(len(info))), le16(uint16(len(info))), le32(uint32(hl+len(name))),
		[]byte{10, 0, 0x61, 0x4a, 0, 0, 0, 0x0f}, name, info)
}

func ntlmAuthenticate(domain, user, ws string, info []byte, t int64, rnd []byte) []byte {
	lm := make([]byte, 24)
	nt := cat(rnd[:16], []byte{1, 1, 0, 0, 0, 0, 0, 0}, uaTime(t), rnd[16:24], le32(0), info, le32(0))
	d, u, w := utf16le(domain), utf16le(user), utf16le(ws)
	key := rnd[:16]
	const hl = 88
	off := uint32(hl)
	sb := func(b []byte) []byte {
		r := cat(le16(uint16(len(b))), le16(uint16(len(b))), le32(off))
		off += uint32(len(b))
		return r
	}
	hdr := cat([]byte("NTLMSSP\x00"), le32(3), sb(lm), sb(nt), sb(d), sb(u), sb(w), sb(key), le32(0xe2888215),
		[]byte{10, 0, 0x61, 0x4a, 0, 0, 0, 0x0f}, make([]byte, 16))
	return cat(hdr, lm, nt, d, u, w, key)
}

func smb2SessReq(msgID uint64, sess uint64, blob []byte) []byte {
	return nbss(cat(smb2Hdr(1, 0, false, msgID, sess), le16(25), []byte{0, 1}, le32(1), le32(0), le16(88), le16(uint16(len(blob))), make([]byte, 8), blob))
}

func smb2SessResp(msgID uint64, sess uint64, status uint32, blob []byte) []byte {
	off := uint16(72)
	if len(blob) == 0 {
		off = 0
	}
	b := cat(smb2Hdr(1, status, true, msgID, sess), le16(9), le16(0), le16(off), le16(uint16(len(blob))), blob)
	if len(blob) == 0 {
		b = append(b, 0)
	}
	return nbss(b)
}

// LLDP. Spec: IEEE 802.1AB-2016 §8.
func lldpTLV(typ byte, v []byte) []byte {
	return cat(u16(uint16(typ)<<9|uint16(len(v))), v)
}

func lldpFrame(chassis MAC, port, portDesc, sysName, sysDesc string, mgmt netip.Addr) []byte {
	a := mgmt.As4()
	return cat(
		lldpTLV(1, cat([]byte{4}, chassis[:])),
		lldpTLV(2, cat([]byte{5}, []byte(port))),
		lldpTLV(3, u16(120)),
		lldpTLV(4, []byte(portDesc)),
		lldpTLV(5, []byte(sysName)),
		lldpTLV(6, []byte(sysDesc)),
		lldpTLV(7, []byte{0x00, 0x14, 0x00, 0x14}),
		lldpTLV(8, cat([]byte{5, 1}, a[:], []byte{2}, u32(1), []byte{0})),
		lldpTLV(0, nil),
	)
}

// SNMP v2c. Spec: RFC 3416.
func berOID(oid []uint32) []byte {
	b := []byte{byte(oid[0]*40 + oid[1])}
	for _, v := range oid[2:] {
		var t []byte
		t = append(t, byte(v&0x7f))
		for v >>= 7; v > 0; v >>= 7 {
			t = append([]byte{byte(v&0x7f | 0x80)}, t...)
		}
		b = append(b, t...)
	}
	return ber(0x06, b)
}

var (
	oidSysDescr    = []uint32{1, 3, 6, 1, 2, 1, 1, 1, 0}
	oidSysObjectID = []uint32{1, 3, 6, 1, 2, 1, 1, 2, 0}
	oidSysUpTime   = []uint32{1, 3, 6, 1, 2, 1, 1, 3, 0}
	oidSysName     = []uint32{1, 3, 6, 1, 2, 1, 1, 5, 0}
)

func snmpMsg(community string, pduTag byte, reqID uint32, binds [][]byte) []byte {
	var vb []byte
	for _, b := range binds {
		vb = append(vb, b...)
	}
	return ber(0x30, berUint(0x02, 1), berStr(0x04, community),
		ber(pduTag, berUint(0x02, reqID), berUint(0x02, 0), berUint(0x02, 0), ber(0x30, vb)))
}

func snmpBind(oid []uint32, val []byte) []byte {
	if val == nil {
		val = []byte{0x05, 0x00}
	}
	return ber(0x30, berOID(oid), val)
}

// DNS. Spec: RFC 1035 §4.
func dnsName(n string) []byte {
	var b []byte
	for _, l := range strings.Split(strings.TrimSuffix(n, "."), ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0)
}

func dnsQuery(id uint16, name string, qtype uint16) []byte {
	return cat(u16(id), u16(0x0100), u16(1), u16(0), u16(0), u16(0), dnsName(name), u16(qtype), u16(1))
}

func dnsAnswer(id uint16, name string, addr netip.Addr, rcode uint16) []byte {
	if !addr.IsValid() {
		return cat(u16(id), u16(0x8180|rcode), u16(1), u16(0), u16(0), u16(0), dnsName(name), u16(1), u16(1))
	}
	a := addr.As4()
	return cat(u16(id), u16(0x8180), u16(1), u16(1), u16(0), u16(0), dnsName(name), u16(1), u16(1),
		u16(0xc00c), u16(1), u16(1), u32(300), u16(4), a[:])
}

// DHCP. Spec: RFC 2131, RFC 2132.
func dhcpMsg(op byte, xid uint32, ciaddr, yiaddr, siaddr netip.Addr, chaddr MAC, opts []byte) []byte {
	z := netip.IPv4Unspecified()
	pick := func(a netip.Addr) []byte {
		if !a.IsValid() {
			a = z
		}
		b := a.As4()
		return b[:]
	}
	b := cat([]byte{op, 1, 6, 0}, u32(xid), u16(0), u16(0), pick(ciaddr), pick(yiaddr), pick(siaddr), pick(z),
		chaddr[:], make([]byte, 10), make([]byte, 64), make([]byte, 128), []byte{0x63, 0x82, 0x53, 0x63}, opts, []byte{0xff})
	return b
}

func dhcpOpt(code byte, v []byte) []byte { return cat([]byte{code, byte(len(v))}, v) }

// NTP. Spec: RFC 5905 §7.3.
func ntpPkt(mode byte, stratum byte, t int64, ref netip.Addr) []byte {
	ts := func(t int64) []byte {
		secs := uint32(t/1e9 + 2208988800)
		frac := uint32(uint64(t%1e9) << 32 / 1e9)
		return cat(u32(secs), u32(frac))
	}
	b := []byte{0x20 | mode, stratum, 6, 0xe9}
	if mode == 4 {
		a := ref.As4()
		b[3] = 0xec
		return cat(b, u32(0x00000100), u32(0x00000200), a[:], ts(t-60e9), ts(t-400e3), ts(t-100e3), ts(t))
	}
	return cat([]byte{0x23, 0x00, 6, 0x20}, make([]byte, 36), ts(t))
}

// RDP connection start: X.224 connection request with the mstshash cookie and an RDP
// negotiation request. Spec: [MS-RDPBCGR] §2.2.1.1.
func rdpConnReq(user string) []byte {
	cookie := "Cookie: mstshash=" + user + "\r\n"
	x224 := cat([]byte{byte(6 + len(cookie) + 8), 0xe0, 0, 0, 0, 0, 0}, []byte(cookie), []byte{0x01, 0x00, 0x08, 0x00, 0x03, 0x00, 0x00, 0x00})
	return tpkt(x224)
}

func rdpConnConfirm() []byte {
	return tpkt(cat([]byte{14, 0xd0, 0, 0, 0x12, 0x34, 0}, []byte{0x02, 0x1f, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00}))
}

// SMB2 tree, file and pipe commands ([MS-SMB2] §2.2.9-2.2.32) and connection-oriented
// DCE/RPC over a named pipe ([C706] ch. 12, [MS-RPCE] §2.2.2), for the lateral-movement
// scenario: enough of each for Wireshark to decode every field.

// smb2HdrTree is smb2Hdr with a tree id.
func smb2HdrTree(cmd uint16, resp bool, msgID, sess uint64, tree uint32) []byte {
	h := smb2Hdr(cmd, 0, resp, msgID, sess)
	binary.LittleEndian.PutUint32(h[36:], tree)
	return h
}

const (
	smb2CmdTreeConnect = 3
	smb2CmdCreate      = 5
	smb2CmdClose       = 6
	smb2CmdRead        = 8
	smb2CmdWrite       = 9
	smb2CmdIoctl       = 11
)

func smb2TreeReq(msgID, sess uint64, path string) []byte {
	p := utf16le(path)
	return nbss(cat(smb2HdrTree(smb2CmdTreeConnect, false, msgID, sess, 0), le16(9), le16(0), le16(72), le16(uint16(len(p))), p))
}

// smb2TreeResp answers a tree connect: share type 1 disk, 2 pipe.
func smb2TreeResp(msgID, sess uint64, tree uint32, shareType byte) []byte {
	return nbss(cat(smb2HdrTree(smb2CmdTreeConnect, true, msgID, sess, tree), le16(16), []byte{shareType, 0}, le32(0), le32(0), le32(0x001f01ff)))
}

func smb2CreateReq(msgID, sess uint64, tree uint32, name string, access, options uint32) []byte {
	n := utf16le(name)
	return nbss(cat(smb2HdrTree(smb2CmdCreate, false, msgID, sess, tree), le16(57), []byte{0, 0}, le32(2), make([]byte, 16),
		le32(access), le32(0x80), le32(7), le32(5), le32(options), le16(120), le16(uint16(len(n))), le32(0), le32(0), n))
}

func smb2CreateResp(msgID, sess uint64, tree uint32, fid []byte, wall int64) []byte {
	ts := uaTime(wall)
	return nbss(cat(smb2HdrTree(smb2CmdCreate, true, msgID, sess, tree), le16(89), []byte{0, 0}, le32(2),
		ts, ts, ts, ts, make([]byte, 16), le32(0x80), le32(0), fid, le32(0), le32(0)))
}

func smb2WriteReq(msgID, sess uint64, tree uint32, fid []byte, data []byte) []byte {
	return nbss(cat(smb2HdrTree(smb2CmdWrite, false, msgID, sess, tree), le16(49), le16(112), le32(uint32(len(data))), make([]byte, 8),
		fid, le32(0), le32(0), le16(0), le16(0), le32(0), data))
}

func smb2WriteResp(msgID, sess uint64, tree uint32, n int) []byte {
	return nbss(cat(smb2HdrTree(smb2CmdWrite, true, msgID, sess, tree), le16(17), le16(0), le32(uint32(n)), le32(0), le16(0), le16(0)))
}

func smb2ReadReq(msgID, sess uint64, tree uint32, fid []byte) []byte {
	return nbss(cat(smb2HdrTree(smb2CmdRead, false, msgID, sess, tree), le16(49), []byte{0x50, 0}, le32(1024), make([]byte, 8),
		fid, le32(0), le32(0), le32(0), le16(0), le16(0), []byte{0}))
}

func smb2ReadResp(msgID, sess uint64, tree uint32, data []byte) []byte {
	return nbss(cat(smb2HdrTree(smb2CmdRead, true, msgID, sess, tree), le16(17), []byte{80, 0}, le32(uint32(len(data))), le32(0), le32(0), data))
}

// fsctlPipeTransceive is the IOCTL that writes a request to a pipe and reads its answer.
const fsctlPipeTransceive = 0x0011c017

func smb2IoctlReq(msgID, sess uint64, tree uint32, fid []byte, in []byte) []byte {
	return nbss(cat(smb2HdrTree(smb2CmdIoctl, false, msgID, sess, tree), le16(57), le16(0), le32(fsctlPipeTransceive), fid,
		le32(120), le32(uint32(len(in))), le32(0), le32(0), le32(0), le32(4280), le32(1), le32(0), in))
}

func smb2IoctlResp(msgID, sess uint64, tree uint32, fid []byte, out []byte) []byte {
	return nbss(cat(smb2HdrTree(smb2CmdIoctl, true, msgID, sess, tree), le16(49), le16(0), le32(fsctlPipeTransceive), fid,
		le32(112), le32(0), le32(112), le32(uint32(len(out))), le32(0), le32(0), out))
}

func smb2CloseReq(msgID, sess uint64, tree uint32, fid []byte) []byte {
	return nbss(cat(smb2HdrTree(smb2CmdClose, false, msgID, sess, tree), le16(24), le16(0), le32(0), fid))
}

func smb2CloseResp(msgID, sess uint64, tree uint32) []byte {
	return nbss(cat(smb2HdrTree(smb2CmdClose, true, msgID, sess, tree), le16(60), le16(0), le32(0), make([]byte, 56)))
}

// rpcUUID encodes a UUID in DCE/RPC's little-endian field order.
func rpcUUID(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, "-", ""))
	if err != nil || len(b) != 16 {
		panic("sim: bad UUID " + s)
	}
	return cat([]byte{b[3], b[2], b[1], b[0], b[5], b[4], b[7], b[6]}, b[8:])
}

// ndrSyntax is the NDR transfer syntax, version 2.
var ndrSyntax = cat(rpcUUID("8a885d04-1ceb-11c9-9fe8-08002b104860"), le32(2))

// rpcPDU is a whole fragment: common header (version 5.0, little-endian data) and body.
func rpcPDU(ptype byte, callID uint32, body []byte) []byte {
	return cat([]byte{5, 0, ptype, 3, 0x10, 0, 0, 0}, le16(uint16(16+len(body))), le16(0), le32(callID), body)
}

func rpcBind(callID uint32, iface string, ver uint16) []byte {
	return rpcPDU(11, callID, cat(le16(4280), le16(4280), le32(0), []byte{1, 0, 0, 0},
		le16(0), []byte{1, 0}, rpcUUID(iface), le16(ver), le16(0), ndrSyntax))
}

func rpcBindAck(callID uint32, secAddr string) []byte {
	a := cat(le16(uint16(len(secAddr)+1)), []byte(secAddr), []byte{0})
	for (16+8+len(a))%4 != 0 {
		a = append(a, 0)
	}
	return rpcPDU(12, callID, cat(le16(4280), le16(4280), le32(0x12345), a, []byte{1, 0, 0, 0}, le16(0), le16(0), ndrSyntax))
}

func rpcRequest(callID uint32, opnum uint16, stub []byte) []byte {
	return rpcPDU(0, callID, cat(le32(uint32(len(stub))), le16(0), le16(opnum), stub))
}

func rpcResponse(callID uint32, stub []byte) []byte {
	return rpcPDU(2, callID, cat(le32(uint32(len(stub))), le16(0), []byte{0, 0}, stub))
}

// ndrString is a conformant varying UTF-16 string with its terminating NUL, padded to 4.
func ndrString(s string) []byte {
	n := uint32(len(utf16.Encode([]rune(s))) + 1)
	b := cat(le32(n), le32(0), le32(n), utf16le(s), []byte{0, 0})
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

// svcctl ([MS-SCMR] §3.1.4) stubs: OpenSCManagerW (15), CreateServiceW (12), StartServiceW
// (19), CloseServiceHandle (0).
const svcctlUUID = "367abb81-9844-35f1-ad32-98f038001003"

func scmOpenReq(machine string) []byte {
	return cat(le32(0x00020000), ndrString(machine), le32(0), le32(0x000f003f))
}

func scmHandleResp(h []byte) []byte { return cat(h, le32(0)) }

func scmCreateReq(scm []byte, name, binPath string) []byte {
	return cat(scm, ndrString(name), le32(0x00020000), ndrString(name),
		le32(0x000f01ff), le32(0x10), le32(3), le32(1), ndrString(binPath),
		le32(0), le32(0), le32(0), le32(0), le32(0), le32(0), le32(0))
}

func scmCreateResp(svc []byte) []byte { return cat(le32(0), svc, le32(0)) }

func scmStartReq(svc []byte) []byte { return cat(svc, le32(0), le32(0)) }

func scmCloseReq(h []byte) []byte { return h }

func scmCloseResp() []byte { return cat(make([]byte, 20), le32(0)) }

// SMB1 ([MS-CIFS] §2.2), OEM strings, for the DoublePulsar scenario: negotiate, an anonymous
// session, a tree connect to IPC$ and the implant's TRANS2_SESSION_SETUP ping.

func smb1Hdr(cmd byte, reply bool, status uint32, tid, uid, mid uint16) []byte {
	flags := byte(0x18) // case-insensitive paths, canonicalized
	if reply {
		flags |= 0x80
	}
	return cat([]byte{0xff, 'S', 'M', 'B', cmd}, le32(status), []byte{flags}, le16(0x4001), // NT status, long names; OEM strings
		le16(0), make([]byte, 8), le16(0), le16(tid), le16(0xfeff), le16(uid), le16(mid))
}

// smb1Msg is a header, the parameter words and the data bytes.
func smb1Msg(hdr, words, data []byte) []byte {
	return nbss(cat(hdr, []byte{byte(len(words) / 2)}, words, le16(uint16(len(data))), data))
}

func smb1NegReq(mid uint16) []byte {
	return smb1Msg(smb1Hdr(0x72, false, 0, 0, 0, mid), nil, []byte("\x02NT LM 0.12\x00"))
}

// smb1NegResp chooses NT LM 0.12 with user-level security and an 8-byte challenge.
func smb1NegResp(mid uint16, chal []byte, t int64, domain string) []byte {
	words := cat(le16(0), []byte{0x03}, le16(50), le16(1), le32(16644), le32(65536), le32(0), le32(0x0000e3fc),
		uaTime(t), le16(0), []byte{byte(len(chal))})
	return smb1Msg(smb1Hdr(0x72, true, 0, 0, 0, mid), words, cat(chal, []byte(domain), []byte{0}))
}

// smb1SessReq is an anonymous SESSION_SETUP_ANDX (no passwords, no account).
func smb1SessReq(mid uint16) []byte {
	words := cat([]byte{0xff, 0}, le16(0), le16(4356), le16(10), le16(0), le32(0), le16(0), le16(0), le32(0), le32(0x000000d4))
	return smb1Msg(smb1Hdr(0x73, false, 0, 0, 0, mid), words, []byte("\x00\x00Windows 2000 2195\x00Windows 2000 5.0\x00"))
}

func smb1SessResp(mid, uid uint16) []byte {
	words := cat([]byte{0xff, 0}, le16(0), le16(1)) // logged on as guest
	return smb1Msg(smb1Hdr(0x73, true, 0, 0, uid, mid), words, []byte("Windows Server 2008 R2 7601\x00Windows Server 2008 R2 6.1\x00OPS\x00"))
}

func smb1TreeReq(mid, uid uint16, path string) []byte {
	words := cat([]byte{0xff, 0}, le16(0), le16(0), le16(1))
	return smb1Msg(smb1Hdr(0x75, false, 0, 0, uid, mid), words, cat([]byte{0}, []byte(path), []byte{0}, []byte("?????\x00")))
}

func smb1TreeResp(mid, tid, uid uint16) []byte {
	words := cat([]byte{0xff, 0}, le16(0), le16(1))
	return smb1Msg(smb1Hdr(0x75, true, 0, tid, uid, mid), words, []byte("IPC\x00\x00"))
}

// smb1Trans2SessionSetup is DoublePulsar's ping: TRANS2 with the reserved SESSION_SETUP
// subcommand, 12 parameter bytes, the timeout the implant reads its command from.
func smb1Trans2SessionSetup(mid, tid, uid uint16, params []byte) []byte {
	const paramOff = 32 + 1 + 30 + 2 + 1
	words := cat(le16(uint16(len(params))), le16(0), le16(1), le16(0), []byte{0, 0}, le16(0), le32(0x0134ee00), le16(0),
		le16(uint16(len(params))), le16(paramOff), le16(0), le16(uint16(paramOff+len(params))), []byte{1, 0}, le16(0x000e))
	return smb1Msg(smb1Hdr(0x32, false, 0, tid, uid, mid), words, cat([]byte{0}, params))
}

// smb1Error is an error answer: no words, no bytes.
func smb1Error(cmd byte, status uint32, mid, tid, uid uint16) []byte {
	return smb1Msg(smb1Hdr(cmd, true, status, tid, uid, mid), nil, nil)
}

// SMB1 named-pipe calls, for the Conficker scenario: NT_CREATE_ANDX of a pipe on IPC$ and
// TRANSACTION with the TransactNmPipe subcommand carrying DCE/RPC ([MS-CIFS] §2.2.4.64,
// §2.2.4.33, §2.2.5.6).

// smb1PipeOpenReq opens pipe name (OEM, "\srvsvc") for reading and writing.
func smb1PipeOpenReq(mid, tid, uid uint16, name string) []byte {
	words := cat([]byte{0xff, 0}, le16(0), []byte{0}, le16(uint16(len(name))), le32(0), le32(0), le32(0x0002019f),
		le64(0), le32(0), le32(3), le32(1), le32(0), le32(2), []byte{0})
	return smb1Msg(smb1Hdr(0xa2, false, 0, tid, uid, mid), words, cat([]byte(name), []byte{0}))
}

// smb1PipeOpenResp answers with fid, a named pipe in message mode.
func smb1PipeOpenResp(mid, tid, uid, fid uint16) []byte {
	words := cat([]byte{0xff, 0}, le16(0), []byte{0}, le16(fid), le32(1), make([]byte, 32), le32(0x80),
		le64(4096), le64(0), le16(2), le16(0x05ff), []byte{0})
	return smb1Msg(smb1Hdr(0xa2, true, 0, tid, uid, mid), words, nil)
}

// smb1TransactPipeReq writes data to pipe fid and reads the answer in one TRANSACTION.
func smb1TransactPipeReq(mid, tid, uid, fid uint16, data []byte) []byte {
	const name = "\\PIPE\\\x00"
	off := 32 + 1 + 32 + 2 + len(name)
	pad := (4 - off%4) % 4
	off += pad
	words := cat(le16(0), le16(uint16(len(data))), le16(0), le16(4280), []byte{0, 0}, le16(0), le32(0), le16(0),
		le16(0), le16(uint16(off)), le16(uint16(len(data))), le16(uint16(off)), []byte{2, 0}, le16(0x0026), le16(fid))
	return smb1Msg(smb1Hdr(0x25, false, 0, tid, uid, mid), words, cat([]byte(name), make([]byte, pad), data))
}

// smb1TransactPipeResp carries the pipe's answer.
func smb1TransactPipeResp(mid, tid, uid uint16, data []byte) []byte {
	off := 32 + 1 + 20 + 2
	pad := (4 - off%4) % 4
	off += pad
	words := cat(le16(0), le16(uint16(len(data))), le16(0), le16(0), le16(uint16(off)), le16(0),
		le16(uint16(len(data))), le16(uint16(off)), le16(0), []byte{0, 0})
	return smb1Msg(smb1Hdr(0x25, true, 0, tid, uid, mid), words, cat(make([]byte, pad), data))
}

// srvsvc ([MS-SRVS] §3.1.4.30): NetprPathCanonicalize (opnum 31), the call MS08-067 exploits.
const srvsvcUUID = "4b324fc8-1670-01d3-1278-5a47bf6ee188"

// netprPathCanonicalizeReq: ServerName (unique), PathName, OutbufLen, Prefix, PathType, Flags.
func netprPathCanonicalizeReq(server, path string) []byte {
	return cat(le32(0x00020000), ndrString(server), ndrString(path), le32(1000), ndrString(`\`), le32(1), le32(0))
}

// rpcFault answers call callID with a DCE/RPC fault status (C706 §12.6.4.7).
func rpcFault(callID uint32, status uint32) []byte {
	return rpcPDU(3, callID, cat(le32(32), le16(0), []byte{0, 0}, le32(status), le32(0)))
}
