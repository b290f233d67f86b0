package cdp

import "net/netip"

// problem bits (each becomes one weird name, reported once per pseudo-flow).
const (
	probTruncated uint8 = 1 << iota
	probVersion
	probBadTLV
	probTooMany
)

// pdu is one decoded CDP advertisement. Byte slices alias the frame.
type pdu struct {
	version, ttl uint8
	has          uint16
	deviceID     []byte
	portID       []byte
	software     []byte
	platform     []byte
	vtpDomain    []byte
	systemName   []byte
	caps         uint32
	nativeVLAN   uint16
	fullDuplex   bool
	addrs        [maxAddrs]netip.Addr
	nAddrs       int
	mgmt         [maxAddrs]netip.Addr
	nMgmt        int
	otherAddrs   int // addresses of other protocols
	problems     uint8
}

const (
	hasDeviceID = 1 << iota
	hasPortID
	hasSoftware
	hasPlatform
	hasCaps
	hasVTP
	hasNativeVLAN
	hasDuplex
	hasSystemName
)

// parse decodes one CDP advertisement (the bytes after the SNAP header). It never fails:
// problems are recorded in p.problems. It does not allocate.
//
// Layout: version (1), TTL (1), checksum (2), then TLVs of type (2), length (2, header
// included), value.
func parse(b []byte, p *pdu) {
	*p = pdu{}
	if len(b) < headerLen {
		p.problems |= probTruncated
		return
	}
	p.version, p.ttl = b[0], b[1]
	if p.version != 1 && p.version != 2 {
		p.problems |= probVersion
		return
	}
	off := headerLen
	for off+4 <= len(b) {
		typ := uint16(b[off])<<8 | uint16(b[off+1])
		l := int(b[off+2])<<8 | int(b[off+3])
		if l < 4 {
			p.problems |= probBadTLV
			return
		}
		if off+l > len(b) {
			p.problems |= probTruncated
			return
		}
		v := b[off+4 : off+l]
		off += l
		switch typ {
		case tlvDeviceID:
			p.has |= hasDeviceID
			p.deviceID = v
		case tlvPortID:
			p.has |= hasPortID
			p.portID = v
		case tlvSoftware:
			p.has |= hasSoftware
			p.software = v
		case tlvPlatform:
			p.has |= hasPlatform
			p.platform = v
		case tlvVTPDomain:
			p.has |= hasVTP
			p.vtpDomain = v
		case tlvSystemName:
			p.has |= hasSystemName
			p.systemName = v
		case tlvCapabilities:
			if len(v) != 4 {
				p.problems |= probBadTLV
				continue
			}
			p.has |= hasCaps
			p.caps = uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
		case tlvNativeVLAN:
			if len(v) != 2 {
				p.problems |= probBadTLV
				continue
			}
			p.has |= hasNativeVLAN
			p.nativeVLAN = uint16(v[0])<<8 | uint16(v[1])
		case tlvDuplex:
			if len(v) != 1 {
				p.problems |= probBadTLV
				continue
			}
			p.has |= hasDuplex
			p.fullDuplex = v[0] != 0
		case tlvAddresses:
			p.addresses(v, &p.addrs, &p.nAddrs)
		case tlvMgmtAddrs:
			p.addresses(v, &p.mgmt, &p.nMgmt)
		}
	}
	if off != len(b) {
		p.problems |= probTruncated // a TLV header cut short
	}
}

// addresses decodes an Addresses or Management Addresses TLV: count (4), then entries.
func (p *pdu) addresses(v []byte, out *[maxAddrs]netip.Addr, n *int) {
	if len(v) < 4 {
		p.problems |= probBadTLV
		return
	}
	count := uint32(v[0])<<24 | uint32(v[1])<<16 | uint32(v[2])<<8 | uint32(v[3])
	v = v[4:]
	for i := uint32(0); i < count; i++ {
		size, a, ok := address(v)
		if size == 0 {
			p.problems |= probBadTLV
			return
		}
		v = v[size:]
		if !ok {
			p.otherAddrs++
			continue
		}
		if *n == maxAddrs {
			p.problems |= probTooMany
			continue
		}
		out[*n] = a
		*n++
	}
}
