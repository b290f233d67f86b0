// Package fins dissects OMRON FINS over UDP and FINS/TCP (port 9600).
//
// Specifications: OMRON FINS Commands Reference Manual (W227-E1: frame header, command codes,
// response codes, Controller Data Read and Controller Status Read layouts) and the Ethernet
// Units Construction of Networks manual (W421-E1 §7: FINS/TCP header and node address
// exchange). Names checked against Wireshark's omron_fins dissector and ICSNPP-omron-fins.
//
// Scope:
//   - FINS/TCP framing ("FINS", length, command, error code) with resynchronisation on the next
//     magic after garbage or a gap; the node address exchange (commands 0 and 1);
//   - the FINS header (ICF, RSV, GCT, DNA/DA1/DA2, SNA/SA1/SA2, SID) and command code of every
//     frame, the response code of responses, the memory area, address and item count of the
//     memory area read/write/fill/transfer commands; one fins.log record per frame;
//   - pairing of responses with commands by SID and command code (500 pending at most);
//   - facts: fins_client/fins_server roles, controller model and version (Controller Data
//     Read), PLC mode (Controller Status Read); events: writes, run/stop/reset, program area
//     read/write/clear, clock write, file operations, identity reads, error responses.
//
// Not parsed: the data of other commands (parameter areas, data link tables, file contents,
// error logs, network status), and FINS over serial (Host Link) or through a gateway's other
// networks beyond the address fields.
package fins
