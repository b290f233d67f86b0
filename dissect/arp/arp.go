package arp

import (
	"net/netip"
	"strconv"
)

// EtherType of ARP (RFC 826; IEEE 802 numbers registry).
const EtherType = 0x0806

// snapARP selects ARP in 802.2 SNAP frames: OUI 00-00-00 (EtherType encapsulation, RFC 1042),
// protocol id 0x0806.
const snapARP = 0x0000000806

// Hardware types (IANA "Hardware Types" registry).
const (
	hrdEther   = 1 // Ethernet (10Mb)
	hrdIEEE802 = 6 // IEEE 802 networks (token ring, 802.3 over SNAP)
)

// Protocol types (EtherType values).
const (
	proIPv4 = 0x0800
	proIPv6 = 0x86dd
)

// Operation codes (IANA "ARP Operation Codes": RFC 826, RFC 903, RFC 2390).
const (
	opRequest      = 1
	opReply        = 2
	opRARPRequest  = 3
	opRARPReply    = 4
	opInARPRequest = 8
	opInARPReply   = 9
)

// opName returns the arp.log spelling of an operation, "" for codes we do not know.
func opName(op uint16) string {
	switch op {
	case opRequest:
		return "request"
	case opReply:
		return "reply"
	case opRARPRequest:
		return "rarp_request"
	case opRARPReply:
		return "rarp_reply"
	case opInARPRequest:
		return "inarp_request"
	case opInARPReply:
		return "inarp_reply"
	}
	return ""
}

// fixedLen is the fixed part of an ARP packet: hrd(2) pro(2) hln(1) pln(1) op(2).
const fixedLen = 8

// packet is one decoded ARP packet. The slices alias the frame.
//
// Spec: RFC 826 "Packet format": ar$hrd, ar$pro, ar$hln, ar$pln, ar$op, ar$sha (hln bytes),
// ar$spa (pln bytes), ar$tha (hln bytes), ar$tpa (pln bytes).
type packet struct {
	hrd, pro uint16
	hln, pln uint8
	op       uint16
	sha, tha [6]byte
	spa, tpa netip.Addr
}

// Header problems, as Zeek's ARP analyzer names them (bad_arp explanations).
type problem uint8

const (
	okPacket problem = iota
	probTruncated
	probCorruptHrd // hrd known, hln wrong
	probUnknownHrd // hrd not Ethernet/IEEE 802
	probCorruptPro // pro known, pln wrong
	probUnknownPro // pro neither IPv4 nor IPv6
	probUnknownOp  // op not in the table
)

// parse decodes b (the bytes after the Ethertype or SNAP header; Ethernet padding may
// follow). It does not allocate.
func parse(b []byte, p *packet) problem {
	if len(b) < fixedLen {
		return probTruncated
	}
	p.hrd = uint16(b[0])<<8 | uint16(b[1])
	p.pro = uint16(b[2])<<8 | uint16(b[3])
	p.hln, p.pln = b[4], b[5]
	p.op = uint16(b[6])<<8 | uint16(b[7])
	switch p.hrd {
	case hrdEther, hrdIEEE802:
		if p.hln != 6 {
			return probCorruptHrd
		}
	default:
		return probUnknownHrd
	}
	switch p.pro {
	case proIPv4:
		if p.pln != 4 {
			return probCorruptPro
		}
	case proIPv6:
		if p.pln != 16 {
			return probCorruptPro
		}
	default:
		return probUnknownPro
	}
	need := fixedLen + 2*(int(p.hln)+int(p.pln))
	if len(b) < need {
		return probTruncated
	}
	o := fixedLen
	copy(p.sha[:], b[o:o+6])
	o += 6
	p.spa = addr(b[o : o+int(p.pln)])
	o += int(p.pln)
	copy(p.tha[:], b[o:o+6])
	o += 6
	p.tpa = addr(b[o : o+int(p.pln)])
	if opName(p.op) == "" {
		return probUnknownOp
	}
	return okPacket
}

func addr(b []byte) netip.Addr {
	if len(b) == 4 {
		return netip.AddrFrom4([4]byte(b))
	}
	return netip.AddrFrom16([16]byte(b))
}

// explain spells a header problem as Zeek's bad_arp explanation (weird addl). Rare: allocates.
func explain(pr problem, p *packet, n int) string {
	itoa := func(v int) string { return strconv.Itoa(v) }
	switch pr {
	case probTruncated:
		return "truncated ARP packet (" + itoa(n) + " bytes)"
	case probCorruptHrd:
		return "corrupt-arp-header (hrd=" + itoa(int(p.hrd)) + ", hln=" + itoa(int(p.hln)) + ")"
	case probUnknownHrd:
		return "unknown-arp-hw-address (hrd=" + itoa(int(p.hrd)) + ")"
	case probCorruptPro:
		return "corrupt-arp-header (pro=" + itoa(int(p.pro)) + ", pln=" + itoa(int(p.pln)) + ")"
	case probUnknownPro:
		return "unknown-arp-proto-address (pro=" + itoa(int(p.pro)) + ")"
	case probUnknownOp:
		return "invalid-arp-opcode (opcode=" + itoa(int(p.op)) + ")"
	}
	return ""
}

// Anomaly names (weird.log).
const (
	weirdTruncated      = "arp_truncated"
	weirdCorruptHeader  = "arp_corrupt_header"
	weirdUnknownHwType  = "arp_unknown_hw_type"
	weirdUnknownProto   = "arp_unknown_proto_type"
	weirdInvalidOpcode  = "arp_invalid_opcode"
	weirdSenderMismatch = "arp_sender_mac_mismatch"
	weirdIPConflict     = "arp_ip_conflict"
	weirdGratuitousMove = "arp_gratuitous_binding_change"
	weirdReplyStorm     = "arp_reply_storm"
	weirdTableFull      = "arp_binding_table_full"
)

func weirdName(pr problem) string {
	switch pr {
	case probTruncated:
		return weirdTruncated
	case probCorruptHrd, probCorruptPro:
		return weirdCorruptHeader
	case probUnknownHrd:
		return weirdUnknownHwType
	case probUnknownPro:
		return weirdUnknownProto
	}
	return weirdInvalidOpcode
}
