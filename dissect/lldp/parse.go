package lldp

import "net/netip"

// problem bits: what was wrong with an LLDPDU (each becomes one weird name).
const (
	probTruncated uint8 = 1 << iota
	probMandatory
	probBadLength
	probDuplicate
	probTooMany
)

// pdu is one decoded LLDPDU. Byte slices alias the frame.
type pdu struct {
	chassisSub, portSub uint8
	chassisID, portID   []byte
	ttl                 uint16
	has                 uint16 // which optional fields are set (has* bits)
	portDesc            []byte
	sysName, sysDesc    []byte
	sysCaps, enCaps     uint16

	mgmt  [maxMgmtAddrs]netip.Addr
	nMgmt int

	pvid      uint16
	vlanIDs   [maxVLANNames]uint16
	vlanNames [maxVLANNames][]byte
	nVLAN     int

	autonegSupported, autonegEnabled bool
	mau                              uint16
	maxFrame                         uint16

	vendorTLVs int
	problems   uint8
	first      uint8  // bit of the first problem found
	detail     string // its description, for weird addl (constant strings)
}

const (
	hasChassis = 1 << iota
	hasPort
	hasTTL
	hasPortDesc
	hasSysName
	hasSysDesc
	hasCaps
	hasPVID
	hasMACPHY
	hasMaxFrame
)

func (p *pdu) problem(bit uint8, detail string) {
	if p.problems == 0 {
		p.first, p.detail = bit, detail
	}
	p.problems |= bit
}

// parse decodes the TLVs of one LLDPDU (the bytes after the Ethertype). It never fails: what
// it cannot use is recorded in p.problems. It does not allocate.
//
// Spec: IEEE Std 802.1AB-2016 §8.2 (LLDPDU format: Chassis ID, Port ID, TTL first, in that
// order, then optional TLVs, then End of LLDPDU) and §8.4 (TLV: 7-bit type, 9-bit length).
func parse(b []byte, p *pdu) {
	*p = pdu{}
	off, idx := 0, 0
	for off+2 <= len(b) {
		typ := b[off] >> 1
		l := int(b[off]&1)<<8 | int(b[off+1])
		off += 2
		if off+l > len(b) {
			p.problem(probTruncated, "TLV length beyond the frame")
			return
		}
		v := b[off : off+l]
		off += l
		if idx < 3 && int(typ) != idx+1 {
			p.problem(probMandatory, "Chassis ID, Port ID and TTL must be the first three TLVs")
		}
		idx++
		switch typ {
		case tlvEnd:
			return
		case tlvChassisID, tlvPortID:
			if l < 2 || l > 256 {
				p.problem(probBadLength, "chassis or port id length outside 2..256")
				continue
			}
			if typ == tlvChassisID {
				if p.has&hasChassis != 0 {
					p.problem(probDuplicate, "second Chassis ID TLV")
					continue
				}
				p.has |= hasChassis
				p.chassisSub, p.chassisID = v[0], v[1:]
			} else {
				if p.has&hasPort != 0 {
					p.problem(probDuplicate, "second Port ID TLV")
					continue
				}
				p.has |= hasPort
				p.portSub, p.portID = v[0], v[1:]
			}
		case tlvTTL:
			if l < 2 {
				p.problem(probBadLength, "TTL TLV shorter than 2")
				continue
			}
			if p.has&hasTTL != 0 {
				p.problem(probDuplicate, "second TTL TLV")
				continue
			}
			p.has |= hasTTL
			p.ttl = uint16(v[0])<<8 | uint16(v[1])
		case tlvPortDesc:
			p.has |= hasPortDesc
			p.portDesc = trimNUL(v)
		case tlvSysName:
			p.has |= hasSysName
			p.sysName = trimNUL(v)
		case tlvSysDesc:
			p.has |= hasSysDesc
			p.sysDesc = trimNUL(v)
		case tlvSysCaps:
			if l != 4 {
				p.problem(probBadLength, "System Capabilities TLV length is not 4")
				continue
			}
			p.has |= hasCaps
			p.sysCaps = uint16(v[0])<<8 | uint16(v[1])
			p.enCaps = uint16(v[2])<<8 | uint16(v[3])
		case tlvMgmtAddr:
			p.mgmtAddr(v)
		case tlvOrgSpecific:
			p.orgSpecific(v)
		}
	}
	if p.has&(hasChassis|hasPort|hasTTL) != hasChassis|hasPort|hasTTL {
		p.problem(probMandatory, "Chassis ID, Port ID or TTL TLV missing")
	}
}

