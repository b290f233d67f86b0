// Package tls dissects TLS (SSL 3.0 to TLS 1.3, with SSLv2 hellos) over TCP and DTLS 1.0 to
// 1.3 over UDP into Zeek's ssl.log and x509.log, adding JA3, JA3S and JA4 fingerprints.
//
// Scope: the record layer (RFC 8446 §5, RFC 6347 §4.1), plaintext handshake messages (client
// and server hello with their extensions, certificate chains, ServerKeyExchange's named
// curve, alerts, change cipher spec) and DTLS handshake fragment reassembly. Certificates are
// parsed with crypto/x509 and fingerprinted as Zeek does (SHA-256 of the DER). Application
// data records are skipped by length, never buffered.
//
// Not parsed: anything encrypted (TLS 1.3 handshake after the ServerHello, Finished, alerts
// after ChangeCipherSpec), Encrypted Client Hello inner hellos, SSLv2 beyond its hellos,
// QUIC, DTLS 1.3's unified header, certificate status (OCSP) contents, key exchange values
// and certificate validation against trust stores (only self-signed and validity dates are
// checked).
package tls
