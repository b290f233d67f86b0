// Package dns dissects DNS (RFC 1035) over UDP and over TCP with its 2-byte length framing
// (RFC 1035 §4.2.2, RFC 7766), and the protocols Zeek logs with it in dns.log: multicast DNS
// (RFC 6762, port 5353), LLMNR (RFC 4795, port 5355) and the NetBIOS Name Service (RFC 1002,
// port 137).
//
// It writes Zeek's dns.log: one record per query/reply pair, paired by transaction id on the
// flow as Zeek's base/protocols/dns/main.zeek does (oldest unmatched first), unmatched queries
// and replies at Close, every message on its own to a multicast group, roles flipped when the
// first message is a reply sent by the originator, answers formatted per RR type as Zeek's
// dns_*_reply handlers, dynamic updates (RFC 2136) as prerequisites/deletes/adds. It reports
// the host names hosts claim for themselves (mDNS/LLMNR address records, NBNS names) and mDNS
// TXT model keys as facts, zone transfers and dynamic updates as configuration writes, and
// malformed names and records as weirds.
//
// Not parsed: EDNS options (client subnet, cookies, keepalive: RFC 7871, 7873, 7828), the
// contents of TSIG/TKEY/SIG(0), SVCB/HTTPS parameters, NetBIOS node status replies, DNS over
// TLS/HTTPS/QUIC (encrypted), DNSSEC validation.
package dns
