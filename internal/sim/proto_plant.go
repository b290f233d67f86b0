package sim

import (
	"encoding/binary"
	"math"
	"net/netip"
)

// Modbus/TCP. Spec: MODBUS Application Protocol V1.1b3; MODBUS Messaging on TCP/IP V1.0b.

func mbap(tid uint16, unit byte, pdu []byte) []byte {
	return cat(u16(tid), u16(0), u16(uint16(len(pdu)+1)), []byte{unit}, pdu)
}

func mbReadReq(fc byte, addr, qty uint16) []byte { return cat([]byte{fc}, u16(addr), u16(qty)) }

func mbReadResp(fc byte, regs []uint16) []byte {
	b := []byte{fc, byte(2 * len(regs))}
	for _, r := range regs {
		b = append(b, u16(r)...)
	}
	return b
}

// mbDevIDReq is FC 43 / MEI 14 Read Device Identification, regular category (code 2).
func mbDevIDReq() []byte { return []byte{0x2b, 0x0e, 0x02, 0x00} }

// mbDevIDResp answers with objects 0–5: vendor, product code, revision, URL, product name,
// model name (spec §6.21; conformity level 0x82: regular, stream and individual access).
func mbDevIDResp(vendor, code, rev, url, product, model string) []byte {
	objs := []string{vendor, code, rev, url, product, model}
	b := []byte{0x2b, 0x0e, 0x02, 0x82, 0x00, 0x00, byte(len(objs))}
	for i, o := range objs {
		b = append(b, byte(i), byte(len(o)))
		b = append(b, o...)
	}
	return b
}

// S7comm over ISO-on-TCP (RFC 1006 TPKT, ISO 8073 COTP class 0). Layouts follow the
// Wireshark s7comm dissector (Siemens publishes no specification).

func tpkt(b []byte) []byte { return cat([]byte{3, 0}, u16(uint16(len(b)+4)), b) }

func cotpDT(b []byte) []byte { return tpkt(cat([]byte{0x02, 0xf0, 0x80}, b)) }

func cotpCR(srcRef, srcTSAP, dstTSAP uint16) []byte {
	return tpkt(cat([]byte{0x11, 0xe0, 0, 0}, u16(srcRef), []byte{0x00, 0xc0, 0x01, 0x0a, 0xc1, 0x02}, u16(srcTSAP), []byte{0xc2, 0x02}, u16(dstTSAP)))
}

func cotpCC(dstRef, srcRef, srcTSAP, dstTSAP uint16) []byte {
	return tpkt(cat([]byte{0x11, 0xd0}, u16(dstRef), u16(srcRef), []byte{0x00, 0xc0, 0x01, 0x0a, 0xc1, 0x02}, u16(srcTSAP), []byte{0xc2, 0x02}, u16(dstTSAP)))
}

func s7Job(ref uint16, param, data []byte) []byte {
	return cotpDT(cat([]byte{0x32, 0x01, 0, 0}, u16(ref), u16(uint16(len(param))), u16(uint16(len(data))), param, data))
}

func s7AckData(ref uint16, param, data []byte) []byte {
	return cotpDT(cat([]byte{0x32, 0x03, 0, 0}, u16(ref), u16(uint16(len(param))), u16(uint16(len(data))), []byte{0, 0}, param, data))
}

func s7UserData(ref uint16, param, data []byte) []byte {
	return cotpDT(cat([]byte{0x32, 0x07, 0, 0}, u16(ref), u16(uint16(len(param))), u16(uint16(len(data))), param, data))
}

var s7Setup = []byte{0xf0, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0xe0}

// s7SZLReq is a User-Data "read SZL" request.
func s7SZLReq(ref uint16, seq byte, id, index uint16) []byte {
	return s7UserData(ref, []byte{0x00, 0x01, 0x12, 0x04, 0x11, 0x44, 0x01, seq},
		cat([]byte{0xff, 0x09, 0x00, 0x04}, u16(id), u16(index)))
}