// mgmtAddr decodes a Management Address TLV. Spec: IEEE Std 802.1AB-2016 §8.5.9: address
// string length (subtype + address, 2..32), subtype, address, interface numbering subtype,
// interface number (4), OID string length, OID.
func (p *pdu) mgmtAddr(v []byte) {
	if len(v) < 9 || int(v[0]) < 2 || int(v[0]) > 32 || 1+int(v[0])+6 > len(v) {
		p.problem(probBadLength, "Management Address TLV lengths do not add up")
		return
	}
	a, ok := netAddr(v[1 : 1+int(v[0])])
	if !ok {
		return // not IPv4/IPv6 (e.g. an 802 MAC address): not logged
	}
	if p.nMgmt == maxMgmtAddrs {
		p.problem(probTooMany, "more than 8 management addresses")
		return
	}
	p.mgmt[p.nMgmt] = a
	p.nMgmt++
}

// orgSpecific decodes the IEEE 802.1 and 802.3 TLVs we log and counts the others.
// Spec: IEEE Std 802.1AB-2016 §8.6 (OUI, subtype, information string); Annex D (802.1);
// IEEE Std 802.3-2018 Clause 79 (802.3).
func (p *pdu) orgSpecific(v []byte) {
	if len(v) < 4 {
		p.problem(probBadLength, "Organizationally Specific TLV shorter than 4")
		return
	}
	oui := uint32(v[0])<<16 | uint32(v[1])<<8 | uint32(v[2])
	sub, info := v[3], v[4:]
	switch {
	case oui == ouiIEEE8021 && sub == 1: // Port VLAN ID (D.2.1)
		if len(info) != 2 {
			p.problem(probBadLength, "Port VLAN ID TLV length is not 6")
			return
		}
		p.has |= hasPVID
		p.pvid = uint16(info[0])<<8 | uint16(info[1])
	case oui == ouiIEEE8021 && sub == 3: // VLAN Name (D.2.3): VID, name length, name
		if len(info) < 3 || 3+int(info[2]) > len(info) || info[2] > 32 {
			p.problem(probBadLength, "VLAN Name TLV lengths do not add up")
			return
		}
		if p.nVLAN == maxVLANNames {
			p.problem(probTooMany, "more than 16 VLAN names")
			return
		}
		p.vlanIDs[p.nVLAN] = uint16(info[0])<<8 | uint16(info[1])
		p.vlanNames[p.nVLAN] = trimNUL(info[3 : 3+int(info[2])])
		p.nVLAN++
	case oui == ouiIEEE8023 && sub == 1: // MAC/PHY Configuration/Status (79.3.1)
		if len(info) != 5 {
			p.problem(probBadLength, "MAC/PHY Configuration/Status TLV length is not 9")
			return
		}
		p.has |= hasMACPHY
		p.autonegSupported = info[0]&1 != 0
		p.autonegEnabled = info[0]&2 != 0
		p.mau = uint16(info[3])<<8 | uint16(info[4])
	case oui == ouiIEEE8023 && sub == 4: // Maximum Frame Size (79.3.4)
		if len(info) != 2 {
			p.problem(probBadLength, "Maximum Frame Size TLV length is not 6")
			return
		}
		p.has |= hasMaxFrame
		p.maxFrame = uint16(info[0])<<8 | uint16(info[1])
	case oui == ouiIEEE8021 || oui == ouiIEEE8023:
		// Other 802.1/802.3 TLVs: known, not logged.
	default:
		p.vendorTLVs++
	}
}

// idValue tells how to spell a chassis/port id of the given subtype.
func idValue(chassis bool, sub uint8, v []byte) (idKind, netip.Addr) {
	mac, addr := uint8(3), uint8(4)
	if chassis {
		mac, addr = 4, 5
	}
	switch sub {
	case mac:
		if len(v) == 6 {
			return idMAC, netip.Addr{}
		}
	case addr:
		if a, ok := netAddr(v); ok {
			return idAddr, a
		}
	}
	return idText, netip.Addr{}
}

// trimNUL drops the NUL terminators some implementations (Extreme XOS) put after strings.
func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}
