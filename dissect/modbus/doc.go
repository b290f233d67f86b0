// Package modbus dissects Modbus/TCP (MBAP over TCP, port 502).
//
// Specifications: MODBUS Application Protocol Specification V1.1b3 (function codes, PDU
// layouts, exception codes, Read Device Identification) and MODBUS Messaging on TCP/IP
// Implementation Guide V1.0b (MBAP header).
//
// Scope:
//   - framing of MBAP ADUs in each direction's reassembled stream as Zeek frames them (an ADU
//     cut by a gap is completed with the bytes after it; a segment whose header is impossible,
//     protocol id != 0 or length outside 2..254, is dropped from that header on), with
//     resynchronisation on the next plausible header where Zeek would keep dropping;
//   - every public function's request and response (FC 1-8, 11, 12, 15-17, 20-24, 43 with
//     MEI 14 objects decoded) and exception responses; other codes are logged by name with
//     their data opaque;
//   - request/response pairing by transaction id (bounded to 500 unanswered requests per flow);
//   - logs: Zeek's modbus.log and ICSNPP's modbus_detailed.log, modbus_mask_write_register.log,
//     modbus_read_write_multiple_registers.log and modbus_read_device_identification.log;
//   - facts (roles, unit ids, Read Device Identification objects, Report Server ID run
//     indicator and text), events (writes, diagnostics, restarts, identity scans, exceptions)
//     and named anomalies.
//
// Not parsed: Modbus RTU/ASCII over TCP (no MBAP), Modbus/UDP, Modbus Security (TLS on 802),
// the content of vendor functions (Schneider UMAS FC 90, programming codes), CANopen
// General Reference (MEI 13) data, and Get Comm Event Log event bytes.
package modbus
