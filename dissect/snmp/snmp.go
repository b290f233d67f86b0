package snmp

// Ports: agents listen on 161, managers receive notifications on 162 (RFC 3417 §3).
const (
	portAgent = 161
	portTrap  = 162
)

// PDU tags, context-specific constructed [0]..[8]. Spec: RFC 3416 §3; RFC 1157 §4.1 (Trap).
const (
	pduGet      = 0xa0
	pduGetNext  = 0xa1
	pduResponse = 0xa2
	pduSet      = 0xa3
	pduTrapV1   = 0xa4
	pduGetBulk  = 0xa5
	pduInform   = 0xa6
	pduTrapV2   = 0xa7
	pduReport   = 0xa8
)

// pduName is the command name counted per flow (RFC 3416 ASN.1 names).
func pduName(tag byte) string {
	switch tag {
	case pduGet:
		return "GetRequest"
	case pduGetNext:
		return "GetNextRequest"
	case pduResponse:
		return "Response"
	case pduSet:
		return "SetRequest"
	case pduTrapV1:
		return "Trap"
	case pduGetBulk:
		return "GetBulkRequest"
	case pduInform:
		return "InformRequest"
	case pduTrapV2:
		return "SNMPv2-Trap"
	case pduReport:
		return "Report"
	}
	return ""
}

// versionName is snmp.log's version spelling (Zeek SNMP::version_map).
func versionName(v int64) string {
	switch v {
	case 0:
		return "1"
	case 1:
		return "2c"
	case 3:
		return "3"
	}
	return "unknown"
}

// Encoded OIDs of the MIB-II system group objects we read (RFC 1213 §6.1):
// 1.3.6.1.2.1.1.N.0 is 2b 06 01 02 01 01 N 00.
var sysPrefix = []byte{0x2b, 0x06, 0x01, 0x02, 0x01, 0x01}

const (
	sysDescr    = 1
	sysObjectID = 2
	sysUpTime   = 3
	sysContact  = 4
	sysName     = 5
	sysLocation = 6
)

// sysObject returns N for 1.3.6.1.2.1.1.N.0 (N in 1..7), else 0.
func sysObject(oid []byte) int {
	if len(oid) != 8 || oid[7] != 0 || oid[6] == 0 || oid[6] > 7 || string(oid[:6]) != string(sysPrefix) {
		return 0
	}
	return int(oid[6])
}

// USM security model (RFC 3411 §5 SnmpSecurityModel).
const secModelUSM = 3

// msgFlags bits (RFC 3412 §6.4).
const (
	flagAuth       = 0x01
	flagPriv       = 0x02
	flagReportable = 0x04
)

// Anomaly names (weird.log).
const (
	weirdMalformed   = "snmp_malformed"
	weirdVersion     = "snmp_unknown_version"
	weirdUnknownPDU  = "snmp_unknown_pdu"
	weirdCleartext   = "snmp_cleartext_community"
	weirdUnsolicited = "snmp_unsolicited_response"
	weirdFlood       = "snmp_too_many_pending_requests"
	weirdTrailing    = "snmp_trailing_bytes"
	weirdSecModel    = "snmp_unknown_security_model"
)

// maxPending bounds the requests awaiting a response per flow (Suricata's app-layer
// transaction cap is per flow too; SNMP managers keep a handful in flight).
const maxPending = 256