func s7SZLResp(ref uint16, seq byte, id, index, entryLen uint16, entries [][]byte) []byte {
	list := cat(u16(id), u16(index), u16(entryLen), u16(uint16(len(entries))))
	for _, e := range entries {
		list = append(list, e...)
	}
	return s7UserData(ref, []byte{0x00, 0x01, 0x12, 0x08, 0x12, 0x84, 0x01, seq, 0x00, 0x00, 0x00, 0x00},
		cat([]byte{0xff, 0x09}, u16(uint16(len(list))), list))
}

// szl11 is the module identification list: order number, hardware and firmware entries.
func szl11(mlfb string, hw uint16, fw [3]byte) [][]byte {
	e := func(idx uint16, tail []byte) []byte { return cat(u16(idx), padText(mlfb, 20, ' '), tail) }
	return [][]byte{
		e(1, []byte{0x00, 0xc0, 0x00, byte(hw), 0x00, byte(hw)}),
		e(6, []byte{0x00, 0xc0, 0x00, byte(hw), 0x00, byte(hw)}),
		e(7, []byte{0x00, 0xc0, 'V', fw[0], fw[1], fw[2]}),
	}
}

// szl1C is the component identification list.
func szl1C(system, module, plant, serial, typ string) [][]byte {
	e := func(idx uint16, s string) []byte { return cat(u16(idx), padText(s, 32, 0)) }
	return [][]byte{
		e(1, system), e(2, module), e(3, plant),
		e(4, "Original Siemens Equipment"), e(5, serial), e(7, typ),
	}
}

func s7ReadVarReq(ref uint16, db uint16, off uint32, n uint16) []byte {
	item := cat([]byte{0x12, 0x0a, 0x10, 0x02}, u16(n), u16(db), []byte{0x84}, []byte{byte(off * 8 >> 16), byte(off * 8 >> 8), byte(off * 8)})
	return s7Job(ref, cat([]byte{0x04, 0x01}, item), nil)
}

func s7ReadVarResp(ref uint16, data []byte) []byte {
	d := cat([]byte{0xff, 0x04}, u16(uint16(len(data)*8)), data)
	if len(data)%2 == 1 {
		d = append(d, 0)
	}
	return s7AckData(ref, []byte{0x04, 0x01}, d)
}

// EtherNet/IP and CIP. Spec: ODVA CIP Vol. 2 (EtherNet/IP adaptation) §2-3, Vol. 1 §5A.

func enipHdr(cmd uint16, session uint32, ctx uint64, data []byte) []byte {
	c := make([]byte, 8)
	binary.LittleEndian.PutUint64(c, ctx)
	return cat(le16(cmd), le16(uint16(len(data))), le32(session), le32(0), c, le32(0), data)
}

// cipIdentity is the body of an Identity object instance: vendor, device type, product
// code, revision, status, serial, product name.
type cipIdentity struct {
	vendor, devType, product uint16
	major, minor             byte
	serial                   uint32
	name                     string
}

func (id cipIdentity) attrs() []byte {
	return cat(le16(id.vendor), le16(id.devType), le16(id.product), []byte{id.major, id.minor},
		le16(0x0060), le32(id.serial), []byte{byte(len(id.name))}, []byte(id.name))
}

func enipListIdentityResp(ctx uint64, ip netip.Addr, id cipIdentity) []byte {
	a := ip.As4()
	item := cat(le16(1), u16(2), u16(44818), a[:], make([]byte, 8), id.attrs(), []byte{0x03})
	return enipHdr(0x63, 0, ctx, cat(le16(1), le16(0x0c), le16(uint16(len(item))), item))
}

// enipRR wraps an unconnected CIP message in SendRRData.
func enipRR(session uint32, ctx uint64, cip []byte) []byte {
	return enipHdr(0x6f, session, ctx, cat(le32(0), le16(10), le16(2), le16(0), le16(0), le16(0xb2), le16(uint16(len(cip))), cip))
}

// enipUnit wraps a connected CIP message in SendUnitData.
func enipUnit(session uint32, connID uint32, seq uint16, cip []byte) []byte {
	return enipHdr(0x70, session, 0, cat(le32(0), le16(0), le16(2), le16(0xa1), le16(4), le32(connID),
		le16(0xb1), le16(uint16(len(cip)+2)), le16(seq), cip))
}

