// Package profinet dissects PROFINET IO Context Management (IO CM): DCE/RPC connectionless
// (version 4) datagrams between IO controllers, supervisors and IO devices, on UDP 34964 and
// on the ephemeral ports the endpoint mapper hands out (IEC 61158-6-10:2019 §4.10.3 and
// §5.1, DCE 1.1 RPC chapter 12). DCP and real-time frames over Ethernet are in pndcp.
//
// Every datagram is one profinet_io_cm.log line with the fields of CISA ICSNPP's
// icsnpp-profinet-io-cm (RPC header, flags, data representation, UUIDs, operation, body
// length, fragment acknowledgement body), plus the first PNIO block of the NDR body as the
// older amzn/zeek-plugin-profinet logged it: operation_type (block type), block_version,
// slot_number, subslot_number, index; and for Control requests the ControlCommand and for
// responses the PNIOStatus.
//
// Facts: roles from the interface UUID (IO device interface DEA00001 → the receiver of a
// request is an IO device), and the I&M0 record (index 0xAFF0) of Read responses: vendor id,
// order number, serial number, hardware and software revision. Events: Write requests and
// Control requests (PrmBegin, PrmEnd, ApplicationReady, Release, …).
//
// Not parsed: the blocks of Connect requests beyond the first (ARBlockReq, IOCRBlockReq,
// ExpectedSubmoduleBlockReq), reassembly of fragmented requests (only the first fragment's
// blocks are read), EPM Lookup bodies, and authentication (auth_protocol is logged).
package profinet
