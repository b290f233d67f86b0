package lldp

import "net/netip"

// EtherType of LLDP (IEEE Std 802.1AB-2016 §7.2).
const EtherType = 0x88cc

// TLV types. Spec: IEEE Std 802.1AB-2016 §8.4, Table 8-1.
const (
	tlvEnd         = 0
	tlvChassisID   = 1
	tlvPortID      = 2
	tlvTTL         = 3
	tlvPortDesc    = 4
	tlvSysName     = 5
	tlvSysDesc     = 6
	tlvSysCaps     = 7
	tlvMgmtAddr    = 8
	tlvOrgSpecific = 127
)

// Organisationally unique identifiers of the specific TLVs we decode.
const (
	ouiIEEE8021 = 0x0080c2 // IEEE 802.1 (Annex D)
	ouiIEEE8023 = 0x00120f // IEEE 802.3 (Clause 79)
)

// Chassis ID subtypes. Spec: IEEE Std 802.1AB-2016 §8.5.2.2, Table 8-2.
func chassisSubtypeName(s uint8) string {
	switch s {
	case 1:
		return "chassis_component"
	case 2:
		return "interface_alias"
	case 3:
		return "port_component"
	case 4:
		return "mac_address"
	case 5:
		return "network_address"
	case 6:
		return "interface_name"
	case 7:
		return "locally_assigned"
	}
	return "reserved"
}

// Port ID subtypes. Spec: IEEE Std 802.1AB-2016 §8.5.3.2, Table 8-3.
func portSubtypeName(s uint8) string {
	switch s {
	case 1:
		return "interface_alias"
	case 2:
		return "port_component"
	case 3:
		return "mac_address"
	case 4:
		return "network_address"
	case 5:
		return "interface_name"
	case 6:
		return "agent_circuit_id"
	case 7:
		return "locally_assigned"
	}
	return "reserved"
}

// idKind tells how a chassis or port id value is spelt in the log.
type idKind uint8

const (
	idText idKind = iota
	idMAC
	idAddr
)

// Capability bits. Spec: IEEE Std 802.1AB-2016 §8.5.8.1, Table 8-4 (bit 1 = LSB).
var capNames = [...]string{
	"other", "repeater", "bridge", "wlan_access_point", "router", "telephone",
	"docsis_cable_device", "station_only", "c_vlan", "s_vlan", "two_port_mac_relay",
}

// deviceType maps enabled (or, when none is enabled, system) capabilities to the inventory's
// device type, strongest role first.
func deviceType(caps uint16) string {
	switch {
	case caps&(1<<4) != 0:
		return "router"
	case caps&(1<<2|1<<8|1<<9|1<<10) != 0:
		return "switch"
	case caps&(1<<3) != 0:
		return "wireless_access_point"
	case caps&(1<<5) != 0:
		return "telephone"
	case caps&(1<<6) != 0:
		return "cable_modem"
	case caps&(1<<1) != 0:
		return "repeater"
	case caps&(1<<7) != 0:
		return "station"
	}
	return ""
}

// IANA address family numbers used by network-address subtypes and the Management
// Address TLV (§8.5.9.3).
const (
	afIPv4 = 1
	afIPv6 = 2
)

// netAddr decodes an IANA-family-prefixed address; ok is false for other families/sizes.
func netAddr(b []byte) (netip.Addr, bool) {
	if len(b) == 5 && b[0] == afIPv4 {
		return netip.AddrFrom4([4]byte(b[1:])), true
	}
	if len(b) == 17 && b[0] == afIPv6 {
		return netip.AddrFrom16([16]byte(b[1:])), true
	}
	return netip.Addr{}, false
}

// Anomaly names (weird.log).
const (
	weirdTruncated        = "lldp_truncated_tlv"
	weirdMandatory        = "lldp_missing_mandatory_tlv"
	weirdBadTLV           = "lldp_bad_tlv_length"
	weirdDuplicate        = "lldp_duplicate_tlv"
	weirdTooManyAddresses = "lldp_too_many_values"
)

// Caps on repeated values kept for one LLDPDU (the frame is at most 1500 bytes anyway).
const (
	maxMgmtAddrs = 8
	maxVLANNames = 16
)
