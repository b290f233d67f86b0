// Package ads dissects Beckhoff ADS/AMS over TCP (48898) and the TwinCAT UDP router service
// and AMS over UDP (48899).
//
// Specifications: Beckhoff Information System, TE1000 "ADS specification" (AMS/TCP header,
// AMS header, ADS commands, ADS states and return codes). The UDP router service (magic
// 0x71146603, service ids, tags) follows Beckhoff's AdsLib and pyads. Field names follow
// Wireshark's ams dissector.
//
// Scope: the AMS/TCP and AMS headers of every frame (target and source NetId and port,
// command, state flags, data length, error code, invoke id); index group/offset/length of
// read, write, read-write and add-notification requests; the ADS state of write control
// requests and read state responses; the result code, device name and version of responses;
// responses paired with requests by invoke id and command; frames larger than the fields read
// are handled from their first bytes and skipped without buffering. Facts: roles, the server's
// AMS NetId, device name and version, PLC mode; events: writes, run/stop/reset/config through
// write control, device info reads, error results, UDP add-route (with its password in clear).
//
// Not parsed: the data of reads, writes and notifications (symbol values), sum commands
// (index groups 0xF080-0xF082) and symbol upload contents.
package ads
