package dnp3

// Pure, stateless parsing: link frames, application headers and object headers. Nothing here
// allocates; returned slices alias the input.

// linkHeader is the fixed part of a data link frame. Spec: IEEE 1815-2012 §9.2.4.
type linkHeader struct {
	length uint8  // LEN: CTRL+DST+SRC+user data, CRCs excluded
	ctrl   uint8  // DIR PRM FCB/FCV function
	dst    uint16 // little-endian on the wire
	src    uint16
}

// frameLen returns the number of bytes on the wire of a frame whose LEN field is length
// (header, user data and one CRC per 16-byte block). length must be ≥ minLinkLen.
func frameLen(length uint8) int {
	n := int(length) - minLinkLen
	return linkHeaderLen + n + 2*((n+15)/16)
}

// parseLinkHeader decodes the first linkHeaderLen bytes of b, which must start with 05 64.
func parseLinkHeader(b []byte) linkHeader {
	return linkHeader{
		length: b[2],
		ctrl:   b[3],
		dst:    uint16(b[4]) | uint16(b[5])<<8,
		src:    uint16(b[6]) | uint16(b[7])<<8,
	}
}

// userData copies the user data of a complete frame into dst (without the block CRCs) and
// reports whether every block CRC matched (always true when check is false).
func userData(dst []byte, frame []byte, check bool) ([]byte, bool) {
	ok := true
	p := frame[linkHeaderLen:]
	n := int(frame[2]) - minLinkLen
	for n > 0 {
		k := min(n, 16)
		if check && !crcOK(p[:k], p[k:k+2]) {
			ok = false
		}
		dst = append(dst, p[:k]...)
		p = p[k+2:]
		n -= k
	}
	return dst, ok
}

// appHeader is the application layer header. Spec: IEEE 1815-2012 §4.2.2.
type appHeader struct {
	ac   uint8 // application control: FIR FIN CON UNS SEQ
	fc   uint8
	iin  uint16 // responses only: IIN1<<8 | IIN2
	resp bool
	size int // 2 for requests, 4 for responses
}

// parseAppHeader decodes the header of an application fragment. ok is false when the fragment
// is too short for its header.
func parseAppHeader(b []byte) (h appHeader, ok bool) {
	if len(b) < 2 {
		return h, false
	}
	h.ac, h.fc, h.size = b[0], b[1], 2
	if isResponse(h.fc) {
		if len(b) < 4 {
			return h, false
		}
		h.resp, h.iin, h.size = true, uint16(b[2])<<8|uint16(b[3]), 4
	}
	return h, true
}

// Object walk outcomes.
const (
	walkOK         = iota
	walkTruncated  // object header or data runs past the fragment
	walkUnknownObj // no size for this group/variation: the rest cannot be parsed
	walkBadQual    // reserved prefix or range code, or packed objects with a prefix
	walkBadRange   // stop index below start index
	walkTooMany    // header or point cap hit
)

// objHeader is one object header and the object data that follows it.
// Spec: IEEE 1815-2012 §4.2.2.7.
type objHeader struct {
	group, variation, qual uint8
	prefix                 uint8  // qualifier bits 6..4: 0 none, 1–3 index of 1/2/4 bytes, 4–6 size of 1/2/4 bytes
	rng                    uint8  // qualifier bits 3..0
	start, stop            uint32 // range codes 0–5
	count                  uint32 // number of objects
	data                   []byte // the objects, prefixes included; empty for header-only requests
	objSize                int    // fixed object size in bytes, or a size* marker
	packedBits             int    // > 0: bit-packed objects
}

// prefixLen returns the byte width of the prefix code (index or size), 0 for none.
func prefixLen(code uint8) int {
	switch code {
	case 1, 4:
		return 1
	case 2, 5:
		return 2
	case 3, 6:
		return 4
	}
	return 0
}

// headersOnly reports whether the objects of a request with function fc are headers without
// data (reads, freezes, class assignment, unsolicited enabling). Freeze-at-time requests carry
// one g50 time object before their headers.
func headersOnly(fc uint8, group uint8) bool {
	switch fc {
	case fcRead, fcImmedFreeze, fcImmedFreezeNR, fcFreezeClear, fcFreezeClearNR,
		fcEnableUnsolicited, fcDisableUnsolicited, fcAssignClass:
		return true
	case fcFreezeAtTime, fcFreezeAtTimeNR:
		return group != 50
	}
	return false
}

// objWalker iterates over the object headers of one application fragment.
type objWalker struct {
	b          []byte
	off        int
	fc         uint8
	resp       bool
	headers    int
	points     uint64
	maxHeaders int
	maxPoints  uint64
	err        int
}

func (w *objWalker) reset(objs []byte, fc uint8, resp bool, maxHeaders, maxPoints int) {
	*w = objWalker{b: objs, fc: fc, resp: resp, maxHeaders: maxHeaders, maxPoints: uint64(maxPoints)}
}

func le(b []byte) uint32 {
	var v uint32
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint32(b[i])
	}
	return v
}

