package dns

import (
	"net/netip"
	"strconv"
)

// header is the fixed 12-byte DNS header (RFC 1035 §4.1.1; AD/CD of RFC 4035 §3.2 are the
// low bits of Z, which Zeek logs as a 3-bit number).
type header struct {
	id             uint16
	qr             bool
	opcode         uint8
	aa, tc, rd, ra bool
	z              uint8
	rcode          uint8
	qd, an, ns, ar uint16
}

func parseHeader(b []byte) (h header, ok bool) {
	if len(b) < hdrLen {
		return h, false
	}
	flags := uint16(b[2])<<8 | uint16(b[3])
	h.id = uint16(b[0])<<8 | uint16(b[1])
	h.qr = flags&0x8000 != 0
	h.opcode = uint8(flags>>11) & 15
	h.aa = flags&0x0400 != 0
	h.tc = flags&0x0200 != 0
	h.rd = flags&0x0100 != 0
	h.ra = flags&0x0080 != 0
	h.z = uint8(flags>>4) & 7
	h.rcode = uint8(flags & 15)
	h.qd = uint16(b[4])<<8 | uint16(b[5])
	h.an = uint16(b[6])<<8 | uint16(b[7])
	h.ns = uint16(b[8])<<8 | uint16(b[9])
	h.ar = uint16(b[10])<<8 | uint16(b[11])
	return h, true
}

// problem is what stopped the walk of a message; its name is the weird reported.
type problem uint8

const (
	probNone problem = iota
	probTruncated
	probForwardPointer
	probPointerLoop
	probLabelTooLong
	probNameTooLong
	probRDLength
)

var problemWeird = [...]string{
	probTruncated:      "dns_truncated",
	probForwardPointer: "dns_label_forward_compress_offset",
	probPointerLoop:    "dns_compression_pointer_loop",
	probLabelTooLong:   "dns_label_too_long",
	probNameTooLong:    "dns_name_too_long",
	probRDLength:       "dns_truncated_rr_rdlength",
}

// readName decodes the domain name at msg[off:] (RFC 1035 §3.1, §4.1.4) by appending its
// labels, dot-separated, in lower case and without the root's trailing dot, to dst. It returns the offset
// after the name in the message. A compression pointer must point before the label that holds
// it (as Zeek requires), which also rules out loops; labels longer than 63 bytes are allowed
// only for NetBIOS names.
func readName(msg []byte, off int, dst []byte, netbios bool) ([]byte, int, problem) {
	pos, next, ptrs, start := off, -1, 0, len(dst)
	for {
		if pos >= len(msg) {
			return dst, 0, probTruncated
		}
		l := int(msg[pos])
		switch {
		case l == 0:
			if next < 0 {
				next = pos + 1
			}
			return dst, next, probNone
		case l&0xc0 == 0xc0:
			if pos+1 >= len(msg) {
				return dst, 0, probTruncated
			}
			ptr := (l&0x3f)<<8 | int(msg[pos+1])
			if ptr >= pos {
				return dst, 0, probForwardPointer
			}
			if ptrs++; ptrs > maxPointers {
				return dst, 0, probPointerLoop
			}
			if next < 0 {
				next = pos + 2
			}
			pos = ptr
			continue
		case l > 63 && !netbios: // 0x40 and 0x80 are not label types (RFC 6891 §5); NBNS allows long labels
			return dst, 0, probLabelTooLong
		}
		if pos+1+l > len(msg) {
			return dst, 0, probTruncated
		}
		if len(dst)-start+l+1 > maxNameLen {
			return dst, 0, probNameTooLong
		}
		if len(dst) > start {
			dst = append(dst, '.')
		}
		for _, c := range msg[pos+1 : pos+1+l] {
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A' // Zeek logs names in lower case
			}
			dst = append(dst, c)
		}
		pos += 1 + l
	}
}

// rr is one resource record (RFC 1035 §4.1.3); rdata is msg[rdOff:rdOff+rdLen].
type rr struct {
	typ, class uint16
	ttl        uint32
	rdOff      int
	rdLen      int
}

// readRR reads the fixed part of a record whose owner name was already decoded up to off.
func readRR(msg []byte, off int) (r rr, next int, prob problem) {
	if off+10 > len(msg) {
		return r, 0, probTruncated
	}
	b := msg[off:]
	r.typ = uint16(b[0])<<8 | uint16(b[1])
	r.class = uint16(b[2])<<8 | uint16(b[3])
	r.ttl = uint32(b[4])<<24 | uint32(b[5])<<16 | uint32(b[6])<<8 | uint32(b[7])
	r.rdLen = int(b[8])<<8 | int(b[9])
	r.rdOff = off + 10
	if r.rdOff+r.rdLen > len(msg) {
		return r, 0, probRDLength
	}
	return r, r.rdOff + r.rdLen, probNone
}

