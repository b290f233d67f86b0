// Package wire is a sticky-error reader for parsing binary PDUs without allocating.
//
// Every read past the end sets the error and returns zero values; callers read fields in a
// straight line and check Err() once. Bytes returns sub-slices of the input (no copy).
package wire

import "errors"

// ErrShort is the error of a read past the end of the buffer.
var ErrShort = errors.New("wire: truncated")

// Reader reads fields from b.
type Reader struct {
	b   []byte
	off int
	err error
}

// New returns a reader over b.
func New(b []byte) Reader { return Reader{b: b} }

// Reset points the reader at b.
func (r *Reader) Reset(b []byte) { r.b, r.off, r.err = b, 0, nil }

func (r *Reader) need(n int) bool {
	if r.err != nil {
		return false
	}
	if n < 0 || len(r.b)-r.off < n {
		r.err = ErrShort
		r.off = len(r.b)
		return false
	}
	return true
}

// Err returns the first error, or nil.
func (r *Reader) Err() error { return r.err }

// Pos returns the offset of the next unread byte.
func (r *Reader) Pos() int { return r.off }

// Len returns how many bytes are left.
func (r *Reader) Len() int { return len(r.b) - r.off }

// Rest returns the unread bytes without consuming them.
func (r *Reader) Rest() []byte { return r.b[r.off:] }

// Skip skips n bytes.
func (r *Reader) Skip(n int) {
	if r.need(n) {
		r.off += n
	}
}

// U8 reads one byte.
func (r *Reader) U8() uint8 {
	if !r.need(1) {
		return 0
	}
	v := r.b[r.off]
	r.off++
	return v
}

// U16BE reads a big-endian uint16.
func (r *Reader) U16BE() uint16 {
	if !r.need(2) {
		return 0
	}
	v := uint16(r.b[r.off])<<8 | uint16(r.b[r.off+1])
	r.off += 2
	return v
}

// U16LE reads a little-endian uint16.
func (r *Reader) U16LE() uint16 {
	if !r.need(2) {
		return 0
	}
	v := uint16(r.b[r.off]) | uint16(r.b[r.off+1])<<8
	r.off += 2
	return v
}

// U24BE reads a big-endian 24-bit value.
func (r *Reader) U24BE() uint32 {
	if !r.need(3) {
		return 0
	}
	v := uint32(r.b[r.off])<<16 | uint32(r.b[r.off+1])<<8 | uint32(r.b[r.off+2])
	r.off += 3
	return v
}

// U24LE reads a little-endian 24-bit value.
func (r *Reader) U24LE() uint32 {
	if !r.need(3) {
		return 0
	}
	v := uint32(r.b[r.off]) | uint32(r.b[r.off+1])<<8 | uint32(r.b[r.off+2])<<16
	r.off += 3
	return v
}

// U32BE reads a big-endian uint32.
func (r *Reader) U32BE() uint32 {
	if !r.need(4) {
		return 0
	}
	b := r.b[r.off:]
	r.off += 4
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

// U32LE reads a little-endian uint32.
func (r *Reader) U32LE() uint32 {
	if !r.need(4) {
		return 0
	}
	b := r.b[r.off:]
	r.off += 4
	return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24
}

// U64LE reads a little-endian uint64.
func (r *Reader) U64LE() uint64 {
	lo := uint64(r.U32LE())
	hi := uint64(r.U32LE())
	return lo | hi<<32
}

// U64BE reads a big-endian uint64.
func (r *Reader) U64BE() uint64 {
	hi := uint64(r.U32BE())
	lo := uint64(r.U32BE())
	return lo | hi<<32
}

// Bytes returns the next n bytes (a sub-slice, not a copy).
func (r *Reader) Bytes(n int) []byte {
	if !r.need(n) {
		return nil
	}
	v := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return v
}

// Sub returns a reader over the next n bytes and skips them.
func (r *Reader) Sub(n int) Reader {
	b := r.Bytes(n)
	if b == nil {
		return Reader{err: r.err}
	}
	return Reader{b: b}
}
