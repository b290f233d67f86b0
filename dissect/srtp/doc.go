// Package srtp dissects GE SRTP (Service Request Transport Protocol, TCP port 18245) used by
// GE/Emerson Series 90, VersaMax and PACSystems PLCs.
//
// Specifications: no public GE specification; the message layout is Wireshark's ge_srtp
// dissector and Denton et al., DFRWS 2017; service request codes are those of GE's SNP
// (GFK-0529) as Wireshark lists them.
//
// Scope: the 56-byte message and its text buffer (framing by the text length at bytes 4-5),
// the initialisation exchange, packet type, sequence number, mailbox sequence, type, source
// and destination; the service request code of initial requests with the segment selector,
// offset and length of memory reads and writes, and the requested state of Set PLC State;
// status codes, error NACK major/minor status and the PLC status word of responses; responses
// paired with requests by sequence and mailbox sequence; facts: roles and PLC mode; events for
// writes, program load/store/delete, Set PLC State, logon/privilege changes, time setting and
// errors.
//
// Not parsed: text buffer contents (memory data, program blocks, fault tables), controller
// type/ID responses, multi-packet text reassembly beyond one message.
package srtp
