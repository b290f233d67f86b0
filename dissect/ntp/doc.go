// Package ntp dissects NTP (RFC 5905, versions 1-4, extension fields of RFC 7822) on UDP 123
// and writes Zeek's ntp.log: one record per message with the header's fields, times converted
// to Unix seconds. It reports the endpoints' roles (client, server, peer) and a server's
// stratum and reference id as facts.
//
// Not parsed: the contents of control (mode 6) and private (mode 7, ntpdc) messages, which are
// logged with version and mode only; extension field contents and MACs (NTS, Autokey).
package ntp
