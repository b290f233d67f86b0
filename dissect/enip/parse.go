package enip

import (
	"encoding/binary"

	"github.com/quietwire/quietwire/dissect/wire"
)

// header is the encapsulation header. Spec: CIP Vol 2 §2-3.1 (all fields little-endian).
type header struct {
	command uint16
	length  uint16
	session uint32
	status  uint32
	context uint64 // the 8 sender-context bytes read big-endian, so "0x%016x" prints them in wire order
	options uint32
}

func parseHeader(b []byte) header {
	_ = b[23]
	return header{
		command: binary.LittleEndian.Uint16(b[0:]),
		length:  binary.LittleEndian.Uint16(b[2:]),
		session: binary.LittleEndian.Uint32(b[4:]),
		status:  binary.LittleEndian.Uint32(b[8:]),
		context: binary.BigEndian.Uint64(b[12:]),
		options: binary.LittleEndian.Uint32(b[20:]),
	}
}

// strictHeader decides whether b starts with a believable encapsulation header. It is what
// Probe and resynchronisation use: a known command, a defined status, zero options, and a
// length that fits the command. b must hold at least headerLen bytes.
func strictHeader(b []byte) bool {
	h := parseHeader(b)
	// NOP is a valid command but not evidence: a run of zero bytes looks like one.
	if !knownCommand(h.command) || h.command == cmdNOP || h.options != 0 || encapStatusName(h.status) == "" || h.length > maxBody {
		return false
	}
	switch h.command {
	case cmdRegisterSession:
		return h.length == 4
	case cmdUnregisterSession:
		return h.length == 0
	case cmdSendRRData, cmdSendUnitData:
		if h.length < 8 || h.session == 0 {
			return false
		}
		if len(b) >= headerLen+8 {
			iface := binary.LittleEndian.Uint32(b[24:])
			count := binary.LittleEndian.Uint16(b[30:])
			return iface == 0 && count >= 1 && count <= maxItems
		}
	}
	return true
}

// item is one Common Packet Format item. Spec: CIP Vol 2 §2-6.
type item struct {
	typ  uint16
	data []byte
}

// cpf holds the items of one message without allocating.
type cpf struct {
	n     int
	items [maxItems]item
}

// parseCPF reads an item count and the items. ok is false on truncation; count is the raw
// count field (the caller reports absurd counts, which are not parsed).
func parseCPF(r *wire.Reader, c *cpf) (count uint16, ok bool) {
	count = r.U16LE()
	if r.Err() != nil || count > maxItems {
		return count, false
	}
	c.n = 0
	for i := 0; i < int(count); i++ {
		t := r.U16LE()
		l := r.U16LE()
		d := r.Bytes(int(l))
		if r.Err() != nil {
			return count, false
		}
		c.items[c.n] = item{typ: t, data: d}
		c.n++
	}
	return count, true
}

// path is what the parser keeps of an EPATH. Spec: CIP Vol 1 Appendix C.
type path struct {
	class, instance, attribute uint32
	hasClass, hasInst, hasAttr bool
	symbol                     []byte // first ANSI extended symbolic segment (Logix tag name)
	ok                         bool   // every segment was understood
}

