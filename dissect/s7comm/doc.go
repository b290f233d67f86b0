// Package s7comm dissects the ISO transport stack on TCP port 102 as Siemens S7 uses it:
// TPKT (RFC 1006), COTP (ISO 8073 / ITU-T X.224 class 0), S7comm (protocol id 0x32) and the
// S7comm-plus frame header (protocol id 0x72).
//
// Logs follow CISA ICSNPP icsnpp-s7comm: cotp.log (every COTP TPDU), s7comm.log (every S7comm
// PDU: ROSCTR, PDU reference, function / user-data group and sub-function, error class and
// code), s7comm_read_szl.log, s7comm_upload_download.log, s7comm_plus.log and
// s7comm_known_devices.log (SZL 0x001C). Facts: roles, rack/slot from the called TSAP,
// identity from SZL 0x0011 and 0x001C, CPU mode from SZL 0x0424, mode-transition user data
// and acknowledged PLC start/stop. Events: writes, PLC stop/start, block download, upload and
// delete, password, clock setting, mode changes.
//
// Specifications: RFC 1006 §6 (TPKT), ISO 8073 §13 (COTP TPDU structure). S7comm and
// S7comm-plus have no public specification; field layouts follow the Wireshark s7comm and
// s7comm_plus dissectors (4.x) and names follow ICSNPP.
//
// The TPKT/COTP layer is exported (ParseTPKT, ParseCOTP, COTPParam, TSDU, ResyncTPKT) for the
// other TPKT users on port 102 (IEC 61850 MMS).
//
// Not parsed: S7 variable payloads (read/write values), block contents, alarm and cyclic
// data contents, SZL lists other than 0x0011/0x001C/0x0424, the S7comm-plus object model and
// integrity digest (only version, opcode and function are decoded; no decryption; a message
// split over several frames is logged once, from its first frame), COTP classes 2–4
// (extended formats, checksums) and several TPDUs concatenated in one TPKT.
package s7comm
