package decode

import "encoding/binary"

// sum16 adds b as big-endian 16-bit words to s (one's-complement, folded later).
func sum16(s uint64, b []byte) uint64 {
	for len(b) >= 8 {
		s += uint64(binary.BigEndian.Uint32(b)) + uint64(binary.BigEndian.Uint32(b[4:]))
		b = b[8:]
	}
	for len(b) >= 2 {
		s += uint64(binary.BigEndian.Uint16(b))
		b = b[2:]
	}
	if len(b) == 1 {
		s += uint64(b[0]) << 8
	}
	return s
}

func fold(s uint64) uint16 {
	for s>>16 != 0 {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

// l4ChecksumOK verifies the TCP or UDP checksum of segment b (header and payload) of p.
// A UDP checksum of zero over IPv4 means "none".
func l4ChecksumOK(p *Packet, b []byte) bool {
	var s uint64
	if p.IPVersion == 4 {
		if p.Proto == ProtoUDP && len(b) >= 8 && b[6] == 0 && b[7] == 0 {
			return true
		}
		s = sum16(s, p.SrcIP[:4])
		s = sum16(s, p.DstIP[:4])
		s += uint64(p.Proto) + uint64(len(b))
	} else {
		s = sum16(s, p.SrcIP[:])
		s = sum16(s, p.DstIP[:])
		s += uint64(len(b)) + uint64(p.Proto)
	}
	s = sum16(s, b)
	return fold(s) == 0xffff
}
