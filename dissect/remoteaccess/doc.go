// Package remoteaccess reports sessions of third-party remote access tools by their
// service ports: TeamViewer on TCP/UDP 5938 (recognised by its 0x17 0x24 command and
// 0x11 0x30 data headers) and AnyDesk on TCP 7070 (TLS from the first byte).
//
// Not parsed: the tools' payloads (encrypted), their brokers on 80/443, TLS SNI hints (the
// tls dissector sees those), other tools.
package remoteaccess
