// Package lldp dissects the Link Layer Discovery Protocol (IEEE Std 802.1AB-2016, Ethertype
// 0x88CC) and writes lldp.log: one line per LLDPDU with the sender's chassis and port
// identity, time to live, the optional basic TLVs (port description, system name and
// description, capabilities, management addresses), the IEEE 802.1 port VLAN id and VLAN
// names, the IEEE 802.3 MAC/PHY configuration and maximum frame size, and a count of the
// other organisationally specific TLVs.
//
// The sender (the frame's source MAC, the pseudo-flow's Orig side) is described by facts:
// hostname, software (system description), device type from the enabled capabilities,
// management IPs, chassis MAC and the port the frame left ("switch_port"). Facts are sent
// again only when the identity TLVs change, so a switch repeating its LLDPDU every 30 s
// costs nothing.
//
// Not parsed: the TLVs of LLDP-MED (TIA-1057), DCBX, PROFINET (IEC 61158-6-10) and other
// organisations are counted in vendor_tlvs, not decoded; 802.1 Port and Protocol VLAN,
// Protocol Identity, Link Aggregation and 802.3 Power via MDI are skipped; LLDPDUs are
// not checked against the LLDP agent state machine (tx intervals, TTL expiry).
package lldp
