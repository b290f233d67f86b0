package slmp

// header is a binary 3E/4E frame header (SH-080956 §4-2). Multi-byte fields after the
// subheader are little-endian.
type header struct {
	sub        uint16 // 0x5000, 0xd000, 0x5400, 0xd400
	serial     uint16 // 4E only
	network    uint8
	pc         uint8 // "PC number" / request destination station
	io         uint16
	station    uint8 // multidrop station
	dataLength uint16
	hdrLen     int
}

func (h *header) isResponse() bool { return h.sub&0x8000 != 0 }
func (h *header) is4E() bool       { return h.sub&0x0400 != 0 }
func (h *header) total() int       { return h.hdrLen + int(h.dataLength) }

// subheaderOK reports whether b starts with one of the four binary subheaders (as far as b
// goes).
func subheaderOK(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	if b[0] != 0x50 && b[0] != 0xd0 && b[0] != 0x54 && b[0] != 0xd4 {
		return false
	}
	return len(b) < 2 || b[1] == 0
}

// parseHeader reads a 3E/4E header. ok is false when b is shorter than the header.
func parseHeader(b []byte) (h header, ok bool) {
	if len(b) < 2 {
		return h, false
	}
	h.sub = uint16(b[0])<<8 | uint16(b[1])
	h.hdrLen = hdr3E
	off := 2
	if h.is4E() {
		h.hdrLen = hdr4E
		if len(b) < hdr4E {
			return h, false
		}
		h.serial = le16(b[2:])
		off = 6
	}
	if len(b) < h.hdrLen {
		return h, false
	}
	h.network, h.pc, h.io, h.station = b[off], b[off+1], le16(b[off+2:]), b[off+4]
	h.dataLength = le16(b[off+5:])
	return h, true
}

// valid checks what a header must satisfy: a binary subheader, the 4E reserved bytes 0, and
// a data length that covers the timer + command + subcommand (request) or end code
// (response) without passing the cap.
func valid(b []byte, h header) bool {
	if !subheaderOK(b[:2]) {
		return false
	}
	if h.is4E() && (b[4] != 0 || b[5] != 0) {
		return false
	}
	min := uint16(6)
	if h.isResponse() {
		min = 2
	}
	return h.dataLength >= min && h.dataLength <= maxDataLength
}

func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }

func trimASCII(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	for len(b) > 0 && b[len(b)-1] == ' ' {
		b = b[:len(b)-1]
	}
	return b
}
