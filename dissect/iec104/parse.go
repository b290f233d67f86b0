package iec104

import (
	"math"
	"strconv"

	"github.com/quietwire/quietwire/dissect/wire"
)

// APDU formats, as logged in apdu_type.
const (
	fmtI = 'I'
	fmtS = 'S'
	fmtU = 'U'
)

// apci is a decoded APCI. Spec: IEC 60870-5-104 §5.1–5.4.
type apci struct {
	format byte   // fmtI, fmtS or fmtU (from the low bits of control octet 1)
	length int    // the APDU length field (octets after it)
	ns, nr uint16 // send / receive sequence numbers (I: both, S: nr only), 15 bits
	ctrl   [4]byte
}

// parseAPCI decodes the fixed header of an APDU. b holds at least apciLen octets.
func parseAPCI(b []byte) apci {
	h := apci{length: int(b[1])}
	copy(h.ctrl[:], b[2:6])
	switch {
	case b[2]&1 == 0:
		h.format = fmtI
		h.ns = (uint16(b[2]) | uint16(b[3])<<8) >> 1
		h.nr = (uint16(b[4]) | uint16(b[5])<<8) >> 1
	case b[2]&3 == 1:
		h.format = fmtS
		h.nr = (uint16(b[4]) | uint16(b[5])<<8) >> 1
	default:
		h.format = fmtU
	}
	return h
}

// Outcome of an ASDU walk.
type asduStatus uint8

const (
	asduOK          asduStatus = iota
	asduShort                  // fewer octets than the 6-octet data unit identifier
	asduUnknownType            // type id not defined: objects not walked
	asduOpaque                 // defined but not walked (IEC 60870-5-7 security ASDUs)
	asduLenMismatch            // objects do not fill the ASDU exactly (walked as far as they fit)
)

// asdu is one decoded ASDU. It is reused per flow: objects are positions into body, which aliases
// the input and is only valid during the Parse call that filled it.
type asdu struct {
	typeID   uint8
	sq       bool  // SQ bit: one IOA followed by a sequence of elements
	num      int   // number of objects from the VSQ
	cot      uint8 // cause of transmission (6 bits)
	negative bool  // P/N bit
	test     bool  // T bit
	oa       uint8 // originator address
	ca       uint16
	body     []byte // octets after the data unit identifier
	objs     int    // objects walked
	ioa      [maxObjects]uint32
	elem     [maxObjects]uint8 // offset in body of each object's information elements
	elemLen  [maxObjects]uint8
	expected int // octets the VSQ and type imply (asduLenMismatch)
}

// name returns the type name, or "" for an undefined type id.
func (a *asdu) name() string { return types[a.typeID].name }

// element returns the information elements of object i.
func (a *asdu) element(i int) []byte {
	off := int(a.elem[i])
	return a.body[off : off+int(a.elemLen[i])]
}

// parseASDU decodes the data unit identifier and walks the information objects of b (the
// octets after the APCI) with the 104 default sizes: COT 2, common address 2, IOA 3.
// Spec: IEC 60870-5-101 §7.1–7.2, IEC 60870-5-104 §9 (parameter sizes).
func parseASDU(b []byte, a *asdu) asduStatus {
	r := wire.New(b)
	a.typeID = r.U8()
	vsq := r.U8()
	cot := r.U8()
	a.oa = r.U8()
	a.ca = r.U16LE()
	a.objs, a.expected = 0, 0
	a.sq = vsq&0x80 != 0
	a.num = int(vsq & 0x7f)
	a.cot = cot & 0x3f
	a.negative = cot&0x40 != 0
	a.test = cot&0x80 != 0
	if r.Err() != nil {
		a.body = nil
		return asduShort
	}
	a.body = r.Rest()
	ti := types[a.typeID]
	switch {
	case ti.name == "":
		return asduUnknownType
	case ti.size == sizeOpaque:
		return asduOpaque
	case ti.size == sizeVariable:
		return a.walkSegments()
	}
	size := int(ti.size)
	if a.num == 0 {
		a.expected = 0
	} else if a.sq {
		a.expected = ioaLen + a.num*size
	} else {
		a.expected = a.num * (ioaLen + size)
	}
	body := a.body
	pos := 0
	var base uint32
	for i := 0; i < a.num; i++ {
		if !a.sq || i == 0 {
			if len(body)-pos < ioaLen {
				break
			}
			base = uint32(body[pos]) | uint32(body[pos+1])<<8 | uint32(body[pos+2])<<16
			pos += ioaLen
		}
		if len(body)-pos < size {
			break
		}
		ioa := base
		if a.sq {
			ioa = (base + uint32(i)) & 0xffffff
		}
		a.ioa[i] = ioa
		a.elem[i] = uint8(pos)
		a.elemLen[i] = uint8(size)
		a.objs++
		pos += size
	}
	if a.expected != len(body) {
		return asduLenMismatch
	}
	return asduOK
}

