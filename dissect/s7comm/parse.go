package s7comm

import "errors"

// Parse errors (sentinels, no allocation).
var (
	ErrS7Short   = errors.New("s7comm: header truncated")
	ErrPlusShort = errors.New("s7comm: S7comm-plus header truncated")
)

// Header is an S7comm PDU header with its parameter and data parts (aliasing the input).
// Spec: Wireshark packet-s7comm.c (S7 has no public specification): protocol id 0x32,
// ROSCTR, redundancy id, PDU reference, parameter length, data length, and for ACK/ACK-Data
// an error class and code.
type Header struct {
	ROSCTR    uint8
	Ref       uint16 // PDU reference as on the wire (big endian)
	ParamLen  uint16
	DataLen   uint16
	HasError  bool // ACK / ACK-Data carry error class and code
	ErrClass  uint8
	ErrCode   uint8
	Param     []byte
	Data      []byte
	Truncated bool // parameter + data lengths exceed the TSDU: Param/Data are clipped
}

// ParseHeader decodes the S7comm header at the start of b (b[0] == ProtoS7).
func ParseHeader(b []byte) (h Header, err error) {
	if len(b) < 10 {
		return h, ErrS7Short
	}
	h.ROSCTR = b[1]
	h.Ref = be16(b[4:])
	h.ParamLen, h.DataLen = be16(b[6:]), be16(b[8:])
	off := 10
	if h.ROSCTR == RosAck || h.ROSCTR == RosAckData {
		if len(b) < 12 {
			return h, ErrS7Short
		}
		h.HasError, h.ErrClass, h.ErrCode = true, b[10], b[11]
		off = 12
	}
	rest := b[off:]
	pl, dl := int(h.ParamLen), int(h.DataLen)
	if pl > len(rest) {
		h.Truncated = true
		pl = len(rest)
	}
	h.Param = rest[:pl:pl]
	rest = rest[pl:]
	if dl > len(rest) {
		h.Truncated = true
		dl = len(rest)
	}
	h.Data = rest[:dl:dl]
	return h, nil
}

// UserData is the parameter part of a User-Data PDU (ROSCTR 7).
type UserData struct {
	Method   uint8 // 0x11 request, 0x12 response
	Type     uint8 // upper nibble of the type/group byte: UDPush, UDRequest, UDResponse
	Group    uint8 // lower nibble: GrpCPU, GrpSecurity…
	Sub      uint8
	Seq      uint8
	HasError bool // 8-byte parameter: data unit reference, last-unit flag, error code
	DataRef  uint8
	LastUnit uint8 // 0x00: last data unit, 0x01: more follow
	ErrCode  uint16
}

// TypeGroup returns the type/group byte ICSNPP logs as function_code.
func (u UserData) TypeGroup() uint8 { return u.Type<<4 | u.Group }

// ParseUserData decodes a User-Data parameter part: head (3), length (1), method (1),
// type/group (1), sub-function (1), sequence (1) [, data unit ref (1), last unit (1),
// error code (2)].
func ParseUserData(p []byte) (u UserData, ok bool) {
	if len(p) < 8 {
		return u, false
	}
	u.Method, u.Type, u.Group, u.Sub, u.Seq = p[4], p[5]>>4, p[5]&15, p[6], p[7]
	if p[3] >= 8 && len(p) >= 12 {
		u.HasError, u.DataRef, u.LastUnit, u.ErrCode = true, p[8], p[9], be16(p[10:])
	}
	return u, true
}

// UDData is the data part of a User-Data PDU: return code, transport size, length, payload.
type UDData struct {
	Return  uint8
	TSize   uint8
	Payload []byte
}

// ParseUDData decodes the data part header; the payload is clipped to what is present.
func ParseUDData(d []byte) (u UDData, ok bool) {
	if len(d) < 4 {
		return u, false
	}
	u.Return, u.TSize = d[0], d[1]
	n := int(be16(d[2:]))
	rest := d[4:]
	if n > len(rest) {
		n = len(rest)
	}
	u.Payload = rest[:n:n]
	return u, true
}

// SZL is a Read-SZL request or first response fragment: id, index and, in responses, the
// partial list (entry length, entry count, entries).
type SZL struct {
	ID, Index uint16
	EntryLen  uint16
	Count     uint16
	Entries   []byte
}

// ParseSZL decodes an SZL payload. response selects whether a list header follows.
func ParseSZL(p []byte, response bool) (s SZL, ok bool) {
	if len(p) < 4 {
		return s, false
	}
	s.ID, s.Index = be16(p), be16(p[2:])
	if response && len(p) >= 8 {
		s.EntryLen, s.Count, s.Entries = be16(p[4:]), be16(p[6:]), p[8:]
	}
	return s, true
}

// Upload/download parameter fields (Job and ACK-Data of functions 0x1a–0x1f).
// Spec: Wireshark packet-s7comm.c s7comm_decode_plc_controls_updownload.
type UpDown struct {
	HasStatus  bool
	Status     uint8
	HasSession bool
	Session    uint32
	HasLength  bool
	BlockLen   uint32
	Filename   []byte
}

