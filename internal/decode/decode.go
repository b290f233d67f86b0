// Package decode turns a captured frame into a view of its L2–L4 headers without copying or
// allocating: Ethernet, 802.1Q/QinQ, Linux cooked (SLL, SLL2), raw IP, IPv4 with bounded
// fragment reassembly, IPv6 with extension headers and fragments, TCP, UDP, ICMP/ICMPv6.
//
// A Decoder is owned by one worker. The Packet it returns is valid until the next Decode; its
// slices alias the frame (or, for reassembled fragments, the decoder's own buffer).
package decode

import (
	"encoding/binary"
)

// Reason names why a frame went no further. Every frame read is either handed on (OK,
// FragHeld) or counted under one of the drop reasons.
type Reason uint8

const (
	OK               Reason = iota // decoded; Packet is valid
	FragHeld                       // an IP fragment, kept for reassembly (counted as decoded)
	DropLinkType                   // link type not supported
	DropTruncL2                    // frame shorter than its link-layer header
	DropTruncIP                    // shorter than the IP header it claims
	DropBadIP                      // bad IP version, header length or total length
	DropTruncL4                    // shorter than the TCP/UDP/ICMP header
	DropBadL4                      // impossible TCP data offset
	DropFragOverflow               // fragment table or fragment size cap hit
	DropFragBad                    // fragment overlapping inconsistently or past 64 KiB
	DropIPv6ExtChain               // extension header chain too long or truncated
	DropTooManyVLANs               // more than 2 VLAN tags
	DropBadChecksum                // TCP/UDP checksum wrong (only with Config.VerifyChecksums)
	NumReasons
)

var reasonNames = [NumReasons]string{
	OK:               "decoded",
	FragHeld:         "ip_fragment_held",
	DropLinkType:     "unsupported_link_type",
	DropTruncL2:      "truncated_link_header",
	DropTruncIP:      "truncated_ip_header",
	DropBadIP:        "bad_ip_header",
	DropTruncL4:      "truncated_l4_header",
	DropBadL4:        "bad_tcp_header",
	DropFragOverflow: "ip_fragment_overflow",
	DropFragBad:      "ip_fragment_bad",
	DropIPv6ExtChain: "ipv6_bad_extension_chain",
	DropTooManyVLANs: "too_many_vlan_tags",
	DropBadChecksum:  "bad_l4_checksum",
}

func (r Reason) String() string {
	if r < NumReasons {
		return reasonNames[r]
	}
	return "unknown"
}

// Ethertypes the decoder knows.
const (
	EtherIPv4     = 0x0800
	EtherARP      = 0x0806
	EtherVLAN     = 0x8100
	EtherQinQ     = 0x88a8
	EtherQinQ9100 = 0x9100
	EtherIPv6     = 0x86dd
)

// IP protocols.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoICMPv6 = 58
)

// TCP flags.
const (
	FIN = 0x01
	SYN = 0x02
	RST = 0x04
	PSH = 0x08
	ACK = 0x10
	URG = 0x20
	ECE = 0x40
	CWR = 0x80
)

// Packet is a decoded view.
type Packet struct {
	TS int64

	HasEth bool
	Src    [6]byte // Ethernet source (or SLL address when 6 bytes long)
	Dst    [6]byte
	VLANs  [2]uint16
	NVLAN  int
	// EtherType of the payload after tags (for 802.3 frames with a length field: 0 and LLC set).
	EtherType uint16
	LLC       bool   // 802.3 length + LLC header follows in L2Payload
	L2Payload []byte // bytes after the Ethernet/VLAN headers (trimmed to the 802.3 length)

	IPVersion uint8 // 0 if not IP
	SrcIP     [16]byte
	DstIP     [16]byte
	IPLen     int // IP datagram length (header + payload) as on the wire, for ip_bytes
	Proto     uint8
	Frag      bool // this view is a reassembled datagram

	SrcPort, DstPort uint16
	Seq, Ack         uint32
	Flags            uint8
	Win              uint16
	ICMPType         uint8
	ICMPCode         uint8

	Payload []byte // L4 payload (TCP/UDP data, ICMP body)
	WireLen int
}

// Config bounds the decoder.
type Config struct {
	MaxFragDatagrams int   // datagrams being reassembled at once (default 256)
	FragTimeout      int64 // ns a datagram may wait for its fragments (default 30 s)
	// VerifyChecksums drops TCP and UDP packets whose checksum is wrong, as Zeek does by
	// default. Off by default: captures taken on a host carry checksum-offloaded packets
	// whose checksums were never filled in, and a SPAN's traffic was checked by the wire.
	VerifyChecksums bool
}

// Decoder decodes frames for one worker.
type Decoder struct {
	p      Packet
	frag   fragTable
	verify bool
	// snapped: the frame was cut by the capture's snap length (wire length > captured), so
	// an IP length past the end is expected rather than a sign of a broken packet.
	snapped bool
}

