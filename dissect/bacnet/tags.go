package bacnet

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// Application tag numbers. Spec: 135-2020 clause 20.2.1.4.
const (
	appNull        = 0
	appBoolean     = 1
	appUnsigned    = 2
	appSigned      = 3
	appReal        = 4
	appDouble      = 5
	appOctetString = 6
	appCharString  = 7
	appBitString   = 8
	appEnumerated  = 9
	appDate        = 10
	appTime        = 11
	appObjectID    = 12
)

// tag is one decoded BACnet tag (135-2020 clause 20.2.1). data aliases the parsed buffer.
type tag struct {
	num   uint32 // tag number (application datatype or context tag number)
	ctx   bool   // context-specific class
	open  bool   // opening tag (context class, LVT 6)
	close bool   // closing tag (context class, LVT 7)
	lvt   uint32 // length/value/type field: the value itself for an application boolean
	data  []byte // content octets
}

// readTag decodes the tag at the start of b. n is the bytes it spans; ok is false when the
// tag is malformed or runs past b (a truncated tag).
func readTag(b []byte) (t tag, n int, ok bool) {
	if len(b) == 0 {
		return t, 0, false
	}
	h := b[0]
	t.num, t.ctx, t.lvt = uint32(h>>4), h&0x08 != 0, uint32(h&0x07)
	n = 1
	if t.num == 15 { // extended tag number (20.2.1.2)
		if len(b) < 2 {
			return t, 0, false
		}
		t.num = uint32(b[1])
		n = 2
	}
	if t.ctx && t.lvt == 6 {
		t.open = true
		return t, n, true
	}
	if t.ctx && t.lvt == 7 {
		t.close = true
		return t, n, true
	}
	if !t.ctx && t.num == appBoolean { // value in LVT, no content octets (20.2.3)
		return t, n, t.lvt <= 1
	}
	l := t.lvt
	switch {
	case l == 5: // extended length (20.2.1.3.1)
		if len(b) <= n {
			return t, 0, false
		}
		e := b[n]
		n++
		switch e {
		case 254:
			if len(b) < n+2 {
				return t, 0, false
			}
			l = uint32(b[n])<<8 | uint32(b[n+1])
			n += 2
		case 255:
			if len(b) < n+4 {
				return t, 0, false
			}
			l = uint32(b[n])<<24 | uint32(b[n+1])<<16 | uint32(b[n+2])<<8 | uint32(b[n+3])
			n += 4
		default:
			l = uint32(e)
		}
	case l > 5: // LVT 6/7 of an application tag: not an opening/closing tag, malformed
		return t, 0, false
	}
	if uint64(len(b)-n) < uint64(l) {
		return t, 0, false
	}
	t.lvt = l
	t.data = b[n : n+int(l) : n+int(l)]
	return t, n + int(l), true
}

// tagReader walks the tags of a service body.
type tagReader struct {
	b   []byte
	off int
	bad bool // a malformed or truncated tag was met
}

// next returns the next tag; false at the end or on a malformed tag (bad is then set).
func (r *tagReader) next() (tag, bool) {
	if r.off >= len(r.b) {
		return tag{}, false
	}
	t, n, ok := readTag(r.b[r.off:])
	if !ok {
		r.bad = true
		r.off = len(r.b)
		return tag{}, false
	}
	r.off += n
	return t, true
}

// peek returns the next tag without consuming it.
func (r *tagReader) peek() (tag, bool) {
	if r.off >= len(r.b) {
		return tag{}, false
	}
	t, _, ok := readTag(r.b[r.off:])
	return t, ok
}

// isCtx reports whether t is the primitive context tag n.
func (t tag) isCtx(n uint32) bool { return t.ctx && !t.open && !t.close && t.num == n }

// isOpen / isClose report whether t is the opening / closing context tag n.
func (t tag) isOpen(n uint32) bool  { return t.open && t.num == n }
func (t tag) isClose(n uint32) bool { return t.close && t.num == n }

// isApp reports whether t is an application tag of type n.
func (t tag) isApp(n uint32) bool { return !t.ctx && t.num == n }

// skipBlock consumes tags up to and including the closing tag that matches an opening tag
// already consumed; false when the body ends first.
func (r *tagReader) skipBlock() bool {
	depth := 1
	for {
		t, ok := r.next()
		if !ok {
			return false
		}
		if t.open {
			depth++
		} else if t.close {
			depth--
			if depth == 0 {
				return true
			}
		}
	}
}

// unsigned decodes big-endian unsigned content (20.2.4); longer than 8 octets keeps the low 8.
func unsigned(d []byte) uint64 {
	var v uint64
	for _, c := range d {
		v = v<<8 | uint64(c)
	}
	return v
}

// signed decodes two's-complement content (20.2.5).
func signed(d []byte) int64 {
	if len(d) == 0 {
		return 0
	}
	v := int64(int8(d[0]))
	for _, c := range d[1:] {
		v = v<<8 | int64(c)
	}
	return v
}

// objectID splits a BACnetObjectIdentifier (20.2.14): 10-bit type, 22-bit instance.
func objectID(d []byte) (typ, inst uint32, ok bool) {
	if len(d) != 4 {
		return 0, 0, false
	}
	v := uint32(d[0])<<24 | uint32(d[1])<<16 | uint32(d[2])<<8 | uint32(d[3])
	return v >> 22, v & 0x3fffff, true
}