// walkSegments walks F_SG_NA_1 objects: IOA, NOF (2), NOS (1), LOS (1), LOS octets of
// segment. Spec: IEC 60870-5-101 §7.3.6.6.
func (a *asdu) walkSegments() asduStatus {
	body := a.body
	pos := 0
	for i := 0; i < a.num; i++ {
		if len(body)-pos < ioaLen+4 {
			a.expected = pos + ioaLen + 4
			return asduLenMismatch
		}
		size := 4 + int(body[pos+ioaLen+3])
		if len(body)-pos-ioaLen < size {
			a.expected = pos + ioaLen + size
			return asduLenMismatch
		}
		a.ioa[i] = uint32(body[pos]) | uint32(body[pos+1])<<8 | uint32(body[pos+2])<<16
		a.elem[i] = uint8(pos + ioaLen)
		a.elemLen[i] = uint8(size)
		a.objs++
		pos += ioaLen + size
	}
	a.expected = pos
	if pos != len(body) {
		return asduLenMismatch
	}
	return asduOK
}

// cp56 is a decoded CP56Time2a. Spec: IEC 60870-5-4 §6.8, IEC 60870-5-101 §7.2.6.18.
type cp56 struct {
	ms                       uint16 // milliseconds within the minute, 0..59999
	minute, hour, day, month uint8
	year                     uint8 // 0..99, century not transmitted
	invalid, summer          bool
}

func parseCP56(b []byte) cp56 {
	return cp56{
		ms:      uint16(b[0]) | uint16(b[1])<<8,
		minute:  b[2] & 0x3f,
		invalid: b[2]&0x80 != 0,
		hour:    b[3] & 0x1f,
		summer:  b[3]&0x80 != 0,
		day:     b[4] & 0x1f,
		month:   b[5] & 0x0f,
		year:    b[6] & 0x7f,
	}
}

// appendTime appends t as "2013-07-04T09:23:17.053" (years 00..99 read as 2000..2099; the
// zone is whatever the station uses, usually UTC or local time).
func (t cp56) appendTime(b []byte) []byte {
	b = append2(append(b, '2', '0'), t.year)
	b = append2(append(b, '-'), t.month)
	b = append2(append(b, '-'), t.day)
	b = append2(append(b, 'T'), t.hour)
	b = append2(append(b, ':'), t.minute)
	sec := t.ms / 1000
	ms := t.ms % 1000
	b = append2(append(b, ':'), uint8(sec%100))
	return append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
}

func append2(b []byte, v uint8) []byte {
	return append(b, '0'+v/10%10, '0'+v%10)
}

// command is the decoded information elements of one command object.
type command struct {
	state     string  // SCS/DCS/RCS name
	hasSelect bool    // S/E bit present
	sel       bool    // S/E = 1: select, 0: execute
	hasQual   bool    // QU (SCO/DCO/RCO) or QL (QOS) or QPM/QPA present
	qual      uint8   //
	hasValue  bool    // setpoint / parameter value
	value     float64 //
	hasBits   bool    // C_BO bitstring
	bits      uint32  //
	hasQOI    bool
	qoi       uint8
	hasQCC    bool
	qcc       uint8
	hasQRP    bool
	qrp       uint8
	hasTime   bool
	time      cp56
}

