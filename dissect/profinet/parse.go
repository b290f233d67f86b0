package profinet

// header is the decoded DCE/RPC connectionless header. Multi-byte fields are decoded in the
// byte order the data representation announces; UUIDs are kept in wire order.
type header struct {
	version, ptype     uint8
	flags1, flags2     uint8
	drep               [3]byte
	le                 bool // integer representation little-endian
	serialHigh         uint8
	object, iface, act []byte // 16 bytes each, wire order
	bootTime           uint32
	ifVersion          uint32
	seq                uint32
	opnum              uint16
	ihint, ahint       uint16
	bodyLen            uint16
	fragNum            uint16
	auth, serialLow    uint8
}

func (h *header) u16(b []byte) uint16 {
	if h.le {
		return uint16(b[0]) | uint16(b[1])<<8
	}
	return uint16(b[0])<<8 | uint16(b[1])
}

func (h *header) u32(b []byte) uint32 {
	if h.le {
		return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
	}
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// parse decodes the 80-byte header; false when b is shorter.
func (h *header) parse(b []byte) bool {
	if len(b) < hdrLen {
		return false
	}
	h.version, h.ptype = b[0], b[1]&0x1f
	h.flags1, h.flags2 = b[2], b[3]
	copy(h.drep[:], b[4:7])
	h.le = h.drep[0]>>4 == 1
	h.serialHigh = b[7]
	h.object, h.iface, h.act = b[8:24:24], b[24:40:40], b[40:56:56]
	h.bootTime = h.u32(b[56:])
	h.ifVersion = h.u32(b[60:])
	h.seq = h.u32(b[64:])
	h.opnum = h.u16(b[68:])
	h.ihint = h.u16(b[70:])
	h.ahint = h.u16(b[72:])
	h.bodyLen = h.u16(b[74:])
	h.fragNum = h.u16(b[76:])
	h.auth, h.serialLow = b[78], b[79]
	return true
}

// fack is the body of a Fragment Acknowledge PDU (DCE 1.1 §12.5.3.4).
type fack struct {
	version    uint8
	window     uint16
	maxTSDU    uint32
	maxFrag    uint32
	serial     uint16
	selAckLen  uint16
	selAck     [maxSelAck]uint32
	nSelAck    int
	truncated  bool
	hasSelAcks bool
}

func (f *fack) parse(h *header, b []byte) bool {
	if len(b) < 16 {
		return false
	}
	f.version = b[0]
	f.window = h.u16(b[2:])
	f.maxTSDU = h.u32(b[4:])
	f.maxFrag = h.u32(b[8:])
	f.serial = h.u16(b[12:])
	f.selAckLen = h.u16(b[14:])
	b = b[16:]
	f.hasSelAcks = true
	for i := 0; i < int(f.selAckLen); i++ {
		if len(b) < 4 {
			f.truncated = true
			break
		}
		if f.nSelAck < maxSelAck {
			f.selAck[f.nSelAck] = h.u32(b)
			f.nSelAck++
		}
		b = b[4:]
	}
	return true
}

// pnio is what the parser reads from the NDR body of a request or response.
type pnio struct {
	status     uint32 // PNIOStatus (responses)
	hasStatus  bool
	blockType  uint16
	verHigh    uint8
	verLow     uint8
	hasBlock   bool
	slot, sub  uint16
	index      uint16
	recLen     uint32
	hasRecord  bool // slot/subslot/index/recLen are set (IOD read/write headers)
	control    uint16
	hasControl bool
	record     []byte // record data following an IODReadResHeader (aliases the frame)
}

// parseBody decodes the NDR header and the first PNIO block of body.
func (p *pnio) parseBody(h *header, body []byte) {
	// Request: ArgsMaximum, ArgsLength, MaximumCount, Offset, ActualCount (NDR, drep order).
	// Response: PNIOStatus (always big-endian), ArgsLength, MaximumCount, Offset, ActualCount.
	if len(body) < 20 {
		return
	}
	if h.ptype == ptResponse {
		p.status = uint32(body[0])<<24 | uint32(body[1])<<16 | uint32(body[2])<<8 | uint32(body[3])
		p.hasStatus = true
	}
	blocks := body[20:]
	if n := int(h.u32(body[16:])); n < len(blocks) {
		blocks = blocks[:n]
	}
	if len(blocks) < 6 {
		return
	}
	// BlockHeader: BlockType, BlockLength (bytes after this field), BlockVersionHigh/Low.
	p.blockType = uint16(blocks[0])<<8 | uint16(blocks[1])
	blen := int(blocks[2])<<8 | int(blocks[3])
	p.verHigh, p.verLow, p.hasBlock = blocks[4], blocks[5], true
	blk := blocks
	if 4+blen < len(blk) {
		blk = blk[:4+blen]
	}
	switch p.blockType {
	case 0x0008, 0x8008, 0x0009, 0x8009:
		// SeqNumber(2) ARUUID(16) API(4) Slot(2) Subslot(2) Padding(2) Index(2) RecordDataLength(4)
		if len(blk) >= 40 {
			p.slot = uint16(blk[28])<<8 | uint16(blk[29])
			p.sub = uint16(blk[30])<<8 | uint16(blk[31])
			p.index = uint16(blk[34])<<8 | uint16(blk[35])
			p.recLen = uint32(blk[36])<<24 | uint32(blk[37])<<16 | uint32(blk[38])<<8 | uint32(blk[39])
			p.hasRecord = true
		}
		if p.blockType == 0x8009 && 4+blen <= len(blocks) {
			p.record = blocks[4+blen:]
		}
	case 0x0110, 0x8110, 0x0111, 0x8111, 0x0112, 0x8112, 0x0113, 0x8113, 0x0114, 0x8114,
		0x0116, 0x8116, 0x0117, 0x8117, 0x0118, 0x8118:
		// Reserved(2) ARUUID(16) SessionKey(2) Reserved(2) ControlCommand(2) ControlBlockProperties(2)
		if len(blk) >= 30 {
			p.control, p.hasControl = uint16(blk[28])<<8|uint16(blk[29]), true
		}
	}
}

// im0 is the I&M0 record (IEC 61158-6-10 §5.2.4.67, PROFIBUS I&M guideline).
type im0 struct {
	vendorID      uint16
	orderID       []byte
	serial        []byte
	hwRev         uint16
	swPrefix      byte
	swA, swB, swC uint8
}

func (m *im0) parse(b []byte) bool {
	// BlockHeader(6) VendorID(2) OrderID(20) IM_Serial_Number(16) IM_Hardware_Revision(2)
	// IM_Software_Revision(4) …
	if len(b) < 6+2+20+16+2+4 || b[0] != 0x00 || b[1] != 0x20 {
		return false
	}
	r := b[6:]
	m.vendorID = uint16(r[0])<<8 | uint16(r[1])
	m.orderID = trim(r[2:22])
	m.serial = trim(r[22:38])
	m.hwRev = uint16(r[38])<<8 | uint16(r[39])
	m.swPrefix, m.swA, m.swB, m.swC = r[40], r[41], r[42], r[43]
	return true
}

// trim drops the blank and NUL padding of a fixed-size visible string.
func trim(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == 0) {
		b = b[:len(b)-1]
	}
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	return b
}
