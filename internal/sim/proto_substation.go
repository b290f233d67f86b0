package sim

// DNP3. Spec: IEEE 1815-2012 (link layer §9, transport §8, application §4).

var dnpCRCTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i)
		for j := 0; j < 8; j++ {
			if c&1 != 0 {
				c = c>>1 ^ 0xa6bc
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return
}()

func dnpCRC(b []byte) []byte {
	var c uint16
	for _, x := range b {
		c = c>>8 ^ dnpCRCTable[(c^uint16(x))&0xff]
	}
	c = ^c
	return []byte{byte(c), byte(c >> 8)}
}

// dnpFrame builds a link frame carrying user data (transport header + application
// fragment), with a CRC after the header and after every 16-byte block.
func dnpFrame(ctrl byte, dst, src uint16, user []byte) []byte {
	h := cat([]byte{0x05, 0x64, byte(5 + len(user)), ctrl}, le16(dst), le16(src))
	b := cat(h, dnpCRC(h))
	for len(user) > 0 {
		n := min(16, len(user))
		b = append(b, user[:n]...)
		b = append(b, dnpCRC(user[:n])...)
		user = user[n:]
	}
	return b
}

// dnpApp frames one application fragment in a single transport segment.
func dnpApp(fromMaster bool, dst, src uint16, tseq byte, app []byte) []byte {
	ctrl := byte(0x44)
	if fromMaster {
		ctrl = 0xc4
	}
	return dnpFrame(ctrl, dst, src, cat([]byte{0xc0 | tseq&0x3f}, app))
}

// Application requests (master → outstation).
func dnpIntegrityPoll(seq byte) []byte {
	return []byte{0xc0 | seq&15, 0x01, 0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06, 0x3c, 0x01, 0x06}
}
func dnpClassPoll(seq byte) []byte {
	return []byte{0xc0 | seq&15, 0x01, 0x3c, 0x02, 0x06, 0x3c, 0x03, 0x06, 0x3c, 0x04, 0x06}
}
func dnpAttrRead(seq byte) []byte {
	return []byte{0xc0 | seq&15, 0x01, 0x00, 0xfc, 0x00, 0x00, 0x00, 0x00, 0xfa, 0x00, 0x00, 0x00,
		0x00, 0xf2, 0x00, 0x00, 0x00, 0x00, 0xf8, 0x00, 0x00, 0x00}
}
func dnpColdRestart(seq byte) []byte { return []byte{0xc0 | seq&15, 0x0d} }

// dnpResp is a solicited response with IIN bits and objects.
func dnpResp(seq byte, iin1, iin2 byte, objs []byte) []byte {
	return cat([]byte{0xc0 | seq&15, 0x81, iin1, iin2}, objs)
}

// dnpAnalogs is g30v1 (32-bit analog input with flag), qualifier 0x00, indexes 0..n-1.
func dnpAnalogs(vals []int32) []byte {
	b := []byte{0x1e, 0x01, 0x00, 0x00, byte(len(vals) - 1)}
	for _, v := range vals {
		b = append(b, 0x01)
		b = append(b, le32(uint32(v))...)
	}
	return b
}

// dnpBinaries is g1v2 (binary input with flags).
func dnpBinaries(vals []bool) []byte {
	b := []byte{0x01, 0x02, 0x00, 0x00, byte(len(vals) - 1)}
	for _, v := range vals {
		f := byte(0x01)
		if v {
			f |= 0x80
		}
		b = append(b, f)
	}
	return b
}

// dnpAttrs is the answer to dnpAttrRead: group 0 device attributes as visible strings.
func dnpAttrs(vendor, model, fw, serial string) []byte {
	a := func(v byte, s string) []byte {
		return cat([]byte{0x00, v, 0x00, 0x00, 0x00, 0x01, byte(len(s))}, []byte(s))
	}
	return cat(a(0xfc, vendor), a(0xfa, model), a(0xf2, fw), a(0xf8, serial))
}

// IEC 60870-5-104. Spec: IEC 60870-5-104 §5 (APCI), IEC 60870-5-101 §7 (ASDU).

func i104U(code byte) []byte { return []byte{0x68, 0x04, code, 0, 0, 0} }
func i104S(nr uint16) []byte {
	return cat([]byte{0x68, 0x04, 0x01, 0x00}, le16(nr<<1))
}
func i104I(ns, nr uint16, asdu []byte) []byte {
	return cat([]byte{0x68, byte(4 + len(asdu))}, le16(ns<<1), le16(nr<<1), asdu)
}

const (
	startdtAct = 0x07
	startdtCon = 0x0b
	testfrAct  = 0x43
	testfrCon  = 0x83
)

// asdu builds an ASDU with one or more information objects (SQ=0).
func asdu(typ byte, cot byte, ca uint16, objs ...[]byte) []byte {
	return cat([]byte{typ, byte(len(objs)), cot, 0x00}, le16(ca), cat(objs...))
}

func ioa(a uint32, info ...byte) []byte {
	return cat([]byte{byte(a), byte(a >> 8), byte(a >> 16)}, info)
}

// MMS over ISO (ISO 8073 COTP, ISO 8327 session, ISO 8823 presentation, ACSE). Spec:
// ISO 9506-2; IEC 61850-8-1 §A for the stack profile.

func berLen(n int) []byte {
	switch {
	case n < 0x80:
		return []byte{byte(n)}
	case n < 0x100:
		return []byte{0x81, byte(n)}
	}
	return []byte{0x82, byte(n >> 8), byte(n)}
}

func ber(tag byte, content ...[]byte) []byte {
	c := cat(content...)
	return cat([]byte{tag}, berLen(len(c)), c)
}

func berStr(tag byte, s string) []byte { return ber(tag, []byte(s)) }

func berUint(tag byte, v uint32) []byte {
	b := []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}
	for len(b) > 1 && b[0] == 0 && b[1]&0x80 == 0 {
		b = b[1:]
	}
	if b[0]&0x80 != 0 {
		b = append([]byte{0}, b...)
	}
	return ber(tag, b)
}