// New returns a decoder.
func New(c Config) *Decoder {
	if c.MaxFragDatagrams <= 0 {
		c.MaxFragDatagrams = 256
	}
	if c.FragTimeout <= 0 {
		c.FragTimeout = 30e9
	}
	d := &Decoder{verify: c.VerifyChecksums}
	d.frag.init(c.MaxFragDatagrams, c.FragTimeout)
	return d
}

// FragStats returns fragment counters: datagrams reassembled and expired incomplete.
func (d *Decoder) FragStats() (reassembled, expired uint64) {
	return d.frag.reassembled, d.frag.expired
}

// Decode decodes one frame of link type lt. The returned Packet is valid when the reason is OK.
func (d *Decoder) Decode(lt uint16, data []byte, ts int64, wireLen int) (*Packet, Reason) {
	p := &d.p
	*p = Packet{TS: ts, WireLen: wireLen}
	d.snapped = wireLen > len(data)
	switch lt {
	case 1: // Ethernet
		return d.ether(data)
	case 101, 12: // raw IP
		return d.rawIP(data)
	case 228:
		return d.ipv4(data)
	case 229:
		return d.ipv6(data)
	case 113: // SLL
		if len(data) < 16 {
			return p, DropTruncL2
		}
		if binary.BigEndian.Uint16(data[4:]) == 6 {
			copy(p.Src[:], data[6:12])
			p.HasEth = true
		}
		return d.l3(binary.BigEndian.Uint16(data[14:]), data[16:])
	case 276: // SLL2
		if len(data) < 20 {
			return p, DropTruncL2
		}
		if data[11] == 6 {
			copy(p.Src[:], data[12:18])
			p.HasEth = true
		}
		return d.l3(binary.BigEndian.Uint16(data), data[20:])
	case 0, 108: // BSD / OpenBSD loopback
		if len(data) < 4 {
			return p, DropTruncL2
		}
		fam := binary.LittleEndian.Uint32(data)
		if lt == 108 || fam > 0xffff {
			fam = binary.BigEndian.Uint32(data)
		}
		switch fam {
		case 2:
			return d.ipv4(data[4:])
		case 10, 24, 28, 30:
			return d.ipv6(data[4:])
		}
		return p, DropLinkType
	}
	return p, DropLinkType
}

func (d *Decoder) ether(data []byte) (*Packet, Reason) {
	p := &d.p
	if len(data) < 14 {
		return p, DropTruncL2
	}
	copy(p.Dst[:], data[0:6])
	copy(p.Src[:], data[6:12])
	p.HasEth = true
	et := binary.BigEndian.Uint16(data[12:])
	b := data[14:]
	for et == EtherVLAN || et == EtherQinQ || et == EtherQinQ9100 {
		if len(b) < 4 {
			return p, DropTruncL2
		}
		if p.NVLAN == 2 {
			return p, DropTooManyVLANs
		}
		p.VLANs[p.NVLAN] = binary.BigEndian.Uint16(b) & 0x0fff
		p.NVLAN++
		et = binary.BigEndian.Uint16(b[2:])
		b = b[4:]
	}
	if et < 0x0600 { // 802.3 length field: LLC follows
		p.LLC = true
		if int(et) < len(b) {
			b = b[:et]
		}
		p.L2Payload = b
		return p, OK
	}
	return d.l3(et, b)
}

func (d *Decoder) l3(et uint16, b []byte) (*Packet, Reason) {
	p := &d.p
	p.EtherType = et
	p.L2Payload = b
	switch et {
	case EtherIPv4:
		return d.ipv4(b)
	case EtherIPv6:
		return d.ipv6(b)
	}
	return p, OK // non-IP: L2 consumers (ARP, LLDP, GOOSE, PROFINET…) read L2Payload
}

func (d *Decoder) rawIP(b []byte) (*Packet, Reason) {
	if len(b) < 1 {
		return &d.p, DropTruncIP
	}
	switch b[0] >> 4 {
	case 4:
		return d.ipv4(b)
	case 6:
		return d.ipv6(b)
	}
	return &d.p, DropBadIP
}

