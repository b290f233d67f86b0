package srtp

// message is the fixed 56-byte SRTP message; text is the buffer that follows it (length at
// bytes 4-5, little-endian).
type message struct {
	ptype   byte
	seq     uint16
	textLen uint16
	mbxSeq  byte
	mbxType byte
	src     uint32
	dst     uint32
	b       []byte // the 56 bytes
}

func le16(b []byte) uint16 { return uint16(b[0]) | uint16(b[1])<<8 }
func le32(b []byte) uint32 {
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

func parseMessage(b []byte) (m message, ok bool) {
	if len(b) < msgLen {
		return m, false
	}
	return message{ptype: b[0], seq: le16(b[2:]), textLen: le16(b[4:]), mbxSeq: b[30], mbxType: b[31],
		src: le32(b[32:]), dst: le32(b[36:]), b: b[:msgLen]}, true
}

// prefixOK checks the first bytes: a defined packet type and a zero second byte.
func prefixOK(b []byte) bool {
	if len(b) > 0 && b[0] > typeResponse {
		return false
	}
	return len(b) < 2 || b[1] == 0
}

// valid checks a whole message: the text length within bounds, an all-zero body for the
// initialisation request, and a defined mailbox type for requests and responses.
func (m *message) valid() bool {
	if m.textLen > maxText || !prefixOK(m.b) {
		return false
	}
	switch m.ptype {
	case typeInitRequest:
		for _, c := range m.b {
			if c != 0 {
				return false
			}
		}
		return true
	case typeInitResponse:
		return m.textLen == 0
	}
	return mailboxTypeName(m.mbxType) != ""
}
