// Package hartip dissects HART-IP (TCP and UDP port 5094).
//
// Specifications: FieldComm Group HCF_SPEC-085 (HART-IP header and message ids), HCF_SPEC-081
// (token-passing PDU) and HCF_SPEC-127/151 (universal and common practice commands, command 0
// response layout). Field names checked against Wireshark's hart_ip dissector.
//
// Scope: the 8-byte header (version, message type, message id, status, sequence number, byte
// count) of every message, with TCP framing and resynchronisation; session initiate host type
// and inactivity timer; the pass-through (and HART-IP 2 direct) PDU's address, command number,
// response code and device status; responses paired with requests by message id and sequence
// number; identity facts from command 0 responses; events for write, reset, self-test and
// identity commands and error answers.
//
// Not parsed: command data beyond command 0, HART-IP 2 security (TLS/DTLS) and audit log
// content, burst-mode publish contents, and sub-device (command 77) payloads.
package hartip