// formatRR appends Zeek's dns.log text for the record to dst (the strings of main.zeek's
// dns_*_reply handlers). ok reports whether Zeek's script sees the record at all (its handler
// calls do_reply, which also sets the query, AA, RA and rtt): false for the types main.zeek
// has no handler for (HINFO, CAA, SVCB, HTTPS, TKEY, TSIG, OPT, NB) and for malformed rdata
// (prob set). WKS and a TXT without strings are seen but add no text.
func formatRR(msg []byte, owner []byte, r rr, update, netbios bool, dst []byte) (out []byte, ok bool, prob problem) {
	rd := msg[r.rdOff : r.rdOff+r.rdLen]
	switch r.typ {
	case typeA:
		if len(rd) != 4 {
			return dst, false, probRDLength
		}
		if update && !netbios {
			dst = append(append(append(dst, "A "...), owner...), ' ')
		}
		return netip.AddrFrom4([4]byte(rd)).AppendTo(dst), true, probNone
	case typeAAAA, typeA6:
		if len(rd) != 16 {
			return dst, false, probRDLength
		}
		if update && !netbios {
			if r.typ == typeA6 {
				dst = append(dst, "A6 "...)
			} else {
				dst = append(dst, "AAAA "...)
			}
			dst = append(append(dst, owner...), ' ')
		}
		return netip.AddrFrom16([16]byte(rd)).Unmap().AppendTo(dst), true, probNone
	case typeNS, typeCNAME, typePTR, typeSOA:
		out, _, p := readName(msg, r.rdOff, dst, netbios)
		return out, p == probNone, p
	case typeMX:
		if len(rd) < 3 {
			return dst, false, probRDLength
		}
		out, _, p := readName(msg, r.rdOff+2, dst, netbios)
		return out, p == probNone, p
	case typeSRV:
		if netbios {
			return dst, false, probNone // NBSTAT: node status, not an SRV
		}
		if len(rd) < 7 {
			return dst, false, probRDLength
		}
		out, _, p := readName(msg, r.rdOff+6, dst, netbios)
		return out, p == probNone, p
	case typeTXT, typeSPF:
		word := "TXT "
		if r.typ == typeSPF {
			word = "SPF "
		}
		n := len(dst)
		for i := 0; i < len(rd); {
			l := int(rd[i])
			if i+1+l > len(rd) {
				l = len(rd) - i - 1
			}
			if len(dst) > n {
				dst = append(dst, ' ')
			}
			dst = append(dst, word...)
			dst = strconv.AppendInt(dst, int64(l), 10)
			dst = append(dst, ' ')
			dst = append(dst, rd[i+1:i+1+l]...)
			i += 1 + l
		}
		return dst, true, probNone
	case typeNAPTR:
		// RFC 3403 §4.1: ORDER PREFERENCE FLAGS SERVICES REGEXP REPLACEMENT.
		if len(rd) < 4 {
			return dst, false, probRDLength
		}
		dst = append(dst, "NAPTR "...)
		dst = strconv.AppendUint(dst, uint64(rd[0])<<8|uint64(rd[1]), 10)
		dst = append(dst, ' ')
		dst = strconv.AppendUint(dst, uint64(rd[2])<<8|uint64(rd[3]), 10)
		i := 4
		var strs [3][]byte
		for k := range strs {
			if i >= len(rd) || i+1+int(rd[i]) > len(rd) {
				return dst, false, probRDLength
			}
			strs[k] = rd[i+1 : i+1+int(rd[i])]
			i += 1 + int(rd[i])
		}
		dst = append(append(dst, ' '), strs[0]...)
		dst = append(append(dst, ' '), strs[1]...)
		dst = append(append(dst, ' '), strs[2]...)
		mark := len(dst)
		if len(strs[2]) > 0 {
			dst = append(dst, ' ')
		}
		out, _, p := readName(msg, r.rdOff+i, dst, netbios)
		if p != probNone {
			return out, false, p
		}
		if len(out) == mark+1 && len(strs[2]) > 0 { // empty replacement: drop the separator
			out = out[:mark]
		}
		return out, true, probNone
	case typeRRSIG:
		// RFC 4034 §3.1: type covered, algorithm, labels, original TTL, expiration,
		// inception, key tag, signer's name, signature.
		if len(rd) < 19 {
			return dst, false, probRDLength
		}
		dst = append(dst, "RRSIG "...)
		dst = strconv.AppendUint(dst, uint64(rd[0])<<8|uint64(rd[1]), 10)
		dst = append(dst, ' ')
		mark := len(dst)
		out, _, p := readName(msg, r.rdOff+18, dst, netbios)
		if p != probNone {
			return out, false, p
		}
		if len(out) == mark {
			out = append(out, "<Root>"...)
		}
		return out, true, probNone
	case typeDNSKEY:
		if len(rd) < 4 {
			return dst, false, probRDLength
		}
		return strconv.AppendUint(append(dst, "DNSKEY "...), uint64(rd[3]), 10), true, probNone
	case typeNSEC:
		dst = append(append(append(dst, "NSEC "...), owner...), ' ')
		out, _, p := readName(msg, r.rdOff, dst, netbios)
		return out, p == probNone, p
	case typeNSEC3:
		return append(dst, "NSEC3"...), true, probNone
	case typeNSEC3PARAM:
		return append(dst, "NSEC3PARAM"...), true, probNone
	case typeDS:
		if len(rd) < 4 {
			return dst, false, probRDLength
		}
		dst = strconv.AppendUint(append(dst, "DS "...), uint64(rd[2]), 10)
		return strconv.AppendUint(append(dst, ' '), uint64(rd[3]), 10), true, probNone
	case typeBINDS:
		return append(dst, "BIND9 signing signal"...), true, probNone
	case typeSSHFP:
		if len(rd) < 2 {
			return dst, false, probRDLength
		}
		dst = append(dst, "SSHFP: "...)
		const digits = "0123456789abcdef"
		for _, c := range rd[2:] {
			dst = append(dst, digits[c>>4], digits[c&15])
		}
		return dst, true, probNone
	case typeLOC:
		// RFC 1876 §2: VERSION SIZE HORIZ_PRE VERT_PRE …; Zeek prints the raw octets.
		if len(rd) < 4 {
			return dst, false, probRDLength
		}
		dst = strconv.AppendUint(append(dst, "LOC:  "...), uint64(rd[1]), 10)
		dst = strconv.AppendUint(append(dst, ' '), uint64(rd[2]), 10)
		return strconv.AppendUint(append(dst, ' '), uint64(rd[3]), 10), true, probNone
	case typeWKS:
		return dst, true, probNone
	case typeHINFO, typeCAA, typeNB, typeOPT, typeTSIG, typeTKEY, typeSVCB, typeHTTPS:
		return dst, false, probNone
	}
	dst = strconv.AppendUint(append(dst, "<unknown type="...), uint64(r.typ), 10)
	return append(dst, '>'), true, probNone
}

