// Package slmp dissects Mitsubishi SLMP / MELSEC MC protocol binary 3E and 4E frames over TCP
// and UDP (ports 5007 and 5000-5010).
//
// Specifications: SLMP Reference Manual (SH-080956ENG §4 message formats, §5 commands) and the
// MELSEC Communication Protocol Reference Manual (SH-080008, 3E/4E frames and device codes).
//
// Scope: the subheader, access route (network, PC, request destination I/O and station),
// data length, monitoring timer, command and subcommand of requests and the end code of
// responses; device code, head device and points of batch device reads and writes (Q/L and
// iQ-R layouts); responses paired with requests by 4E serial number or, for 3E (no id), in
// order; facts: roles and the CPU model of Read Type Name; events for device/label/memory
// writes, remote run/stop/pause/reset/latch clear, password lock/unlock, file operations and
// error end codes.
//
// Not parsed: ASCII frames, 1E/2E frames (A-series compatible), the data of random and block
// reads and writes, label and file command contents, and the error information block of
// error responses.
package slmp