const hexDigits = "0123456789abcdef"

func appendHex2(b []byte, v uint8) []byte { return append(b, hexDigits[v>>4], hexDigits[v&15]) }

// appendObjectType appends the object type's name, or ICSNPP's spelling for unknown types.
func appendObjectType(b []byte, typ uint32) []byte {
	if n := name(objectTypeNames[:], typ); n != "" {
		return append(b, n...)
	}
	b = append(b, "Unknown Object Type-0x"...)
	if typ < 256 {
		return appendHex2(b, uint8(typ))
	}
	return strconv.AppendUint(b, uint64(typ), 16)
}

// appendProperty appends the property identifier's name (ICSNPP: "Vendor Specific (n)").
func appendProperty(b []byte, prop uint32) []byte {
	if n := name(propertyNames[:], prop); n != "" {
		return append(b, n...)
	}
	b = append(b, "Vendor Specific ("...)
	b = strconv.AppendUint(b, uint64(prop), 10)
	return append(b, ')')
}

// appendVendor appends the vendor's name from the embedded table (ICSNPP spelling for ids
// outside it: "Unknown Vendor-0x<hex>").
func appendVendor(b []byte, id uint64) []byte {
	if id < uint64(len(vendorNames)) {
		return append(b, vendorNames[id]...)
	}
	b = append(b, "Unknown Vendor-0x"...)
	return strconv.AppendUint(b, id, 16)
}

// appendValue renders an application-tagged value as ICSNPP does (parse_tag): reals with six
// decimals, dates m/d/yyyy, times h:m:s.hh, object ids "type: instance", bit strings as T/F,
// octet strings in hex. For the properties ICSNPP renders by name (event-state, units,
// reliability, …) enumerated and unsigned values become names. ok is false when the value has
// no text (null, an unsupported character set, a context-tagged value).
func appendValue(b []byte, t tag, prop uint32) ([]byte, bool) {
	if t.ctx || t.open || t.close {
		return b, false
	}
	d := t.data
	switch t.num {
	case appNull:
		return b, false
	case appBoolean:
		if t.lvt == 1 {
			return append(b, "true"...), true
		}
		return append(b, "false"...), true
	case appUnsigned, appEnumerated:
		v := unsigned(d)
		if v <= math.MaxUint32 {
			if n, known := enumName(prop, uint32(v)); known {
				if n == "" {
					b = append(b, "Vendor Specific ("...)
					b = strconv.AppendUint(b, v, 10)
					return append(b, ')'), true
				}
				return append(b, n...), true
			}
		}
		return strconv.AppendUint(b, v, 10), true
	case appSigned:
		return strconv.AppendInt(b, signed(d), 10), true
	case appReal:
		if len(d) != 4 {
			return b, false
		}
		f := math.Float32frombits(uint32(unsigned(d)))
		return strconv.AppendFloat(b, float64(f), 'f', 6, 64), true
	case appDouble:
		if len(d) != 8 {
			return b, false
		}
		return strconv.AppendFloat(b, math.Float64frombits(unsigned(d)), 'f', 6, 64), true
	case appOctetString:
		for _, c := range d {
			b = appendHex2(b, c)
		}
		return b, len(d) > 0
	case appCharString:
		return appendCharString(b, d)
	case appBitString:
		if len(d) < 1 {
			return b, false
		}
		bits := (len(d)-1)*8 - int(d[0]&7)
		for i := 0; i < bits; i++ {
			if d[1+i/8]&(0x80>>(i%8)) != 0 {
				b = append(b, 'T')
			} else {
				b = append(b, 'F')
			}
		}
		return b, bits > 0
	case appDate:
		if len(d) != 4 {
			return b, false
		}
		b = strconv.AppendUint(b, uint64(d[1]), 10)
		b = append(b, '/')
		b = strconv.AppendUint(b, uint64(d[2]), 10)
		b = append(b, '/')
		return strconv.AppendUint(b, 1900+uint64(d[0]), 10), true
	case appTime:
		if len(d) != 4 {
			return b, false
		}
		b = strconv.AppendUint(b, uint64(d[0]), 10)
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(d[1]), 10)
		b = append(b, ':')
		b = strconv.AppendUint(b, uint64(d[2]), 10)
		b = append(b, '.')
		return strconv.AppendUint(b, uint64(d[3]), 10), true
	case appObjectID:
		typ, inst, ok := objectID(d)
		if !ok {
			return b, false
		}
		b = appendObjectType(b, typ)
		b = append(b, ':', ' ')
		return strconv.AppendUint(b, uint64(inst), 10), true
	}
	return b, false
}

// appendCharString decodes a CharacterString (20.2.9): UTF-8 (0), UCS-2 big-endian (4) and
// ISO 8859-1 (5) become UTF-8; other character sets (DBCS, JIS, UCS-4) are not decoded.
func appendCharString(b []byte, d []byte) ([]byte, bool) {
	if len(d) == 0 {
		return b, false
	}
	s := d[1:]
	switch d[0] {
	case 0:
		return append(b, s...), len(s) > 0
	case 4:
		for i := 0; i+1 < len(s); i += 2 {
			b = utf8.AppendRune(b, rune(s[i])<<8|rune(s[i+1]))
		}
		return b, len(s) > 1
	case 5:
		for _, c := range s {
			b = utf8.AppendRune(b, rune(c))
		}
		return b, len(s) > 0
	}
	return b, false
}