var cipGetIdentity = []byte{0x01, 0x02, 0x20, 0x01, 0x24, 0x01}

func cipReadTag(name string) []byte {
	p := cat([]byte{0x91, byte(len(name))}, []byte(name))
	if len(p)%2 == 1 {
		p = append(p, 0)
	}
	return cat([]byte{0x4c, byte(len(p) / 2)}, p, le16(1))
}

func cipReadTagResp(v int32) []byte {
	return cat([]byte{0xcc, 0, 0, 0}, le16(0xc4), le32(uint32(v)))
}

func cipForwardOpen(otID, toID uint32, serial uint16, origSerial uint32, rpi uint32) []byte {
	d := cat([]byte{0x0a, 0x0e}, le32(otID), le32(toID), le16(serial), le16(1), le32(origSerial),
		[]byte{0x01, 0, 0, 0}, le32(rpi), le16(0x4820), le32(rpi), le16(0x4818), []byte{0x01},
		[]byte{0x03, 0x20, 0x04, 0x24, 0x01, 0x2c, 0x64, 0x2c, 0x65})
	return cat([]byte{0x54, 0x02, 0x20, 0x06, 0x24, 0x01}, d)
}

func cipForwardOpenResp(otID, toID uint32, serial uint16, origSerial uint32, rpi uint32) []byte {
	return cat([]byte{0xd4, 0, 0, 0}, le32(otID), le32(toID), le16(serial), le16(1), le32(origSerial),
		le32(rpi), le32(rpi), []byte{0, 0})
}

// enipIO is a class 1 cyclic I/O datagram (UDP 2222): sequenced address and connected data.
func enipIO(connID, seq uint32, count uint16, runIdle bool, data []byte) []byte {
	body := le16(count)
	if runIdle {
		body = append(body, le32(1)...)
	}
	body = append(body, data...)
	return cat(le16(2), le16(0x8002), le16(8), le32(connID), le32(seq), le16(0xb1), le16(uint16(len(body))), body)
}

// PROFINET. Spec: IEC 61158-6-10 (DCP §4.3, RT frames).

type dcpIdentity struct {
	typeOfStation, nameOfStation string
	vendorID, deviceID           uint16
	ip, mask, gw                 netip.Addr
}

func dcpIdentifyReq(xid uint32) []byte {
	return cat(u16(0xfefe), []byte{0x05, 0x00}, u32(xid), u16(0x0080), u16(4), []byte{0xff, 0xff, 0x00, 0x00})
}

func dcpBlock(opt, sub byte, info uint16, data []byte) []byte {
	b := cat([]byte{opt, sub}, u16(uint16(len(data)+2)), u16(info), data)
	if len(b)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func dcpIdentifyResp(xid uint32, d dcpIdentity) []byte {
	ip, mk, gw := d.ip.As4(), d.mask.As4(), d.gw.As4()
	blocks := cat(
		dcpBlock(0x02, 0x01, 0, []byte(d.typeOfStation)),
		dcpBlock(0x02, 0x02, 0, []byte(d.nameOfStation)),
		dcpBlock(0x02, 0x03, 0, cat(u16(d.vendorID), u16(d.deviceID))),
		dcpBlock(0x02, 0x04, 0, []byte{0x01, 0x00}),
		dcpBlock(0x01, 0x02, 0x0001, cat(ip[:], mk[:], gw[:])),
	)
	return cat(u16(0xfeff), []byte{0x05, 0x01}, u32(xid), u16(0), u16(uint16(len(blocks))), blocks)
}

// pnRT is a cyclic RT class 1 frame: frame id, IO data with IOPS, cycle counter, data and
// transfer status.
func pnRT(frameID uint16, data []byte, cycle uint16) []byte {
	return cat(u16(frameID), data, u16(cycle), []byte{0x35, 0x00})
}

func f32(v float64) []byte { return u32(math.Float32bits(float32(v))) }

// lef32 is an IEEE 754 single in little-endian order (IEC 60870-5 short floating point).
func lef32(v float64) []byte { return le32(math.Float32bits(float32(v))) }

func mathFloat64bits(v float64) uint64 { return math.Float64bits(v) }
