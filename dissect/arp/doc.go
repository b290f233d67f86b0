// Package arp dissects the Address Resolution Protocol (RFC 826) carried over Ethernet
// (Ethertype 0x0806) and over 802.2 LLC/SNAP (OUI 00-00-00, PID 0x0806), and writes arp.log:
// one line per ARP frame with the frame's MAC addresses, the operation and the sender/target
// hardware and protocol addresses.
//
// Scope: hardware types Ethernet (1) and IEEE 802 (6) with 6-byte addresses; protocol types
// IPv4 (0x0800, 4-byte addresses) and IPv6 (0x86DD, 16-byte addresses, as Zeek accepts);
// operations request/reply (RFC 826), RARP request/reply (RFC 903) and InARP request/reply
// (RFC 2390). Header checks follow Zeek's ARP analyzer so that the same frames are called
// corrupt.
//
// Beyond the log, the parser reports the sender's IP as a fact about the frame's source
// (inventory's MAC↔IP binding) and keeps one bounded, mutex-protected binding table per
// process (see bindings.go) to report IP conflicts and gratuitous ARPs that move an IP to
// another MAC; per pseudo-flow it reports reply storms and a sender MAC that differs from
// the frame's source MAC (the classic ARP spoofing patterns).
//
// Not parsed: IPv6 Neighbor Discovery (carried in ICMPv6, which the engine does not hand to
// dissectors yet), ATM ARP (RFC 2225) and other hardware types, which are reported as
// arp_unknown_hw_type and not logged.
package arp
