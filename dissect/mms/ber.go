package mms

import "errors"

// This file is a minimal BER reader (ITU-T X.690 §8.1) for the ISO upper layers: tags of any
// number (multi-octet form), definite lengths of up to four octets. Indefinite lengths are
// refused: no MMS stack sends them and accepting them would require scanning for
// end-of-contents. Values alias the input; nothing allocates.

// BER tag classes (the two high bits of the identifier octet).
const (
	classUniversal   = 0
	classApplication = 1
	classContext     = 2
	classPrivate     = 3
)

// Limits of the reader.
const (
	// maxTagNumber bounds a multi-octet tag number (four continuation octets).
	maxTagNumber = 1 << 28
	// maxDepth bounds the nesting of constructed values that wellFormed accepts. The deepest
	// real MMS PDUs (structured Data inside a Read response) stay well below 20 levels.
	maxDepth = 32
)

// BER errors. Sentinels: comparing them does not allocate.
var (
	errBERShort      = errors.New("mms: BER value runs past its container")
	errBERIndefinite = errors.New("mms: BER indefinite length")
	errBERLength     = errors.New("mms: BER length of more than four octets")
	errBERTag        = errors.New("mms: BER tag number too large")
	errBERDepth      = errors.New("mms: BER nesting too deep")
)

// tlv is one decoded BER element. val aliases the input.
type tlv struct {
	cls  uint8
	cons bool
	tag  uint32
	val  []byte
}

// is reports whether t has class cls, the constructed bit cons and tag number tag.
func (t *tlv) is(cls uint8, cons bool, tag uint32) bool {
	return t.cls == cls && t.cons == cons && t.tag == tag
}

// readTLV decodes the element at the start of b and returns it with its total length.
func readTLV(b []byte) (t tlv, n int, err error) {
	if len(b) < 2 {
		return t, 0, errBERShort
	}
	id := b[0]
	t.cls, t.cons, t.tag = id>>6, id&0x20 != 0, uint32(id&0x1f)
	i := 1
	if t.tag == 0x1f { // multi-octet tag number: base-128, high bit = more
		t.tag = 0
		for {
			if i >= len(b) {
				return t, 0, errBERShort
			}
			c := b[i]
			i++
			t.tag = t.tag<<7 | uint32(c&0x7f)
			if t.tag >= maxTagNumber {
				return t, 0, errBERTag
			}
			if c&0x80 == 0 {
				break
			}
		}
	}
	if i >= len(b) {
		return t, 0, errBERShort
	}
	l := int(b[i])
	i++
	if l == 0x80 {
		return t, 0, errBERIndefinite
	}
	if l > 0x80 {
		k := l & 0x7f
		if k > 4 {
			return t, 0, errBERLength
		}
		if i+k > len(b) {
			return t, 0, errBERShort
		}
		l = 0
		for j := 0; j < k; j++ {
			l = l<<8 | int(b[i+j])
		}
		i += k
		if l < 0 {
			return t, 0, errBERLength
		}
	}
	if l > len(b)-i {
		return t, 0, errBERShort
	}
	t.val = b[i : i+l : i+l]
	return t, i + l, nil
}

// berIter walks the elements of a constructed value in order.
type berIter struct {
	b   []byte
	err error
}

// next returns the next element; ok is false at the end or on an error (see err).
func (it *berIter) next() (t tlv, ok bool) {
	if len(it.b) == 0 || it.err != nil {
		return t, false
	}
	t, n, err := readTLV(it.b)
	if err != nil {
		it.err = err
		return t, false
	}
	it.b = it.b[n:]
	return t, true
}

// wellFormed checks that b is a sequence of complete BER elements whose constructed values
// nest correctly, at most maxDepth deep. It walks iteratively with a fixed stack.
func wellFormed(b []byte) error {
	var ends [maxDepth + 1]int
	depth := 0
	ends[0] = len(b)
	off := 0
	for {
		for depth > 0 && off == ends[depth] {
			depth--
		}
		if off == ends[0] {
			return nil
		}
		t, n, err := readTLV(b[off:ends[depth]])
		if err != nil {
			return err
		}
		if t.cons && len(t.val) > 0 {
			if depth == maxDepth {
				return errBERDepth
			}
			depth++
			ends[depth] = off + n
			off += n - len(t.val)
			continue
		}
		off += n
	}
}

// berUint decodes a non-negative INTEGER of at most eight octets; ok is false otherwise.
func berUint(v []byte) (uint64, bool) {
	if len(v) == 0 || len(v) > 9 || v[0]&0x80 != 0 {
		return 0, false
	}
	if len(v) == 9 {
		if v[0] != 0 {
			return 0, false
		}
		v = v[1:]
	}
	var x uint64
	for _, c := range v {
		x = x<<8 | uint64(c)
	}
	return x, true
}

// berInt decodes a signed INTEGER of at most eight octets.
func berInt(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 8 {
		return 0, false
	}
	x := int64(int8(v[0]))
	for _, c := range v[1:] {
		x = x<<8 | int64(c)
	}
	return x, true
}
