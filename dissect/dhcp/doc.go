// Package dhcp dissects DHCPv4 (RFC 2131, options of RFC 2132, RFC 4702 client FQDN, RFC 2132
// §9.3 option overload) on UDP 67/68 and DHCPv6 (RFC 8415) on UDP 546/547.
//
// DHCPv4 messages are aggregated by transaction id across flows into Zeek's dhcp.log
// (base/protocols/dhcp/main.zeek): broadcasts put one exchange on several flows, so the flows'
// parsers share one process-wide table, bounded and expired on packet time exactly as Zeek's
// join_data (checked 10 s after a transaction begins, then every 5 s; logged once silent for
// 5 s or older than 30 s), cut at 10 uids or 8 message types, and flushed when the last open
// DHCP parser closes. DHCPv6 has no log (Zeek has none); both versions report facts: host
// names, vendor class, parameter request list fingerprint, client MAC, assigned address and the
// server role.
//
// Not parsed: relay agent sub-options (RFC 3046), DHCPv4 authentication (RFC 3118), DHCPv6
// relay messages and IA options, plain BOOTP (no option 53: counted, not logged).
package dhcp
