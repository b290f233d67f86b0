package goose

import "github.com/quietwire/quietwire/dissect/wire"

// tlv reads one BER TLV with a single-octet tag and a definite length of at most four octets
// (high tag numbers and the indefinite form are not used here and count as malformed).
func tlv(b []byte) (tag byte, val []byte, n int, ok bool) { return wire.TLV(b, 4) }

// berInt decodes a BER INTEGER of 1..8 octets (two's complement).
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

// pdu is one decoded GOOSE frame. Byte slices alias the frame.
type pdu struct {
	appid, length        uint16
	reserved1, reserved2 uint16
	have                 uint16 // has* bits
	malformed            bool

	gocbRef, datSet, goID []byte
	ttl                   int64
	t                     [8]byte // UtcTime: seconds(4) fraction(3) quality(1)
	stNum, sqNum          int64
	confRev, numEntries   int64
	simulation, ndsCom    bool
	allData               []byte // the whole [11] TLV, as hashed by ICSNPP
	entries               int    // top-level Data elements in allData
	allDataBad            bool   // allData's content is not well-formed BER
}

// parseAPDU decodes the goosePdu in apdu into p. A structural error (bad TLV, unknown tag,
// bad primitive size) sets p.malformed and clears every decoded field, as ICSNPP reports a
// malformed_asn1 frame with default values.
func (p *pdu) parseAPDU(apdu []byte) {
	tag, body, _, ok := tlv(apdu)
	if !ok || tag != tagGoosePdu {
		p.fail()
		return
	}
	for len(body) > 0 {
		tag, v, n, ok := tlv(body)
		if !ok {
			p.fail()
			return
		}
		whole := body[:n:n]
		body = body[n:]
		switch tag {
		case tagGocbRef:
			p.gocbRef, p.have = v, p.have|hasGocbRef
		case tagDatSet:
			p.datSet, p.have = v, p.have|hasDatSet
		case tagGoID:
			p.goID, p.have = v, p.have|hasGoID
		case tagT:
			if len(v) != 8 {
				p.fail()
				return
			}
			copy(p.t[:], v)
			p.have |= hasT
		case tagTTL, tagStNum, tagSqNum, tagConfRev, tagNumEntries:
			x, ok := berInt(v)
			if !ok {
				p.fail()
				return
			}
			switch tag {
			case tagTTL:
				p.ttl, p.have = x, p.have|hasTTL
			case tagStNum:
				p.stNum, p.have = x, p.have|hasStNum
			case tagSqNum:
				p.sqNum, p.have = x, p.have|hasSqNum
			case tagConfRev:
				p.confRev, p.have = x, p.have|hasConfRev
			default:
				p.numEntries, p.have = x, p.have|hasNumEntries
			}
		case tagSimulation, tagNdsCom:
			if len(v) != 1 {
				p.fail()
				return
			}
			if tag == tagSimulation {
				p.simulation, p.have = v[0] != 0, p.have|hasSimulation
			} else {
				p.ndsCom, p.have = v[0] != 0, p.have|hasNdsCom
			}
		case tagAllData:
			p.allData, p.have = whole, p.have|hasAllData
			p.entries, p.allDataBad = countData(v, 0)
		case tagSecurity:
			p.have |= hasSecurity
		default:
			p.fail()
			return
		}
	}
}

// countData walks a SEQUENCE OF Data and returns the number of top-level elements and
// whether any element is malformed (bad TLV or nesting deeper than maxNesting).
func countData(b []byte, depth int) (n int, bad bool) {
	if depth > maxNesting {
		return 0, true
	}
	for len(b) > 0 {
		tag, v, m, ok := tlv(b)
		if !ok {
			return n, true
		}
		if tag&0x20 != 0 {
			if _, sub := countData(v, depth+1); sub {
				return n, true
			}
		}
		n++
		b = b[m:]
	}
	return n, false
}

func (p *pdu) fail() {
	*p = pdu{appid: p.appid, length: p.length, reserved1: p.reserved1, reserved2: p.reserved2, malformed: true}
}

// status returns ICSNPP's parse_status and parse_error for p.
func (p *pdu) status() (string, string) {
	switch {
	case p.malformed:
		return statusFailed, errMalformed
	case p.have&hasGocbRef == 0:
		return statusFailed, errMissingRequired
	case p.have&required != required:
		return statusPartial, errMissingRequired
	case p.have&hasAllData == 0:
		return statusPartial, errMissingAllData
	}
	return statusOK, errNone
}

// utcTime converts a UtcTime to seconds and microseconds (fraction is a 24-bit binary
// fraction of a second, rounded to the microsecond as Zeek prints times).
func utcTime(t [8]byte) (sec uint64, usec uint64) {
	sec = uint64(t[0])<<24 | uint64(t[1])<<16 | uint64(t[2])<<8 | uint64(t[3])
	frac := uint64(t[4])<<16 | uint64(t[5])<<8 | uint64(t[6])
	usec = (frac*1_000_000 + 1<<23) >> 24
	if usec >= 1_000_000 {
		sec, usec = sec+1, usec-1_000_000
	}
	return sec, usec
}
