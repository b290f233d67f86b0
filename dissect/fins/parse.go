package fins

// tcpHeader is the FINS/TCP header (W421 §7-3-1): all fields big-endian.
type tcpHeader struct {
	length  uint32 // bytes after the length field: command + error code + data
	command uint32
	errCode uint32
}

// isMagic reports whether b starts with the FINS/TCP magic "FINS" (as far as b goes).
func isMagic(b []byte) bool {
	const m = "FINS"
	n := min(len(b), 4)
	return string(b[:n]) == m[:n]
}

// parseTCPHeader reads a FINS/TCP header. ok is false when b is shorter than a header.
func parseTCPHeader(b []byte) (h tcpHeader, ok bool) {
	if len(b) < tcpHeaderLen {
		return h, false
	}
	h.length = be32(b[4:])
	h.command = be32(b[8:])
	h.errCode = be32(b[12:])
	return h, true
}

// validTCPHeader checks what a FINS/TCP header must satisfy: the magic, a length that covers
// command and error code and stays under the cap, and a known command.
func validTCPHeader(b []byte, h tcpHeader) bool {
	return string(b[:4]) == "FINS" && h.length >= 8 && h.length <= maxTCPLength && tcpCommandName(h.command) != ""
}

// frame is one FINS command or response frame (W227 §3-1): header, command code, and what
// follows it (for a response, MRES/SRES first).
type frame struct {
	icf      byte
	rsv      byte
	gct      byte
	dna, da1 byte
	da2      byte
	sna, sa1 byte
	sa2      byte
	sid      byte
	command  uint16
	data     []byte // after the command code
}

func (f *frame) isResponse() bool       { return f.icf&0x40 != 0 }
func (f *frame) responseRequired() bool { return f.icf&0x01 == 0 }

// parseFrame reads a FINS frame. ok is false when b is shorter than header + command code.
func parseFrame(b []byte) (f frame, ok bool) {
	if len(b) < minFrame {
		return f, false
	}
	f = frame{icf: b[0], rsv: b[1], gct: b[2], dna: b[3], da1: b[4], da2: b[5], sna: b[6], sa1: b[7], sa2: b[8], sid: b[9],
		command: uint16(b[10])<<8 | uint16(b[11]), data: b[12:]}
	return f, true
}

// plausible checks the header bits W227 fixes: ICF bits 1-5 reserved (0), RSV 0, and a
// gateway count of at most 7 (2 for the classic units, 7 for CS/CJ-series with routing).
func (f *frame) plausible() bool {
	return f.icf&0x3e == 0 && f.rsv == 0 && f.gct <= 7
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// trimASCII returns b up to its first NUL, without trailing spaces.
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
