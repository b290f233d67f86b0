// Package enip dissects EtherNet/IP encapsulation and the CIP messages it carries.
//
// Scope (CIP Networks Library Vol 1 "Common Industrial Protocol" edition 3.x and Vol 2
// "EtherNet/IP Adaptation of CIP" edition 1.x):
//
//   - Encapsulation over TCP 44818 and UDP 44818: every command's header is logged to enip.log
//     (ICSNPP icsnpp-enip fields). ListIdentity replies are decoded into cip_identity.log.
//   - SendRRData / SendUnitData with their Common Packet Format items: unconnected data items
//     (paired by sender context) and connected data items (paired by the connected sequence
//     count) carry CIP messages, logged to cip.log one line per message.
//   - Multiple Service Packet (0x0A): one cip.log line for the packet and one per embedded
//     service, requests and replies. Unconnected Send (0x52 to the Connection Manager): the
//     outer service and the embedded request are both logged; the reply (which comes back as
//     the embedded service's reply) is named from the embedded request.
//   - Forward Open / Large Forward Open / Forward Close: the connection ids of successful opens
//     are kept in a bounded process-wide registry so connected I/O on UDP 2222 is tied back to
//     the TCP flow that opened it.
//   - Class 0/1 connected I/O on UDP 2222: cip_io.log has the first packet of each connection
//     and direction, then one summary line per connection per 60 s of packet time and at Close.
//   - Identity object replies (Get_Attributes_All, Get_Attribute_Single, Get_Attribute_List on
//     class 0x01) become identity facts; Get_Attributes_All also writes cip_identity.log.
//   - PCCC (Execute PCCC 0x4B on class 0x67): command, status and function are added to the
//     cip.log line; program transfers, mode changes and writes become events.
//
// Not parsed: tag values and Logix data types of Read/Write Tag, fragmented reassembly of
// Read/Write Tag Fragmented, CIP Security / DTLS (UDP 2221, TCP 2221), ListServices and
// ListInterfaces reply items, the contents of I/O data (assembly layouts are device-specific),
// PCCC addresses and values, and CIP Safety.
package enip

//go:generate go run gen_vendors.go
