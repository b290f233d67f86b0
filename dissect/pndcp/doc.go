// Package pndcp dissects PROFINET frames carried directly over Ethernet (Ethertype 0x8892):
// the Discovery and basic Configuration Protocol (DCP, IEC 61158-6-10 §4.3) in full, and
// real-time traffic (cyclic RT_CLASS_1/2/3/UDP data, RTA alarms, PTCP) in summary.
//
// DCP: every Identify, Hello, Get and Set request or response is one profinet_dcp.log line
// with the service, Xid and the decoded blocks: IP parameter (address, mask, gateway), MAC,
// NameOfStation, AliasName, type of station (DeviceVendorValue), DeviceID (vendor and
// device ids), DeviceRole, Control (signal, factory reset, …) and the Set response's
// BlockError. Identify responses and Hellos become device facts; Identify-All requests are
// scans; Set requests are configuration writes.
//
// RT: cyclic frames are far too many to log one by one. They are counted per frame id on
// each (source MAC, destination MAC) pair and summarised in profinet_rt.log every 60 s of
// packet time and at the end, with the last cycle counter and data status and how many
// frames carried invalid data, a stopped provider or the station-problem indicator.
// Alarm notifications (RTA DATA PDUs on frame ids 0xFC01/0xFE01) become device events.
//
// Not parsed: the IO data inside cyclic frames (it needs the connection's IOCR layout from
// the Connect request), PTCP content, fragmentation (0xFF80-0xFF8F) and DCP over UDP.
package pndcp
