// Package dnp3 dissects DNP3 (IEEE 1815-2012) over TCP and UDP, port 20000 by default.
//
// Layers parsed:
//
//   - Data link (§9): 05 64 start, LEN, control, destination and source addresses, header CRC,
//     then user data in 16-byte blocks each followed by a CRC-16/DNP. Every CRC is checked
//     (Config.CheckCRC). Frames without user data (link status, reset link) only feed the
//     station-address and role facts.
//   - Transport (§8): FIR/FIN/sequence reassembly of segments into application fragments, per
//     direction, capped by Config.MaxFragment.
//   - Application (§4): function code, application control, IIN of responses, every object
//     header (group, variation, qualifier, range or count) and the object data sizes of the
//     Annex A object library, so that all headers of a fragment are walked. Object values are
//     decoded for control relay output and pattern control blocks (g12v1, g12v2), analog output
//     blocks (g41), device attributes (g0, visible strings), and the file name of file
//     commands (g70v3). Caps: Config.MaxObjects headers and Config.MaxPoints objects per fragment.
//
// Output: dnp3.log paired as Zeek pairs it (one pending request per flow), dnp3_control.log
// and dnp3_objects.log as ICSNPP writes them, facts (station addresses, roles, device
// attributes), events (commands, restarts, writes, time sync, files, authentication, IIN
// device flags) and anomalies in weird.log. README.md lists them.
//
// Not parsed: point values of inputs, counters and events (only their headers are logged);
// secure authentication (g120) beyond the function code; data sets (g85–g88) and file
// transport contents beyond their sizes; multiple associations sharing one TCP connection
// are tracked as one (pairing and transport state are per direction, not per link address);
// the link layer's confirmed-data retransmission (FCB) is not checked.
package dnp3