var (
	oidACSE    = []byte{0x06, 0x04, 0x52, 0x01, 0x00, 0x01}       // 2.2.1.0.1
	oidMMSAbs  = []byte{0x06, 0x05, 0x28, 0xca, 0x22, 0x02, 0x01} // 1.0.9506.2.1
	oidBER     = []byte{0x06, 0x02, 0x51, 0x01}                   // 2.1.1
	mmsAppCtx  = ber(0xa1, []byte{0x06, 0x05, 0x28, 0xca, 0x22, 0x02, 0x03})
	sessParams = []byte{0x05, 0x06, 0x13, 0x01, 0x00, 0x16, 0x01, 0x02, 0x14, 0x02, 0x00, 0x02}
)

func mmsUserInfo(pdu []byte) []byte {
	return ber(0xbe, ber(0x28, oidBER, berUint(0x02, 3), ber(0xa0, pdu)))
}

func presData(ctx uint32, apdu []byte) []byte {
	return ber(0x61, ber(0x30, berUint(0x02, ctx), ber(0xa0, apdu)))
}

func spdu(si byte, params, user []byte) []byte {
	p := cat(params, []byte{0xc1})
	if len(user) < 255 {
		p = append(p, byte(len(user)))
	} else {
		p = append(p, 0xff, byte(len(user)>>8), byte(len(user)))
	}
	p = append(p, user...)
	if len(p) < 255 {
		return cat([]byte{si, byte(len(p))}, p)
	}
	return cat([]byte{si, 0xff, byte(len(p) >> 8), byte(len(p))}, p)
}

var mmsInitDetail = ber(0xa4, []byte{0x80, 0x01, 0x01}, []byte{0x81, 0x03, 0x05, 0xf1, 0x00},
	[]byte{0x82, 0x0c, 0x03, 0xee, 0x1c, 0x00, 0x00, 0x04, 0x08, 0x00, 0x00, 0x79, 0xef, 0x18})

func mmsConnect() []byte {
	initReq := ber(0xa8, berUint(0x80, 65000), berUint(0x81, 5), berUint(0x82, 5), berUint(0x83, 10), mmsInitDetail)
	aarq := ber(0x60, mmsAppCtx, mmsUserInfo(initReq))
	cp := ber(0x31,
		ber(0xa0, []byte{0x80, 0x01, 0x01}),
		ber(0xa2,
			berStr(0x81, "\x00\x00\x00\x01"), berStr(0x82, "\x00\x00\x00\x01"),
			ber(0xa4,
				ber(0x30, berUint(0x02, 1), oidACSE, ber(0x30, oidBER)),
				ber(0x30, berUint(0x02, 3), oidMMSAbs, ber(0x30, oidBER))),
			presData(1, aarq)))
	return cotpDT(spdu(0x0d, sessParams, cp))
}