// parsePath decodes the segments of an EPATH. It stops at the first segment it does not know,
// keeping what it read so far.
func parsePath(b []byte) (p path) {
	for len(b) > 0 {
		s := b[0]
		switch {
		case s&0xE0 == 0x00: // port segment
			n := 2
			if s&0x10 != 0 { // extended link address: size byte, then address, padded
				if len(b) < 2 {
					return p
				}
				n = 2 + int(b[1])
				if s&0x0F == 0x0F {
					n += 2
				}
				n += n & 1
			} else if s&0x0F == 0x0F {
				n = 4
			}
			if len(b) < n {
				return p
			}
			b = b[n:]
		case s&0xE0 == 0x20: // logical segment
			var v uint32
			var n int
			switch s & 0x03 {
			case 0:
				if len(b) < 2 {
					return p
				}
				v, n = uint32(b[1]), 2
			case 1:
				if len(b) < 4 {
					return p
				}
				v, n = uint32(binary.LittleEndian.Uint16(b[2:])), 4
			case 2:
				if len(b) < 6 {
					return p
				}
				v, n = binary.LittleEndian.Uint32(b[2:]), 6
			default:
				return p
			}
			switch (s >> 2) & 0x07 {
			case 0:
				if !p.hasClass {
					p.class, p.hasClass = v, true
				}
			case 1:
				if !p.hasInst {
					p.instance, p.hasInst = v, true
				}
			case 3: // connection point: ICSNPP reports it as the instance
				if !p.hasInst {
					p.instance, p.hasInst = v, true
				}
			case 4:
				if !p.hasAttr {
					p.attribute, p.hasAttr = v, true
				}
			}
			b = b[n:]
		case s == 0x91: // ANSI extended symbol segment
			if len(b) < 2 {
				return p
			}
			n := 2 + int(b[1])
			if len(b) < n {
				return p
			}
			if p.symbol == nil {
				p.symbol = b[2:n]
			}
			n += n & 1
			if n > len(b) {
				n = len(b)
			}
			b = b[n:]
		case s == 0x80: // simple data segment: word count, words
			if len(b) < 2 || len(b) < 2+2*int(b[1]) {
				return p
			}
			b = b[2+2*int(b[1]):]
		default:
			return p
		}
	}
	p.ok = true
	return p
}

// msg is one CIP message: a request (service, path, data) or a response (service with bit 7
// set, general status, extended status, data). Spec: CIP Vol 1 §2-4.
type msg struct {
	code      uint8 // service without the response bit
	resp      bool
	path      path
	status    uint8
	extStatus uint16
	hasExt    bool
	data      []byte
}

// parseMsg decodes a CIP message header. ok is false when it is truncated.
func parseMsg(b []byte) (m msg, ok bool) {
	if len(b) < 2 {
		return m, false
	}
	m.code = b[0] & 0x7F
	m.resp = b[0]&0x80 != 0
	if !m.resp {
		n := 2 + 2*int(b[1])
		if len(b) < n {
			return m, false
		}
		m.path = parsePath(b[2:n])
		m.data = b[n:]
		return m, true
	}
	if len(b) < 4 {
		return m, false
	}
	m.status = b[2]
	n := 4 + 2*int(b[3])
	if len(b) < n {
		return m, false
	}
	if b[3] > 0 {
		m.extStatus, m.hasExt = binary.LittleEndian.Uint16(b[4:]), true
	}
	m.data = b[n:]
	return m, true
}

// multiIter walks a Multiple Service Packet body (count, offsets from the count field, the
// services). Spec: CIP Vol 1 §. bad counts services it could not delimit.
type multiIter struct {
	b    []byte
	n, i int
	bad  int
}

func newMulti(b []byte) multiIter {
	it := multiIter{b: b}
	if len(b) < 2 {
		it.bad = 1
		return it
	}
	it.n = int(binary.LittleEndian.Uint16(b))
	if 2+2*it.n > len(b) {
		it.n, it.bad = 0, 1
	}
	return it
}

// next returns the next embedded service and its index; ok is false at the end.
func (it *multiIter) next() (idx int, m []byte, ok bool) {
	for it.i < it.n {
		i := it.i
		it.i++
		start := int(binary.LittleEndian.Uint16(it.b[2+2*i:]))
		end := len(it.b)
		if i+1 < it.n {
			end = int(binary.LittleEndian.Uint16(it.b[2+2*(i+1):]))
		}
		if start < 2+2*it.n || start > end || end > len(it.b) {
			it.bad++
			continue
		}
		return i, it.b[start:end], true
	}
	return 0, nil, false
}

// unconnectedSend extracts the embedded request of an Unconnected Send (Connection Manager
// service 0x52). Spec: CIP Vol 1 §3-5.6.5.
func unconnectedSend(b []byte) ([]byte, bool) {
	r := wire.New(b)
	r.Skip(2) // priority/time tick, timeout ticks
	n := r.U16LE()
	m := r.Bytes(int(n))
	return m, r.Err() == nil
}

// forwardOpen is what the parser keeps of a Forward Open request or reply.
// Spec: CIP Vol 1 §3-5.6.1 (request Table 3-5.16, success reply Table 3-5.19).
type forwardOpen struct {
	otID, toID   uint32
	serial       uint16 // connection serial number
	vendor       uint16 // originator vendor id
	origSerial   uint32
	otRPI, toRPI uint32 // requested (request) or actual (reply) packet intervals, µs
	transport    uint8  // transport class and trigger
}

