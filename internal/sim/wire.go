package sim

import (
	"encoding/binary"
	"net/netip"
)

// MAC is an Ethernet address.
type MAC [6]byte

func (m MAC) String() string {
	const hx = "0123456789abcdef"
	b := make([]byte, 0, 17)
	for i, c := range m {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hx[c>>4], hx[c&15])
	}
	return string(b)
}

var (
	bcastMAC = MAC{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	lldpMAC  = MAC{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}
	dcpMAC   = MAC{0x01, 0x0e, 0xcf, 0x00, 0x00, 0x00} // PROFINET DCP Identify multicast
)

const (
	etIPv4  = 0x0800
	etARP   = 0x0806
	etVLAN  = 0x8100
	etPN    = 0x8892
	etGOOSE = 0x88b8
	etLLDP  = 0x88cc
)

// ether builds an Ethernet II frame with an optional 802.1Q tag (vlan 0: untagged). Frames
// shorter than the 60-byte minimum are padded, as a NIC does.
func ether(dst, src MAC, vlan uint16, prio uint8, et uint16, payload []byte) []byte {
	n := 14 + len(payload)
	if vlan != 0 {
		n += 4
	}
	b := make([]byte, 0, max(n, 60))
	b = append(b, dst[:]...)
	b = append(b, src[:]...)
	if vlan != 0 {
		b = binary.BigEndian.AppendUint16(b, etVLAN)
		b = binary.BigEndian.AppendUint16(b, uint16(prio)<<13|vlan&0x0fff)
	}
	b = binary.BigEndian.AppendUint16(b, et)
	b = append(b, payload...)
	for len(b) < 60 {
		b = append(b, 0)
	}
	return b
}

// csumAdd folds b into a running one's-complement sum.
func csumAdd(sum uint32, b []byte) uint32 {
	for i := 0; i+1 < len(b); i += 2 {
		sum += uint32(b[i])<<8 | uint32(b[i+1])
	}
	if len(b)%2 == 1 {
		sum += uint32(b[len(b)-1]) << 8
	}
	return sum
}

func csumFold(sum uint32) uint16 {
	for sum>>16 != 0 {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// ipv4 builds an IPv4 header (no options, DF set) followed by l4, whose checksum (TCP or UDP)
// is computed here over the pseudo-header.
func ipv4(src, dst netip.Addr, proto uint8, id uint16, ttl uint8, l4 []byte) []byte {
	b := make([]byte, 20, 20+len(l4))
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(l4)))
	binary.BigEndian.PutUint16(b[4:], id)
	b[6] = 0x40
	b[8] = ttl
	b[9] = proto
	s4, d4 := src.As4(), dst.As4()
	copy(b[12:], s4[:])
	copy(b[16:], d4[:])
	binary.BigEndian.PutUint16(b[10:], csumFold(csumAdd(0, b)))
	var ck int
	switch proto {
	case 6:
		ck = 16
	case 17:
		ck = 6
	default:
		return append(b, l4...)
	}
	sum := csumAdd(0, s4[:])
	sum = csumAdd(sum, d4[:])
	sum += uint32(proto) + uint32(len(l4))
	l4[ck], l4[ck+1] = 0, 0
	c := csumFold(csumAdd(sum, l4))
	if proto == 17 && c == 0 {
		c = 0xffff
	}
	binary.BigEndian.PutUint16(l4[ck:], c)
	return append(b, l4...)
}

// TCP flag bits.
const (
	fFIN = 0x01
	fSYN = 0x02
	fRST = 0x04
	fPSH = 0x08
	fACK = 0x10
)

// tcpSeg builds a TCP header (with MSS, SACK-permitted and window-scale options on SYNs) and
// payload; ipv4 fills in the checksum.
func tcpSeg(sport, dport uint16, seq, ack uint32, flags uint8, win uint16, payload []byte) []byte {
	hl := 20
	if flags&fSYN != 0 {
		hl = 32
	}
	b := make([]byte, hl, hl+len(payload))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], seq)
	if flags&fACK != 0 {
		binary.BigEndian.PutUint32(b[8:], ack)
	}
	b[12] = byte(hl/4) << 4
	b[13] = flags
	binary.BigEndian.PutUint16(b[14:], win)
	if hl == 32 {
		copy(b[20:], []byte{2, 4, 0x05, 0xb4, 1, 3, 3, 0, 1, 1, 4, 2}) // MSS 1460, NOP, WS 0, NOP NOP SACK-perm
	}
	return append(b, payload...)
}

// udpDgram builds a UDP header and payload; ipv4 fills in the checksum.
func udpDgram(sport, dport uint16, payload []byte) []byte {
	b := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(b[0:], sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(8+len(payload)))
	return append(b, payload...)
}

// arpPkt builds an ARP payload (Ethernet/IPv4). op 1 request, 2 reply.
func arpPkt(op uint16, sha MAC, spa netip.Addr, tha MAC, tpa netip.Addr) []byte {
	b := []byte{0, 1, 8, 0, 6, 4, 0, byte(op)}
	s, t := spa.As4(), tpa.As4()
	b = append(b, sha[:]...)
	b = append(b, s[:]...)
	b = append(b, tha[:]...)
	return append(b, t[:]...)
}

// be helpers.
func u16(v uint16) []byte  { return []byte{byte(v >> 8), byte(v)} }
func u32(v uint32) []byte  { return []byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)} }
func le16(v uint16) []byte { return []byte{byte(v), byte(v >> 8)} }
func le32(v uint32) []byte {
	return []byte{byte(v), byte(v >> 8), byte(v >> 16), byte(v >> 24)}
}

func cat(parts ...[]byte) []byte {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]byte, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// padText returns s in an n-byte field padded with pad.
func padText(s string, n int, pad byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = pad
	}
	copy(b, s)
	return b
}

func le64(v uint64) []byte { return cat(le32(uint32(v)), le32(uint32(v>>32))) }