// decodeCommand reads the elements e of one object of command type t. e has the size the
// type table gives. Spec: IEC 60870-5-101 §7.3.2–7.3.5.
func decodeCommand(t uint8, e []byte) command {
	var c command
	base := t
	if t >= tC_SC_TA_1 && t <= tC_BO_TA_1 {
		base = t - (tC_SC_TA_1 - tC_SC_NA_1)
		c.hasTime = true
		c.time = parseCP56(e[len(e)-7:])
	}
	switch base {
	case tC_SC_NA_1:
		c.state = scsNames[e[0]&1]
		c.hasSelect, c.sel = true, e[0]&0x80 != 0
		c.hasQual, c.qual = true, e[0]>>2&0x1f
	case tC_DC_NA_1:
		c.state = dcsNames[e[0]&3]
		c.hasSelect, c.sel = true, e[0]&0x80 != 0
		c.hasQual, c.qual = true, e[0]>>2&0x1f
	case tC_RC_NA_1:
		c.state = rcsNames[e[0]&3]
		c.hasSelect, c.sel = true, e[0]&0x80 != 0
		c.hasQual, c.qual = true, e[0]>>2&0x1f
	case tC_SE_NA_1, tC_SE_NB_1, tC_SE_NC_1:
		n := 2
		if base == tC_SE_NC_1 {
			n = 4
		}
		c.hasValue, c.value = setpoint(base-tC_SE_NA_1, e[:n])
		qos := e[n]
		c.hasSelect, c.sel = true, qos&0x80 != 0
		c.hasQual, c.qual = true, qos&0x7f
	case tC_BO_NA_1:
		c.hasBits = true
		c.bits = uint32(e[0]) | uint32(e[1])<<8 | uint32(e[2])<<16 | uint32(e[3])<<24
	case tC_IC_NA_1:
		c.hasQOI, c.qoi = true, e[0]
	case tC_CI_NA_1:
		c.hasQCC, c.qcc = true, e[0]
	case tC_CS_NA_1:
		c.hasTime, c.time = true, parseCP56(e)
	case tC_RP_NA_1:
		c.hasQRP, c.qrp = true, e[0]
	case tC_TS_TA_1:
		c.hasTime, c.time = true, parseCP56(e[2:])
	case tP_ME_NA_1, tP_ME_NB_1, tP_ME_NC_1:
		n := 2
		if base == tP_ME_NC_1 {
			n = 4
		}
		c.hasValue, c.value = setpoint(base-tP_ME_NA_1, e[:n])
		c.hasQual, c.qual = true, e[n]
	case tP_AC_NA_1:
		c.hasQual, c.qual = true, e[0]
	}
	return c
}

// setpoint decodes a normalized (kind 0, NVA: value/32768), scaled (1, SVA) or short float
// (2, IEEE 754) value. A NaN or infinite float is reported as absent (JSON cannot carry it).
// Spec: IEC 60870-5-101 §7.2.6.6–7.2.6.8.
func setpoint(kind uint8, v []byte) (bool, float64) {
	switch kind {
	case 0:
		return true, float64(int16(uint16(v[0])|uint16(v[1])<<8)) / 32768
	case 1:
		return true, float64(int16(uint16(v[0]) | uint16(v[1])<<8))
	}
	f := math.Float32frombits(uint32(v[0]) | uint32(v[1])<<8 | uint32(v[2])<<16 | uint32(v[3])<<24)
	if math.IsNaN(float64(f)) || math.IsInf(float64(f), 0) {
		return false, 0
	}
	return true, shortest32(f)
}

// shortest32 returns the float64 whose shortest decimal form is f's (1.1 rather than
// 1.100000023841858), so logs show what the sender wrote.
func shortest32(f float32) float64 {
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], float64(f), 'g', -1, 32)
	v, err := strconv.ParseFloat(string(s), 64)
	if err != nil {
		return float64(f)
	}
	return v
}
