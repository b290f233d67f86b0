package ntp

import "math"

// packet is an NTP header (RFC 5905 §7.3, Figure 8).
type packet struct {
	leap, version, mode uint8
	stratum             uint8
	poll, precision     int8
	rootDelay, rootDisp uint32 // NTP short format, 16.16 seconds
	refID               [4]byte
	refTime, orgTime    uint64 // NTP timestamp format, 32.32 seconds since 1900
	recTime, xmtTime    uint64
	numExts             int
}

// parse decodes the header of an NTP datagram; ok is false when it is too short or its
// version is not 1..4. Control (mode 6) and private (mode 7) messages have another layout:
// only leap, version and mode are decoded for them.
func parse(b []byte, p *packet) (ok bool) {
	*p = packet{}
	if len(b) < 1 {
		return false
	}
	p.leap, p.version, p.mode = b[0]>>6, (b[0]>>3)&7, b[0]&7
	if p.version < 1 || p.version > 4 {
		return false
	}
	if p.mode == modeControl || p.mode == modePrivate {
		return len(b) >= 4
	}
	if len(b) < hdrLen {
		return false
	}
	p.stratum, p.poll, p.precision = b[1], int8(b[2]), int8(b[3])
	p.rootDelay = be32(b[4:])
	p.rootDisp = be32(b[8:])
	copy(p.refID[:], b[12:16])
	p.refTime, p.orgTime = be64(b[16:]), be64(b[24:])
	p.recTime, p.xmtTime = be64(b[32:]), be64(b[40:])
	// RFC 7822 §7.5: extension fields (type, length, value padded to 4) before an optional
	// MAC of 20 or 24 bytes.
	rest := b[hdrLen:]
	for len(rest) > 24 {
		l := int(rest[2])<<8 | int(rest[3])
		if l < 16 || l%4 != 0 || l > len(rest) {
			break
		}
		p.numExts++
		rest = rest[l:]
	}
	return true
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}
func be64(b []byte) uint64 { return uint64(be32(b))<<32 | uint64(be32(b[4:])) }

// unixTime converts an NTP timestamp to seconds since 1970; 0 stays 0 (Zeek's "unset" time).
func unixTime(ts uint64) float64 {
	if ts == 0 {
		return 0
	}
	sec := float64(ts>>32) - ntpEpochOffset
	return sec + float64(ts&0xffffffff)/4294967296
}

// shortSeconds converts the NTP short format (16.16) to seconds.
func shortSeconds(v uint32) float64 { return float64(v) / 65536 }

// log2Seconds is 2^e seconds (poll and precision are log2 exponents).
func log2Seconds(e int8) float64 { return math.Ldexp(1, int(e)) }