func parseForwardOpenReq(b []byte, large bool) (f forwardOpen, ok bool) {
	r := wire.New(b)
	r.Skip(2)
	f.otID = r.U32LE()
	f.toID = r.U32LE()
	f.serial = r.U16LE()
	f.vendor = r.U16LE()
	f.origSerial = r.U32LE()
	r.Skip(4) // timeout multiplier, reserved
	f.otRPI = r.U32LE()
	if large {
		r.Skip(4)
	} else {
		r.Skip(2)
	}
	f.toRPI = r.U32LE()
	if large {
		r.Skip(4)
	} else {
		r.Skip(2)
	}
	f.transport = r.U8()
	return f, r.Err() == nil
}

func parseForwardOpenReply(b []byte) (f forwardOpen, ok bool) {
	r := wire.New(b)
	f.otID = r.U32LE()
	f.toID = r.U32LE()
	f.serial = r.U16LE()
	f.vendor = r.U16LE()
	f.origSerial = r.U32LE()
	f.otRPI = r.U32LE()
	f.toRPI = r.U32LE()
	return f, r.Err() == nil
}

// parseForwardClose reads the connection triad of a Forward Close request (§3-5.6.3).
func parseForwardClose(b []byte) (serial, vendor uint16, origSerial uint32, ok bool) {
	r := wire.New(b)
	r.Skip(2)
	serial = r.U16LE()
	vendor = r.U16LE()
	origSerial = r.U32LE()
	return serial, vendor, origSerial, r.Err() == nil
}

// identity is the Identity object's instance attributes 1-8 (CIP Vol 1 §5A-2), as found in a
// ListIdentity item (Vol 2 §2-4.3.2, which prefixes encapsulation version and socket address)
// or a Get_Attributes_All reply.
type identity struct {
	encapVersion uint16
	sockAddr     [4]byte
	sockPort     uint16
	hasSock      bool
	vendor       uint16
	deviceType   uint16
	productCode  uint16
	major, minor uint8
	status       uint16
	serial       uint32
	name         []byte
	state        uint8
	hasState     bool
}

// parseIdentityAttrs reads attributes 1-8 in Get_Attributes_All order.
func parseIdentityAttrs(r *wire.Reader, id *identity) bool {
	id.vendor = r.U16LE()
	id.deviceType = r.U16LE()
	id.productCode = r.U16LE()
	id.major = r.U8()
	id.minor = r.U8()
	id.status = r.U16LE()
	id.serial = r.U32LE()
	n := r.U8()
	id.name = r.Bytes(int(n))
	if r.Err() != nil {
		return false
	}
	if r.Len() > 0 {
		id.state, id.hasState = r.U8(), true
	}
	return true
}

// parseListIdentityItem reads a CIP Identity item (type 0x0C) of a ListIdentity reply.
func parseListIdentityItem(b []byte) (id identity, ok bool) {
	r := wire.New(b)
	id.encapVersion = r.U16LE()
	r.Skip(2) // sin_family (big-endian)
	id.sockPort = r.U16BE()
	copy(id.sockAddr[:], r.Bytes(4))
	r.Skip(8)
	id.hasSock = r.Err() == nil
	return id, parseIdentityAttrs(&r, &id)
}

// pccc is a PCCC command as carried by Execute PCCC. Spec: CIP Vol 1 (PCCC object 0x67) and
// DF1 manual 1770-6.5.16 ch. 6-7: requester id (length byte counts itself), CMD, STS, TNSW,
// FNC for the commands that have one.
type pccc struct {
	cmd, sts uint8
	tns      uint16
	fnc      uint8
	hasFnc   bool
}

func parsePCCC(b []byte) (p pccc, ok bool) {
	if len(b) < 1 || int(b[0]) < 1 || int(b[0]) > len(b) {
		return p, false
	}
	r := wire.New(b[b[0]:])
	p.cmd = r.U8()
	p.sts = r.U8()
	p.tns = r.U16LE()
	if pcccHasFunction(p.cmd&0x3F) && p.cmd&0x40 == 0 {
		p.fnc, p.hasFnc = r.U8(), true
	}
	return p, r.Err() == nil
}
