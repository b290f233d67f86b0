package bacnet

// problem names what is wrong with a datagram's headers; each maps to one anomaly name.
type problem uint8

const (
	probNone          problem = iota
	probBVLCShort             // fewer than 4 octets
	probBVLCType              // type octet is not 0x81
	probBVLCLength            // length field below 4 or above the datagram
	probBVLCFunction          // unknown BVLC function
	probBVLCTruncated         // the function's fixed fields run past the datagram
	probNPDUVersion           // NPDU protocol version is not 1
	probNPDUTruncated         // NPCI runs past the datagram
	probAPDUTruncated         // APDU header runs past the datagram
	probAPDUType              // APDU type 8..15
)

var problemNames = [...]string{
	"",
	"bacnet_truncated_bvlc",
	"bacnet_bad_bvlc_type",
	"bacnet_bad_bvlc_length",
	"bacnet_unknown_bvlc_function",
	"bacnet_truncated_bvlc",
	"bacnet_bad_npdu_version",
	"bacnet_truncated_npdu",
	"bacnet_truncated_apdu",
	"bacnet_unknown_apdu_type",
}

// bvlc is the BACnet Virtual Link Control header of one BACnet/IP datagram.
// Spec: 135-2020 Annex J.2. Slices alias the datagram.
type bvlc struct {
	fn      uint8
	length  uint16
	result  uint16  // BVLC-Result code (fn 0x00)
	fwdIP   [4]byte // B/IP address of the originating device (Forwarded-NPDU)
	fwdPort uint16
	npdu    []byte // the NPDU of functions 0x04, 0x09, 0x0a, 0x0b; nil otherwise
}

// parseBVLC decodes the BVLC header. A length field that differs from the datagram's length
// is reported (lenProb) but the whole datagram is still decoded.
func parseBVLC(b []byte) (h bvlc, lenProb bool, p problem) {
	if len(b) < 4 {
		return h, false, probBVLCShort
	}
	if b[0] != bvlcTypeIP {
		return h, false, probBVLCType
	}
	h.fn = b[1]
	h.length = uint16(b[2])<<8 | uint16(b[3])
	if h.length < 4 {
		return h, true, probBVLCLength
	}
	// The datagram, not the length field, bounds the message: UDP delivers it whole, and
	// generators that miscompute the field still send complete NPDUs.
	lenProb = int(h.length) != len(b)
	switch h.fn {
	case bvlcResult:
		if len(b) < 6 {
			return h, lenProb, probBVLCTruncated
		}
		h.result = uint16(b[4])<<8 | uint16(b[5])
	case bvlcForwardedNPDU:
		if len(b) < 10 {
			return h, lenProb, probBVLCTruncated
		}
		copy(h.fwdIP[:], b[4:8])
		h.fwdPort = uint16(b[8])<<8 | uint16(b[9])
		h.npdu = b[10:]
	case bvlcDistributeBroadcast, bvlcOriginalUnicast, bvlcOriginalBroadcast:
		h.npdu = b[4:]
	case bvlcWriteBDT, bvlcReadBDT, bvlcReadBDTAck, bvlcRegisterForeignDevice, bvlcReadFDT,
		bvlcReadFDTAck, bvlcDeleteFDTEntry, bvlcSecureBVLL:
	default:
		return h, lenProb, probBVLCFunction
	}
	return h, lenProb, probNone
}

// npdu is the network layer header. Spec: 135-2020 clause 6.2. Slices alias the datagram.
type npdu struct {
	control  uint8
	hasDst   bool
	dnet     uint16
	dadr     []byte
	hop      uint8
	hasSrc   bool
	snet     uint16
	sadr     []byte
	netMsg   bool  // the NSDU is a network layer message, not an APDU
	msgType  uint8 // network layer message type
	vendorID uint16
	apdu     []byte // the APDU, or the network message's data
}

