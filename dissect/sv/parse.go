package sv

import "github.com/quietwire/quietwire/dissect/wire"

// tlv reads one BER TLV with a single-octet tag and a definite length of at most four octets
// (high tag numbers and the indefinite form are not used here and count as malformed).
func tlv(b []byte) (tag byte, val []byte, n int, ok bool) { return wire.TLV(b, 4) }

func be(v []byte) uint32 {
	var x uint32
	for _, c := range v {
		x = x<<8 | uint32(c)
	}
	return x
}

// asdu is one decoded ASDU. Slices alias the frame.
type asdu struct {
	svID, datSet []byte
	smpCnt       uint16
	confRev      uint32
	smpSynch     uint8
	smpRate      uint16
	hasRate      bool
	hasRefrTm    bool
}

// frame is one decoded SV frame.
type frame struct {
	appid, length, reserved1 uint16
	noASDU                   int
	asdus                    [maxASDU]asdu
	n                        int // ASDUs decoded
	security                 bool
}

// parseAPDU decodes the savPdu into f; false means malformed.
func (f *frame) parseAPDU(b []byte) bool {
	tag, body, _, ok := tlv(b)
	if !ok || tag != tagSavPdu {
		return false
	}
	seen := false
	for len(body) > 0 {
		tag, v, n, ok := tlv(body)
		if !ok {
			return false
		}
		body = body[n:]
		switch tag {
		case tagNoASDU:
			if len(v) == 0 || len(v) > 2 {
				return false
			}
			f.noASDU, seen = int(be(v)), true
		case tagSec:
			f.security = true
		case tagSeqASDU:
			for len(v) > 0 {
				t, a, m, ok := tlv(v)
				if !ok || t != tagASDU {
					return false
				}
				v = v[m:]
				if f.n == maxASDU {
					continue
				}
				if !f.asdus[f.n].parse(a) {
					return false
				}
				f.n++
			}
		default:
			return false
		}
	}
	return seen && f.n > 0
}

// parse decodes one ASDU; false when a mandatory field is missing or has a wrong size.
func (a *asdu) parse(b []byte) bool {
	*a = asdu{}
	var have uint8
	for len(b) > 0 {
		tag, v, n, ok := tlv(b)
		if !ok {
			return false
		}
		b = b[n:]
		switch tag {
		case tagSvID:
			a.svID, have = v, have|1
		case tagDatSet:
			a.datSet = v
		case tagSmpCnt:
			if len(v) != 2 {
				return false
			}
			a.smpCnt, have = uint16(be(v)), have|2
		case tagConfRev:
			if len(v) != 4 {
				return false
			}
			a.confRev, have = be(v), have|4
		case tagRefrTm:
			a.hasRefrTm = len(v) == 8
		case tagSmpSynch:
			if len(v) != 1 {
				return false
			}
			a.smpSynch, have = v[0], have|8
		case tagSmpRate:
			if len(v) != 2 {
				return false
			}
			a.smpRate, a.hasRate = uint16(be(v)), true
		case tagSeqData:
			have |= 16
		case tagSmpMod:
		default:
			return false
		}
	}
	return have == 31
}