func mmsAccept() []byte {
	initResp := ber(0xa9, berUint(0x80, 65000), berUint(0x81, 5), berUint(0x82, 5), berUint(0x83, 10), mmsInitDetail)
	aare := ber(0x61, mmsAppCtx, ber(0xa2, berUint(0x02, 0)), ber(0xa3, ber(0xa1, berUint(0x02, 0))), mmsUserInfo(initResp))
	cpa := ber(0x31, ber(0xa0, []byte{0x80, 0x01, 0x01}), ber(0xa2, berStr(0x83, "\x00\x00\x00\x01"),
		ber(0xa5, ber(0x30, []byte{0x80, 0x01, 0x00}, []byte{0x81, 0x02, 0x51, 0x01}), ber(0x30, []byte{0x80, 0x01, 0x00}, []byte{0x81, 0x02, 0x51, 0x01})),
		presData(1, aare)))
	return cotpDT(spdu(0x0e, sessParams, cpa))
}

// mmsData sends an MMS PDU in a session GIVE-TOKENS + DATA-TRANSFER SPDU pair.
func mmsData(pdu []byte) []byte {
	return cotpDT(cat([]byte{0x01, 0x00, 0x01, 0x00}, presData(3, pdu)))
}

func mmsConfReq(id uint32, svc []byte) []byte  { return ber(0xa0, berUint(0x02, id), svc) }
func mmsConfResp(id uint32, svc []byte) []byte { return ber(0xa1, berUint(0x02, id), svc) }

var mmsIdentifyReq = []byte{0x82, 0x00}

func mmsIdentifyResp(vendor, model, rev string) []byte {
	return ber(0xa2, berStr(0x80, vendor), berStr(0x81, model), berStr(0x82, rev))
}

func mmsGetNameListReq(class uint32, domain string) []byte {
	if domain == "" {
		return ber(0xa1, ber(0xa0, berUint(0x80, class)), ber(0xa1, []byte{0x80, 0x00}))
	}
	return ber(0xa1, ber(0xa0, berUint(0x80, class)), ber(0xa1, berStr(0x81, domain)))
}

func mmsGetNameListResp(names []string) []byte {
	var l []byte
	for _, n := range names {
		l = append(l, berStr(0x1a, n)...)
	}
	return ber(0xa1, ber(0xa0, l), []byte{0x81, 0x01, 0x00})
}

func mmsReadReq(domain, item string) []byte {
	name := ber(0xa1, berStr(0x1a, domain), berStr(0x1a, item))
	return ber(0xa4, ber(0xa1, ber(0xa0, ber(0x30, ber(0xa0, name)))))
}

func mmsReadResp(v float64) []byte {
	return ber(0xa4, ber(0xa1, ber(0xa2, cat([]byte{0x87, 0x05, 0x08}, f32(v)), []byte{0x84, 0x03, 0x06, 0x00, 0x00})))
}

// GOOSE. Spec: IEC 61850-8-1 §A (Ethertype 0x88B8).
func goosePDU(appID uint16, gocb, dataset, goID string, t int64, stNum, sqNum, confRev uint32, vals []bool) []byte {
	ts := make([]byte, 8)
	secs := uint32(t / 1e9)
	frac := uint32(uint64(t%1e9) << 24 / 1e9)
	copy(ts, u32(secs))
	ts[4], ts[5], ts[6] = byte(frac>>16), byte(frac>>8), byte(frac)
	ts[7] = 0x0a
	var data []byte
	for _, v := range vals {
		b := byte(0)
		if v {
			b = 1
		}
		data = append(data, 0x83, 0x01, b)
		data = append(data, 0x84, 0x03, 0x03, 0x00, 0x00)
	}
	pdu := ber(0x61,
		berStr(0x80, gocb), berUint(0x81, 2000), berStr(0x82, dataset), berStr(0x83, goID),
		ber(0x84, ts), berUint(0x85, stNum), berUint(0x86, sqNum), []byte{0x87, 0x01, 0x00},
		berUint(0x88, confRev), []byte{0x89, 0x01, 0x00}, berUint(0x8a, uint32(2*len(vals))), ber(0xab, data))
	return cat(u16(appID), u16(uint16(8+len(pdu))), []byte{0, 0, 0, 0}, pdu)
}
