// Package cdp dissects the Cisco Discovery Protocol (versions 1 and 2), carried in 802.2
// LLC/SNAP frames with OUI 00-00-0C and protocol id 0x2000 to 01-00-0C-CC-CC-CC, and writes
// cdp.log: one line per CDP advertisement with the device id, addresses, port id,
// capabilities, software version, platform, native VLAN, duplex, VTP management domain,
// system name and management addresses.
//
// The sender (the frame's source MAC, the pseudo-flow's Orig side) is described by facts:
// hostname (device id), model (platform), software and firmware (the IOS version), vendor
// (Cisco, when the platform or software says so), device type from the capabilities, its
// IPv4/IPv6 addresses and the port the frame left ("switch_port"). Facts are sent again
// only when the advertisement changes.
//
// There is no public specification: TLV numbers and layouts follow Cisco's CDP MIB
// (CISCO-CDP-MIB), Wireshark's packet-cdp.c and the Linux/BSD cdpd implementations.
//
// Not parsed: the checksum is not verified (implementations differ on odd lengths); IP
// prefixes (0x0007), protocol hello (0x0008), power (0x0010, 0x001a), trust and CoS
// (0x0012, 0x0013), system OID (0x0015) and location (0x0017) TLVs are skipped; addresses of
// protocols other than IPv4/IPv6 (CLNS, DECnet, AppleTalk…) are counted, not logged.
package cdp