// next decodes the next header into h. It returns false at the end of the fragment or on an
// error (w.err says which).
func (w *objWalker) next(h *objHeader) bool {
	if w.err != walkOK || w.off >= len(w.b) {
		return false
	}
	b := w.b[w.off:]
	if len(b) < 3 {
		w.err = walkTruncated
		return false
	}
	if w.headers >= w.maxHeaders {
		w.err = walkTooMany
		return false
	}
	*h = objHeader{group: b[0], variation: b[1], qual: b[2], prefix: b[2] >> 4 & 7, rng: b[2] & 0x0f}
	p := 3
	switch h.rng {
	case 0, 1, 2, 3, 4, 5:
		n := 1 << (h.rng % 3) // 1, 2, 4 bytes each
		if len(b) < p+2*n {
			w.err = walkTruncated
			return false
		}
		h.start, h.stop = le(b[p:p+n]), le(b[p+n:p+2*n])
		p += 2 * n
		if h.stop < h.start {
			w.err = walkBadRange
			return false
		}
		h.count = h.stop - h.start + 1
	case 6:
	case 7, 8, 9, 0x0b:
		n := 1
		if h.rng == 8 {
			n = 2
		} else if h.rng == 9 {
			n = 4
		}
		if len(b) < p+n {
			w.err = walkTruncated
			return false
		}
		h.count = le(b[p : p+n])
		p += n
	default:
		w.err = walkBadQual
		return false
	}
	if h.prefix == 7 {
		w.err = walkBadQual
		return false
	}
	w.headers++
	w.points += uint64(h.count)
	if w.points > w.maxPoints {
		w.err = walkTooMany
		return false
	}
	dataLen, code := w.dataLen(h, b[p:])
	if code != walkOK {
		w.err = code
		return false
	}
	h.data = b[p : p+dataLen]
	w.off += p + dataLen
	return true
}

// dataLen returns how many bytes of rest belong to the objects of h.
func (w *objWalker) dataLen(h *objHeader, rest []byte) (int, int) {
	// Size-prefixed objects carry data even in reads (file transport: READ g70v5).
	if h.rng == 6 || (!w.resp && headersOnly(w.fc, h.group) && h.prefix < 4) || h.count == 0 {
		return 0, walkOK
	}
	if h.variation == 0 && h.group != 110 && h.group != 111 && h.group != 112 && h.group != 113 {
		// Variation 0 ("any") only appears in requests without data.
		return 0, walkUnknownObj
	}
	size, bits := objectSize(h.group, h.variation)
	h.objSize, h.packedBits = size, bits
	if size == sizeUnknown {
		return 0, walkUnknownObj
	}
	if bits > 0 {
		if h.prefix != 0 {
			return 0, walkBadQual
		}
		n := (uint64(h.count)*uint64(bits) + 7) / 8
		if n > uint64(len(rest)) {
			return 0, walkTruncated
		}
		return int(n), walkOK
	}
	pl := prefixLen(h.prefix)
	sizePrefixed := h.prefix >= 4
	if size == sizeVarPfx && !sizePrefixed {
		return 0, walkUnknownObj
	}
	if size >= 0 && !sizePrefixed {
		n := uint64(h.count) * uint64(pl+size)
		if n > uint64(len(rest)) {
			return 0, walkTruncated
		}
		return int(n), walkOK
	}
	// Walk object by object: size prefixes or self-describing g0 attributes.
	off := 0
	for i := uint32(0); i < h.count; i++ {
		if off+pl > len(rest) {
			return 0, walkTruncated
		}
		var sz int
		switch {
		case sizePrefixed:
			sz = int(le(rest[off : off+pl]))
		case size == sizeAttr:
			if off+pl+2 > len(rest) {
				return 0, walkTruncated
			}
			sz = 2 + int(rest[off+pl+1])
		}
		off += pl
		if sz > len(rest)-off {
			return 0, walkTruncated
		}
		off += sz
	}
	return off, walkOK
}

// objIter iterates over the objects of one header. index is the point index (from the
// prefix, or the range start plus position); obj is the object without its prefix. Packed
// objects are not iterated.
type objIter struct {
	h   *objHeader
	off int
	i   uint32
}

func (it *objIter) next() (index uint32, obj []byte, ok bool) {
	h := it.h
	if h.packedBits > 0 || it.i >= h.count || it.off >= len(h.data) {
		return 0, nil, false
	}
	pl := prefixLen(h.prefix)
	rest := h.data[it.off:]
	if len(rest) < pl {
		return 0, nil, false
	}
	switch {
	case h.prefix >= 1 && h.prefix <= 3:
		index = le(rest[:pl])
	case h.rng <= 5:
		index = h.start + it.i
	default:
		index = it.i
	}
	var sz int
	switch {
	case h.prefix >= 4:
		sz = int(le(rest[:pl]))
	case h.objSize == sizeAttr:
		if len(rest) < pl+2 {
			return 0, nil, false
		}
		sz = 2 + int(rest[pl+1])
	default:
		sz = h.objSize
	}
	if sz < 0 || len(rest) < pl+sz || (h.prefix >= 4 && h.objSize >= 0 && sz != h.objSize) {
		return 0, nil, false // a size prefix contradicting the object's fixed size
	}
	it.off += pl + sz
	it.i++
	return index, rest[pl : pl+sz], true
}
