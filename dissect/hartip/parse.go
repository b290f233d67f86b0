package hartip

// header is the 8-byte HART-IP header (HCF_SPEC-085 §10.3), big-endian.
type header struct {
	version byte
	msgType byte
	msgID   byte
	status  byte
	seq     uint16
	length  uint16 // byte count: header included
}

// parseHeader reads a header; ok is false when b is shorter than one.
func parseHeader(b []byte) (h header, ok bool) {
	if len(b) < hdrLen {
		return h, false
	}
	return header{b[0], b[1], b[2], b[3], uint16(b[4])<<8 | uint16(b[5]), uint16(b[6])<<8 | uint16(b[7])}, true
}

// prefixOK checks the fixed-value fields in the bytes available: version 1 or 2, a defined
// message type and message id.
func prefixOK(b []byte) bool {
	if len(b) > 0 && b[0] != 1 && b[0] != 2 {
		return false
	}
	if len(b) > 1 && messageTypeName(b[1]) == "" {
		return false
	}
	if len(b) > 2 && messageIDName(b[2]) == "" {
		return false
	}
	return true
}

func (h header) valid() bool {
	return h.length >= hdrLen && h.length <= maxLength
}

// pdu is a HART token-passing PDU carried by a pass-through message (HCF_SPEC-081): delimiter,
// short (1 byte) or long (5 bytes) address, expansion bytes, command, byte count, and for
// responses the response code and device status before the data.
type pdu struct {
	delimiter byte
	long      bool
	address   []byte
	command   byte
	byteCount byte
	response  bool
	respCode  byte
	devStatus byte
	data      []byte
}

// parsePDU reads the token-passing PDU of a pass-through body, skipping 0xff preambles.
func parsePDU(b []byte) (p pdu, ok bool) {
	for len(b) > 0 && b[0] == 0xff {
		b = b[1:]
	}
	if len(b) < 1 {
		return p, false
	}
	p.delimiter = b[0]
	b = b[1:]
	p.long = p.delimiter&0x80 != 0
	// Frame type in the low 3 bits: 2 STX (master to device), 6 ACK (reply), 1 BACK (burst).
	switch p.delimiter & 0x07 {
	case 2:
	case 6, 1:
		p.response = true
	default:
		return p, false
	}
	alen := 1
	if p.long {
		alen = 5
	}
	alen += int(p.delimiter>>5) & 0x03 // expansion bytes
	if len(b) < alen+2 {
		return p, false
	}
	p.address = b[:alen-int(p.delimiter>>5)&0x03]
	b = b[alen:]
	p.command, p.byteCount = b[0], b[1]
	b = b[2:]
	n := min(int(p.byteCount), len(b))
	b = b[:n]
	if p.response {
		if len(b) < 2 {
			return p, false
		}
		p.respCode, p.devStatus = b[0], b[1]
		b = b[2:]
	}
	p.data = b
	return p, true
}
