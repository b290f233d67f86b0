package cdp

import "net/netip"

// snapCDP selects CDP: SNAP OUI 00-00-0C (Cisco), protocol id 0x2000.
const snapCDP = 0x00000c2000

// headerLen is version(1) ttl(1) checksum(2).
const headerLen = 4

// TLV types (CISCO-CDP-MIB; Wireshark packet-cdp.c type_vals).
const (
	tlvDeviceID     = 0x0001
	tlvAddresses    = 0x0002
	tlvPortID       = 0x0003
	tlvCapabilities = 0x0004
	tlvSoftware     = 0x0005
	tlvPlatform     = 0x0006
	tlvVTPDomain    = 0x0009
	tlvNativeVLAN   = 0x000a
	tlvDuplex       = 0x000b
	tlvSystemName   = 0x0014
	tlvMgmtAddrs    = 0x0016
)

// Capability bits (CISCO-CDP-MIB cdpCacheCapabilities).
var capNames = [...]string{
	"router", "transparent_bridge", "source_route_bridge", "switch", "host", "igmp",
	"repeater", "voip_phone", "remotely_managed", "cvta", "two_port_mac_relay",
}

// deviceType maps capabilities to the inventory's device type, strongest role first.
func deviceType(caps uint32) string {
	switch {
	case caps&0x01 != 0:
		return "router"
	case caps&(0x02|0x04|0x08) != 0:
		return "switch"
	case caps&0x80 != 0:
		return "telephone"
	case caps&0x40 != 0:
		return "repeater"
	case caps&0x10 != 0:
		return "station"
	}
	return ""
}

// Anomaly names (weird.log).
const (
	weirdTruncated  = "cdp_truncated"
	weirdBadVersion = "cdp_unknown_version"
	weirdBadTLV     = "cdp_bad_tlv_length"
	weirdTooMany    = "cdp_too_many_addresses"
)

// maxAddrs bounds the addresses logged per advertisement (both address TLVs together).
const maxAddrs = 8

// Address TLV entry protocol types and the protocols we decode.
const (
	protoNLPID = 1 // protocol: 1-byte NLPID, 0xcc = IPv4
	proto8022  = 2 // protocol: 802.2 LLC/SNAP header, AAAA03 000000 86DD = IPv6
)

// address decodes one entry of an Addresses TLV at b: protocol type (1), protocol length
// (1), protocol, address length (2), address. It returns the entry's size (0 when it does
// not fit) and the address when it is IPv4 or IPv6.
func address(b []byte) (int, netip.Addr, bool) {
	if len(b) < 2 {
		return 0, netip.Addr{}, false
	}
	pt, pl := b[0], int(b[1])
	if 2+pl+2 > len(b) {
		return 0, netip.Addr{}, false
	}
	proto := b[2 : 2+pl]
	al := int(b[2+pl])<<8 | int(b[3+pl])
	n := 4 + pl + al
	if n > len(b) {
		return 0, netip.Addr{}, false
	}
	a := b[4+pl : n]
	switch {
	case pt == protoNLPID && pl == 1 && proto[0] == 0xcc && al == 4:
		return n, netip.AddrFrom4([4]byte(a)), true
	case pt == proto8022 && pl == 8 && proto[6] == 0x86 && proto[7] == 0xdd && al == 16:
		return n, netip.AddrFrom16([16]byte(a)), true
	}
	return n, netip.Addr{}, false
}
