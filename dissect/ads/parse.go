package ads

// amsHeader is the 32-byte AMS header (TE1000 "AMS header"), little-endian.
type amsHeader struct {
	targetNetID [6]byte
	targetPort  uint16
	sourceNetID [6]byte
	sourcePort  uint16
	command     uint16
	flags       uint16
	dataLength  uint32
	errorCode   uint32
	invokeID    uint32
}

func (h *amsHeader) isResponse() bool { return h.flags&flagResponse != 0 }

func parseAMS(b []byte) (h amsHeader, ok bool) {
	if len(b) < amsLen {
		return h, false
	}
	copy(h.targetNetID[:], b[0:6])
	h.targetPort = le16(b[6:])
	copy(h.sourceNetID[:], b[8:14])
	h.sourcePort = le16(b[14:])
	h.command, h.flags = le16(b[16:]), le16(b[18:])
	h.dataLength, h.errorCode, h.invokeID = le32(b[20:]), le32(b[24:]), le32(b[28:])
	return h, true
}

// tcpHeader is the 6-byte AMS/TCP header: reserved (0 for AMS frames; 0x1000-0x1002 are
// router-internal port commands) and the length of what follows.
type tcpHeader struct {
	reserved uint16
	length   uint32
}

func parseTCP(b []byte) (h tcpHeader, ok bool) {
	if len(b) < amsTCPLen {
		return h, false
	}
	return tcpHeader{le16(b), le32(b[2:])}, true
}

// isRouterCmd reports the AMS/TCP reserved values TwinCAT routers use for port commands.
func isRouterCmd(r uint16) bool { return r >= 0x1000 && r <= 0x1002 }

// validTCP checks an AMS/TCP header and, when its bytes are there, the AMS header behind it:
// the AMS data length must be what the AMS/TCP length leaves, the command defined and the
// ADS-command flag set.
func validTCP(b []byte) (tcpHeader, bool) {
	h, _ := parseTCP(b)
	if isRouterCmd(h.reserved) {
		return h, h.length <= 64
	}
	if h.reserved != 0 || h.length < amsLen || h.length > maxLength {
		return h, false
	}
	if a, ok := parseAMS(b[amsTCPLen:]); ok {
		return h, a.dataLength == h.length-amsLen && commandName(a.command) != "" && a.flags&flagADSCmd != 0
	}
	return h, true
}

// validAMS checks a bare AMS header (AMS over UDP) against the datagram's length.
func validAMS(b []byte) bool {
	a, ok := parseAMS(b)
	return ok && int(a.dataLength) == len(b)-amsLen && commandName(a.command) != "" && a.command != cmdInvalid && a.flags&flagADSCmd != 0
}

// appendNetID appends an AMS NetId as "a.b.c.d.e.f".
func appendNetID(dst []byte, id [6]byte) []byte {
	for i, c := range id {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = appendUint(dst, uint64(c))
	}
	return dst
}

func appendUint(dst []byte, v uint64) []byte {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(dst, d[i:]...)
}

func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

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