func (d *Decoder) ipv4(b []byte) (*Packet, Reason) {
	p := &d.p
	p.EtherType = EtherIPv4
	if len(b) < 20 {
		return p, DropTruncIP
	}
	if b[0]>>4 != 4 {
		return p, DropBadIP
	}
	ihl := int(b[0]&0x0f) * 4
	if ihl < 20 {
		return p, DropBadIP
	}
	if len(b) < ihl {
		return p, DropTruncIP
	}
	total := int(binary.BigEndian.Uint16(b[2:]))
	if total == 0 && len(b) > 65535 { // TSO: length 0 on large frames
		total = len(b)
	}
	if total < ihl {
		if total != 0 {
			return p, DropBadIP
		}
		total = len(b) // some offloaded captures carry 0
	}
	p.IPVersion = 4
	p.IPLen = total
	copy(p.SrcIP[:4], b[12:16])
	copy(p.DstIP[:4], b[16:20])
	p.Proto = b[9]
	if total > len(b) && !d.snapped {
		// The IP header claims more than the frame holds, and the capture did not cut it:
		// a broken or forged packet (Zeek's truncated_IP). Its bytes are not trusted.
		return p, DropTruncIP
	}
	end := min(total, len(b)) // trim Ethernet padding; tolerate snaplen truncation
	fragOff := binary.BigEndian.Uint16(b[6:])
	if fragOff&0x3fff != 0 { // MF set or offset ≠ 0
		id := uint32(binary.BigEndian.Uint16(b[4:]))
		full, r := d.frag.add(p, id, int(fragOff&0x1fff)*8, fragOff&0x2000 != 0, b[ihl:end])
		if r != OK {
			return p, r
		}
		p.Frag = true
		p.IPLen = ihl + len(full)
		return d.l4(full)
	}
	return d.l4(b[ihl:end])
}

func (d *Decoder) ipv6(b []byte) (*Packet, Reason) {
	p := &d.p
	p.EtherType = EtherIPv6
	if len(b) < 40 {
		return p, DropTruncIP
	}
	if b[0]>>4 != 6 {
		return p, DropBadIP
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	p.IPVersion = 6
	p.IPLen = 40 + plen
	copy(p.SrcIP[:], b[8:24])
	copy(p.DstIP[:], b[24:40])
	if 40+plen > len(b) && plen != 0 && !d.snapped {
		return p, DropTruncIP
	}
	end := min(40+plen, len(b))
	if plen == 0 { // jumbogram or offload: take what is there
		end = len(b)
		p.IPLen = len(b)
	}
	next := b[6]
	rest := b[40:end]
	for i := 0; ; i++ {
		switch next {
		case 0, 43, 60, 135, 139, 140: // hop-by-hop, routing, dest opts, mobility, HIP, shim6
			if i == 8 {
				return p, DropIPv6ExtChain
			}
			if len(rest) < 8 {
				return p, DropIPv6ExtChain
			}
			l := (int(rest[1]) + 1) * 8
			if l > len(rest) {
				return p, DropIPv6ExtChain
			}
			next = rest[0]
			rest = rest[l:]
			continue
		case 51: // AH
			if len(rest) < 8 {
				return p, DropIPv6ExtChain
			}
			l := (int(rest[1]) + 2) * 4
			if l > len(rest) {
				return p, DropIPv6ExtChain
			}
			next = rest[0]
			rest = rest[l:]
			continue
		case 44: // fragment
			if len(rest) < 8 {
				return p, DropIPv6ExtChain
			}
			off := binary.BigEndian.Uint16(rest[2:])
			id := binary.BigEndian.Uint32(rest[4:])
			p.Proto = rest[0]
			if off&0xfff9 == 0 { // atomic fragment
				next = rest[0]
				rest = rest[8:]
				continue
			}
			full, r := d.frag.add(p, id, int(off&0xfff8), off&1 != 0, rest[8:])
			if r != OK {
				return p, r
			}
			p.Frag = true
			p.IPLen = 40 + len(full)
			return d.l4(full)
		}
		break
	}
	p.Proto = next
	return d.l4(rest)
}

func (d *Decoder) l4(b []byte) (*Packet, Reason) {
	p := &d.p
	if d.verify && !d.snapped && (p.Proto == ProtoTCP || p.Proto == ProtoUDP) && len(b) >= 8 && !l4ChecksumOK(p, b) {
		return p, DropBadChecksum
	}
	switch p.Proto {
	case ProtoTCP:
		if len(b) < 20 {
			return p, DropTruncL4
		}
		off := int(b[12]>>4) * 4
		if off < 20 {
			return p, DropBadL4
		}
		if off > len(b) {
			return p, DropTruncL4
		}
		p.SrcPort = binary.BigEndian.Uint16(b)
		p.DstPort = binary.BigEndian.Uint16(b[2:])
		p.Seq = binary.BigEndian.Uint32(b[4:])
		p.Ack = binary.BigEndian.Uint32(b[8:])
		p.Flags = b[13]
		p.Win = binary.BigEndian.Uint16(b[14:])
		p.Payload = b[off:]
	case ProtoUDP:
		if len(b) < 8 {
			return p, DropTruncL4
		}
		p.SrcPort = binary.BigEndian.Uint16(b)
		p.DstPort = binary.BigEndian.Uint16(b[2:])
		l := int(binary.BigEndian.Uint16(b[4:]))
		if l >= 8 && l <= len(b) {
			p.Payload = b[8:l]
		} else {
			p.Payload = b[8:]
		}
	case ProtoICMP, ProtoICMPv6:
		if len(b) < 4 {
			return p, DropTruncL4
		}
		p.ICMPType, p.ICMPCode = b[0], b[1]
		p.Payload = b[4:]
	default:
		p.Payload = b
	}
	return p, OK
}
