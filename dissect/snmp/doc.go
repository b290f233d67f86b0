// Package snmp dissects the Simple Network Management Protocol over UDP (ports 161 and 162)
// and writes Zeek's snmp.log: one line per flow with the version, the community (the USM
// user name for SNMPv3), the number of variable bindings in get, get-bulk, response and set
// PDUs, the agent's sysDescr (display_string) and the time it claims to be up since.
//
// Scope: BER (X.690) with definite lengths; SNMPv1 (RFC 1157) and SNMPv2c (RFC 1901, PDUs of
// RFC 3416) messages and every PDU type including the v1 Trap; SNMPv3 (RFC 3412) message
// header, USM security parameters (RFC 3414: engine id, user name) and the scoped PDU when
// it is not encrypted. Requests are paired with responses by request-id.
//
// Facts come from responses about the agent: sysDescr → software, sysObjectID →
// sys_object_id and the vendor of its IANA enterprise number (vendors.go), sysName →
// hostname, sysLocation → location, sysContact → contact; roles snmp_manager/snmp_agent.
// A SetRequest is a config_write event. Communities travel in clear in v1/v2c: reported
// once per flow, naming the community only when it is the default public/private.
//
// Not parsed: encrypted SNMPv3 scoped PDUs (privacy), authentication (HMAC) checks, SNMP
// over TCP (RFC 3430) or TLS/DTLS (RFC 6353), AgentX, and MIB values beyond the system group.
package snmp
