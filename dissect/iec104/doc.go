// Package iec104 dissects IEC 60870-5-104 (telecontrol over TCP, port 2404).
//
// Scope: APCI framing (IEC 60870-5-104:2006 §5) with I, S and U formats, per-direction send
// sequence tracking and acknowledgement checks; ASDUs (IEC 60870-5-101:2003 §7) with the 104
// default parameter sizes (cause of transmission 2 octets, common address 2, IOA 3); the
// element size of every defined type id, so that every information object of a sequence (SQ=1)
// or of individual objects (SQ=0) is walked; the information elements of commands, system
// commands and parameters in control direction (C_SC, C_DC, C_RC, C_SE, C_BO and their
// CP56Time2a variants, C_IC, C_CI, C_RD, C_CS, C_TS, C_RP, C_CD, P_ME, P_AC); pairing of
// activations with their confirmations by type, common address and IOA.
//
// Output: iec104.log (one record per APDU), iec104_commands.log (one record per command
// object), station role and common address facts, command/interrogation/time-sync/restart/
// parameter events, and iec104_* anomalies. See README.md.
//
// Not parsed: the values of monitor-direction information elements (measurements, single and
// double points, counters: only their IOAs are logged); the inside of IEC 60870-5-7 secure
// authentication ASDUs (type ids 81–95: named, not walked); file transfer contents; IEC 62351-3
// TLS (encrypted 104 on port 19998 is not this dissector's); non-default parameter sizes
// (COT 1 octet, common address 1 octet, IOA 1–2 octets, as 101 profiles use) are not
// auto-detected.
package iec104
