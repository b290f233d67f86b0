// Package ftp dissects the FTP control connection (TCP 21): commands and their final
// replies, login outcome, and the switch to TLS.
//
// Specifications: RFC 959 (commands, reply codes, multi-line replies), RFC 2228 (AUTH),
// RFC 2428 (EPRT/EPSV).
//
// Not parsed: the data connections (PORT/PASV addresses are logged only as the command
// argument and reply text), anything after AUTH TLS succeeds, FTP on other ports (the
// factory is port-only because "220 " greetings are shared with SMTP).
package ftp