// parseNPDU decodes the NPCI (version, control, DNET/DLEN/DADR, SNET/SLEN/SADR, hop count,
// message type and vendor id) in the order of clause 6.2.2.
func parseNPDU(b []byte) (n npdu, p problem) {
	if len(b) < 2 {
		return n, probNPDUTruncated
	}
	if b[0] != 1 {
		return n, probNPDUVersion
	}
	n.control = b[1]
	i := 2
	if n.control&0x20 != 0 {
		if len(b) < i+3 {
			return n, probNPDUTruncated
		}
		n.hasDst = true
		n.dnet = uint16(b[i])<<8 | uint16(b[i+1])
		l := int(b[i+2])
		i += 3
		if len(b) < i+l {
			return n, probNPDUTruncated
		}
		n.dadr = b[i : i+l]
		i += l
	}
	if n.control&0x08 != 0 {
		if len(b) < i+3 {
			return n, probNPDUTruncated
		}
		n.hasSrc = true
		n.snet = uint16(b[i])<<8 | uint16(b[i+1])
		l := int(b[i+2])
		i += 3
		if len(b) < i+l {
			return n, probNPDUTruncated
		}
		n.sadr = b[i : i+l]
		i += l
	}
	if n.hasDst {
		if len(b) < i+1 {
			return n, probNPDUTruncated
		}
		n.hop = b[i]
		i++
	}
	if n.control&0x80 != 0 {
		if len(b) < i+1 {
			return n, probNPDUTruncated
		}
		n.netMsg = true
		n.msgType = b[i]
		i++
		if n.msgType >= 0x80 { // proprietary message: vendor id follows (6.2.4)
			if len(b) < i+2 {
				return n, probNPDUTruncated
			}
			n.vendorID = uint16(b[i])<<8 | uint16(b[i+1])
			i += 2
		}
	}
	n.apdu = b[i:]
	return n, probNone
}

// apdu is the fixed part of an application layer PDU. Spec: 135-2020 clause 20.1.
type apdu struct {
	typ        uint8
	seg, mor   bool // segmented message / more follows (confirmed request, complex ACK)
	invoke     uint8
	seq        uint8
	window     uint8
	service    uint8
	hasService bool
	reason     uint8  // reject / abort reason
	server     bool   // segment-ACK / abort sent by the server
	body       []byte // service parameters (confirmed, unconfirmed, complex ACK, error)
}

// parseAPDU decodes the APDU header of each of the eight PDU types.
func parseAPDU(b []byte) (a apdu, p problem) {
	if len(b) < 1 {
		return a, probAPDUTruncated
	}
	a.typ = b[0] >> 4
	switch a.typ {
	case pduConfirmed: // 20.1.2: flags, max segs/resp, invoke id, [seq, window], service
		a.seg, a.mor = b[0]&0x08 != 0, b[0]&0x04 != 0
		i := 3
		if a.seg {
			i = 5
		}
		if len(b) < i+1 {
			return a, probAPDUTruncated
		}
		a.invoke = b[2]
		if a.seg {
			a.seq, a.window = b[3], b[4]
		}
		a.service, a.hasService = b[i], true
		a.body = b[i+1:]
	case pduUnconfirmed: // 20.1.3
		if len(b) < 2 {
			return a, probAPDUTruncated
		}
		a.service, a.hasService = b[1], true
		a.body = b[2:]
	case pduSimpleAck: // 20.1.4
		if len(b) < 3 {
			return a, probAPDUTruncated
		}
		a.invoke, a.service, a.hasService = b[1], b[2], true
	case pduComplexAck: // 20.1.5
		a.seg, a.mor = b[0]&0x08 != 0, b[0]&0x04 != 0
		i := 2
		if a.seg {
			i = 4
		}
		if len(b) < i+1 {
			return a, probAPDUTruncated
		}
		a.invoke = b[1]
		if a.seg {
			a.seq, a.window = b[2], b[3]
		}
		a.service, a.hasService = b[i], true
		a.body = b[i+1:]
	case pduSegmentAck: // 20.1.6
		if len(b) < 4 {
			return a, probAPDUTruncated
		}
		a.server = b[0]&0x01 != 0
		a.invoke, a.seq, a.window = b[1], b[2], b[3]
	case pduError: // 20.1.7
		if len(b) < 3 {
			return a, probAPDUTruncated
		}
		a.invoke, a.service, a.hasService = b[1], b[2], true
		a.body = b[3:]
	case pduReject, pduAbort: // 20.1.8, 20.1.9
		if len(b) < 3 {
			return a, probAPDUTruncated
		}
		a.server = b[0]&0x01 != 0
		a.invoke, a.reason = b[1], b[2]
	default:
		return a, probAPDUType
	}
	return a, probNone
}

// errorCode finds the error code of an Error-PDU body: the second application enumerated
// value (after the error class), also inside the context-tagged wrappers some services use
// (clause 21, e.g. WritePropertyMultiple-Error [0] {class, code}).
func errorCode(body []byte) (class, code uint32, ok bool) {
	r := tagReader{b: body}
	n := 0
	for {
		t, more := r.next()
		if !more {
			return 0, 0, false
		}
		if t.isApp(appEnumerated) {
			v := uint32(unsigned(t.data))
			if n == 0 {
				class = v
				n++
				continue
			}
			return class, v, true
		}
	}
}
