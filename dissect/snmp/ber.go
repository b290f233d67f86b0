package snmp

import "github.com/quietwire/quietwire/dissect/wire"

// BER (ITU-T X.690) as SNMP uses it: definite lengths only, single-byte tags. The reader
// returns sub-slices of the datagram and never allocates.

// ASN.1 and SNMP tags. Spec: RFC 3416 §3 (PDUs), RFC 2578 §7.1 (application types).
const (
	tagInteger   = 0x02
	tagOctets    = 0x04
	tagNull      = 0x05
	tagOID       = 0x06
	tagSequence  = 0x30
	tagIPAddress = 0x40
	tagCounter32 = 0x41
	tagGauge32   = 0x42
	tagTimeTicks = 0x43
	tagOpaque    = 0x44
	tagCounter64 = 0x46
)

// maxLenBytes caps the long-form length: 4 bytes already exceed any UDP datagram.
const maxLenBytes = 4

// ber reads TLVs from b.
type ber struct {
	b   []byte
	bad bool // a TLV did not fit or used a form SNMP forbids
}

// next returns the next TLV. ok is false at the end or on a malformed TLV (bad is set).
func (r *ber) next() (tag byte, v []byte, ok bool) {
	if r.bad || len(r.b) == 0 {
		return 0, nil, false
	}
	// The high-tag-number form is not used by SNMP; 0x80 (indefinite length) is malformed.
	tag, v, n, ok := wire.TLV(r.b, maxLenBytes)
	if !ok {
		r.bad = true
		return 0, nil, false
	}
	r.b = r.b[n:]
	return tag, v, true
}

// expect reads the next TLV and checks its tag.
func (r *ber) expect(tag byte) ([]byte, bool) {
	t, v, ok := r.next()
	if !ok || t != tag {
		r.bad = true
		return nil, false
	}
	return v, true
}

// integer reads an INTEGER of at most 8 bytes.
func (r *ber) integer() (int64, bool) {
	v, ok := r.expect(tagInteger)
	if !ok {
		return 0, false
	}
	n, ok := toInt(v)
	if !ok {
		r.bad = true
	}
	return n, ok
}

func toInt(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 8 {
		return 0, false
	}
	n := int64(int8(v[0]))
	for _, c := range v[1:] {
		n = n<<8 | int64(c)
	}
	return n, true
}

// toUint decodes an unsigned application value (Counter32, Gauge32, TimeTicks, Counter64),
// whose encoding may carry a leading zero byte.
func toUint(v []byte) (uint64, bool) {
	if len(v) == 0 || len(v) > 9 || len(v) == 9 && v[0] != 0 {
		return 0, false
	}
	var n uint64
	for _, c := range v {
		n = n<<8 | uint64(c)
	}
	return n, true
}

// appendOID appends the dotted form of an encoded OBJECT IDENTIFIER (X.690 §8.19). Used for
// facts and event details only.
func appendOID(b, v []byte) []byte {
	var n uint64
	first := true
	for i, c := range v {
		if n > 1<<56 { // absurd arc: stop rather than overflow
			return append(b, "..."...)
		}
		n = n<<7 | uint64(c&0x7f)
		if c&0x80 != 0 && i < len(v)-1 {
			continue
		}
		if first {
			first = false
			switch {
			case n < 40:
				b = append(b, '0', '.')
			case n < 80:
				b = append(b, '1', '.')
				n -= 40
			default:
				b = append(b, '2', '.')
				n -= 80
			}
		} else {
			b = append(b, '.')
		}
		b = appendUint(b, n)
		n = 0
	}
	return b
}

func appendUint(b []byte, n uint64) []byte {
	var d [20]byte
	i := len(d)
	for {
		i--
		d[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, d[i:]...)
}

// enterprise returns the IANA private enterprise number of an OID under 1.3.6.1.4.1
// (encoded 2b 06 01 04 01), or -1.
func enterprise(v []byte) int64 {
	if len(v) < 6 || v[0] != 0x2b || v[1] != 6 || v[2] != 1 || v[3] != 4 || v[4] != 1 {
		return -1
	}
	var n int64
	for _, c := range v[5:] {
		n = n<<7 | int64(c&0x7f)
		if n > 1<<32 {
			return -1
		}
		if c&0x80 == 0 {
			return n
		}
	}
	return -1
}
