package wire

// BERLen decodes a BER definite length from the start of b: the length, how many octets
// encode it, and false for the indefinite form (0x80), a long form of more than maxOctets
// octets, or b too short. It does not check that the value is present.
func BERLen(b []byte, maxOctets int) (length, octets int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	l := int(b[0])
	if l&0x80 == 0 {
		return l, 1, true
	}
	k := l & 0x7f
	if k == 0 || k > maxOctets || len(b) < 1+k {
		return 0, 0, false
	}
	l = 0
	for _, c := range b[1 : 1+k] {
		l = l<<8 | int(c)
	}
	if l < 0 {
		return 0, 0, false
	}
	return l, 1 + k, true
}

// TLV reads one BER TLV with a single-octet tag (the high-tag-number form is refused) and a
// definite length of at most maxLenOctets octets. It returns the tag, the value (its capacity
// clipped to its length), the TLV's total size, and false when b does not hold a whole,
// well-formed TLV.
func TLV(b []byte, maxLenOctets int) (tag byte, val []byte, n int, ok bool) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return 0, nil, 0, false
	}
	l, k, ok := BERLen(b[1:], maxLenOctets)
	hdr := 1 + k
	if !ok || l > len(b)-hdr {
		return 0, nil, 0, false
	}
	return b[0], b[hdr : hdr+l : hdr+l], hdr + l, true
}