// appendTypeName appends Zeek's query_types name of t ("query-N" when unnamed).
func appendTypeName(dst []byte, t uint16) []byte {
	if n := typeName(t); n != "" {
		return append(dst, n...)
	}
	return strconv.AppendUint(append(dst, "query-"...), uint64(t), 10)
}

// formatUpdate appends the text Zeek writes for an RFC 2136 prerequisite (§2.4) or a delete
// in the update section (§2.5.2-4); ok=false means the update record is an ordinary add.
func formatUpdate(owner []byte, r rr, sec int, dst []byte) ([]byte, bool) {
	if sec == secPrereq {
		dst = append(dst, "pre: "...)
		switch {
		case r.class == classNONE && r.typ == typeANY:
			dst = append(append(dst, "NameNotInUse "...), owner...)
		case r.class == classANY && r.typ == typeANY:
			dst = append(append(dst, "NameInUse "...), owner...)
		case r.class == classNONE:
			dst = appendTypeName(append(dst, "NoRRSet "...), r.typ)
			dst = append(append(dst, ' '), owner...)
		default:
			dst = appendTypeName(append(dst, "RRSetExists "...), r.typ)
			dst = append(append(dst, ' '), owner...)
		}
		return dst, true
	}
	switch {
	case r.class == classANY && r.typ == typeANY:
		return append(append(dst, "del: RRSet * "...), owner...), true
	case r.class == classNONE:
		dst = appendTypeName(append(dst, "del: RR "...), r.typ)
		return append(append(dst, ' '), owner...), true
	case r.class == classANY:
		return appendTypeName(append(dst, "del: RRSet "...), r.typ), true
	}
	return dst, false
}

// decodeNetBIOS undoes the first-level encoding of a NetBIOS name (RFC 1001 §14.1): 32
// letters 'A'..'P' become 16 bytes, the 16th being the suffix (name type). Like Zeek's
// decode_netbios_name it keeps the leading printable characters of the first 15 (the padding
// spaces end the name) and it appends them to dst; ok is false when enc is not an encoded
// NetBIOS name of exactly 32 letters.
func decodeNetBIOS(enc []byte, dst []byte) (out []byte, suffix byte, ok bool) {
	if len(enc) != 32 {
		return dst, 0, false
	}
	var raw [16]byte
	for i := 0; i < 16; i++ {
		hi, lo := upper(enc[2*i])-'A', upper(enc[2*i+1])-'A'
		if hi > 15 || lo > 15 {
			return dst, 0, false
		}
		raw[i] = hi<<4 | lo
	}
	for _, c := range raw[:15] {
		if !(c > 0x20 && c < 0x7f) && c >= 3 {
			break
		}
		dst = append(dst, c)
	}
	return dst, raw[15], true
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 32
	}
	return c
}