// ParseUpDown decodes the parameter part p (p[0] is the function) of an upload or download
// PDU. job selects the Job layout; otherwise the ACK-Data layout.
func ParseUpDown(p []byte, job bool) (u UpDown) {
	if len(p) < 2 {
		return u
	}
	fn := p[0]
	if job {
		// function, status, reserved (2), session id (4) [, name length, name
		// [, part-2 length, "1", load memory length (6 ASCII), MC7 length (6 ASCII)]]
		u.HasStatus, u.Status = true, p[1]
		if len(p) < 8 {
			return u
		}
		u.HasSession, u.Session = true, be32(p[4:])
		if fn == FnUpload || fn == FnEndUpload || len(p) < 9 {
			return u
		}
		n := int(p[8])
		if 9+n > len(p) {
			n = len(p) - 9
		}
		u.Filename = p[9 : 9+n]
		if fn == FnRequestDownload && len(p) > 9+n {
			part := p[10+n:]
			if len(part) >= 7 && part[0] == '1' {
				if v, ok := atou(part[1:7]); ok {
					u.HasLength, u.BlockLen = true, v
				}
			}
		}
		return u
	}
	switch fn {
	case FnStartUpload:
		// function, status, reserved (2), session id (4), length-string length, length (ASCII)
		u.HasStatus, u.Status = true, p[1]
		if len(p) >= 8 {
			u.HasSession, u.Session = true, be32(p[4:])
		}
		if len(p) >= 9 {
			n := int(p[8])
			if 9+n <= len(p) {
				if v, ok := atou(p[9 : 9+n]); ok {
					u.HasLength, u.BlockLen = true, v
				}
			}
		}
	case FnUpload, FnDownloadBlock:
		// function, status [, then in the data part: length (2), 0x00fb, block data]
		u.HasStatus, u.Status = true, p[1]
	}
	return u
}

// atou parses an unsigned decimal ASCII field (spaces allowed as padding).
func atou(b []byte) (uint32, bool) {
	var v uint32
	digits := 0
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			if v > 1e8 {
				return 0, false
			}
			v = v*10 + uint32(c-'0')
			digits++
		case c == ' ':
		default:
			return 0, false
		}
	}
	return v, digits > 0
}

// PIService is a PLC Control (0x28) or PLC Stop (0x29) Job parameter: the service name and,
// for 0x28, its parameter block.
type PIService struct {
	Block   []byte
	Service []byte
}

// ParsePIService decodes p (p[0] is the function).
// 0x28: function, unknown (7), block length (2), block, name length (1), name.
// 0x29: function, unknown (5), name length (1), name.
func ParsePIService(p []byte) (s PIService, ok bool) {
	switch {
	case len(p) >= 11 && p[0] == FnPIService:
		bl := int(be16(p[8:]))
		if 10+bl >= len(p) {
			return s, false
		}
		s.Block = p[10 : 10+bl]
		n := int(p[10+bl])
		rest := p[11+bl:]
		if n > len(rest) {
			return s, false
		}
		s.Service = rest[:n]
		return s, true
	case len(p) >= 7 && p[0] == FnPLCStop:
		n := int(p[6])
		if 7+n > len(p) {
			return s, false
		}
		s.Service = p[7 : 7+n]
		return s, true
	}
	return s, false
}

// Item is one S7ANY variable specification of a Read/Write Var request.
type Item struct {
	TSize   uint8
	Count   uint16
	DB      uint16
	Area    uint8
	Address uint32 // bit address
}

// FirstItem decodes the first 12-byte S7ANY item of a Read/Write Var parameter part
// (function, item count, items) and returns the item count.
func FirstItem(p []byte) (it Item, count int, ok bool) {
	if len(p) < 2 {
		return it, 0, false
	}
	count = int(p[1])
	if len(p) < 14 || p[2] != 0x12 || p[4] != 0x10 {
		return it, count, false
	}
	q := p[2:]
	it.TSize, it.Count, it.DB, it.Area = q[3], be16(q[4:]), be16(q[6:]), q[8]
	it.Address = uint32(q[9])<<16 | uint32(q[10])<<8 | uint32(q[11])
	return it, count, true
}

// Plus is an S7comm-plus frame header. Spec: Wireshark s7comm_plus plugin: protocol id 0x72,
// version, data length; version 3 puts an integrity part (digest length, digest) before the
// data; the data starts with opcode, reserved (2), function (2).
type Plus struct {
	Version uint8
	Length  uint16
	Opcode  uint8
	HasFn   bool
	Fn      uint16
	Trailer bool // the frame ends with the 4-byte trailer (0x72, version, 0x0000)
}

// ParsePlus decodes an S7comm-plus frame (b[0] == ProtoS7Plus).
func ParsePlus(b []byte) (h Plus, err error) {
	if len(b) < 4 {
		return h, ErrPlusShort
	}
	h.Version, h.Length = b[1], be16(b[2:])
	if end := 4 + int(h.Length); end+4 <= len(b) && b[end] == ProtoS7Plus && b[end+2] == 0 && b[end+3] == 0 {
		h.Trailer = true
	}
	d := b[4:]
	if h.Version == 3 {
		if len(d) < 1 || 1+int(d[0]) > len(d) {
			return h, ErrPlusShort
		}
		d = d[1+int(d[0]):]
	}
	if len(d) < 1 {
		return h, ErrPlusShort
	}
	h.Opcode = d[0]
	if (h.Opcode == PlusRequest || h.Opcode == PlusResponse || h.Opcode == PlusResponse2) && len(d) >= 5 {
		h.HasFn, h.Fn = true, be16(d[3:])
	}
	return h, nil
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
