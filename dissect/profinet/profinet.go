package profinet

// Spec: IEC 61158-6-10:2019 §4.10.3 (RPC header), §5.2 (blocks); DCE 1.1 RPC §12.5.

// Port is the PNIO-CM well-known UDP port (the EPM port).
const Port = 34964

const hdrLen = 80 // DCE/RPC connectionless header

// PDU types (DCE 1.1 Table 12-2), spelled as ICSNPP spells them.
var packetTypes = [...]string{0: "Request", 1: "Ping", 2: "Response", 3: "Fault", 4: "Working",
	5: "No call Response to Ping", 6: "Reject", 7: "Acknowledge", 8: "Connectionless Canel",
	9: "Fragment Acknowledge", 10: "Cancel Acknowledge"}

const (
	ptRequest  = 0
	ptResponse = 2
	ptFack     = 9
)

func packetType(t uint8) string {
	if int(t) < len(packetTypes) {
		return packetTypes[t]
	}
	return "unknown"
}

// PNIO operation numbers (IEC 61158-6-10 Table "PNIO services").
var operations = [...]string{0: "Connect", 1: "Release", 2: "Read", 3: "Write", 4: "Control", 5: "Read Implicit"}

const (
	opConnect = 0
	opRelease = 1
	opRead    = 2
	opWrite   = 3
	opControl = 4
	opImplRd  = 5
)

func operation(n uint16) string {
	if int(n) < len(operations) {
		return operations[n]
	}
	return "unknown"
}

func floatRep(v uint8) string {
	switch v {
	case 0:
		return "IEEE"
	case 1:
		return "VAX"
	case 2:
		return "CRAY"
	case 3:
		return "IBM"
	}
	return "unknown"
}

// PNIO interface UUIDs (DEA0000x-6C97-11D1-8271-00A02442DF7D) and the EPM interface.
var (
	pnioIfaceTail = [12]byte{0x6C, 0x97, 0x11, 0xD1, 0x82, 0x71, 0x00, 0xA0, 0x24, 0x42, 0xDF, 0x7D}
	epmIface      = [16]byte{0xE1, 0xAF, 0x83, 0x08, 0x5D, 0x1F, 0x11, 0xC9, 0x91, 0xA4, 0x08, 0x00, 0x2B, 0x14, 0xA0, 0xFA}
)

// Interface kinds.
const (
	ifaceOther      = 0
	ifaceDevice     = 1 // DEA00001: implemented by IO devices
	ifaceController = 2 // DEA00002: implemented by IO controllers
	ifaceSupervisor = 3 // DEA00003
	ifaceParamSrv   = 4 // DEA00004
	ifaceEPM        = 5
)

// iface classifies an interface UUID given as it is on the wire in byte order le.
func iface(u []byte, le bool) int {
	var c [16]byte
	copy(c[:], u)
	if le { // first three fields are little-endian on the wire
		c[0], c[1], c[2], c[3] = u[3], u[2], u[1], u[0]
		c[4], c[5] = u[5], u[4]
		c[6], c[7] = u[7], u[6]
	}
	if c == epmIface {
		return ifaceEPM
	}
	if c[0] == 0xDE && c[1] == 0xA0 && c[2] == 0 && [12]byte(c[4:]) == pnioIfaceTail && c[3] >= 1 && c[3] <= 4 {
		return int(c[3])
	}
	return ifaceOther
}

// blockName names a PNIO block type (IEC 61158-6-10 Table "BlockType").
func blockName(t uint16) string {
	switch t {
	case 0x0001:
		return "AlarmNotificationHigh"
	case 0x0002:
		return "AlarmNotificationLow"
	case 0x0008:
		return "IODWriteReqHeader"
	case 0x8008:
		return "IODWriteResHeader"
	case 0x0009:
		return "IODReadReqHeader"
	case 0x8009:
		return "IODReadResHeader"
	case 0x0020:
		return "I&M0"
	case 0x0101:
		return "ARBlockReq"
	case 0x8101:
		return "ARBlockRes"
	case 0x0102:
		return "IOCRBlockReq"
	case 0x8102:
		return "IOCRBlockRes"
	case 0x0103:
		return "AlarmCRBlockReq"
	case 0x8103:
		return "AlarmCRBlockRes"
	case 0x0104:
		return "ExpectedSubmoduleBlockReq"
	case 0x8104:
		return "ModuleDiffBlock"
	case 0x0110:
		return "IODControlReq"
	case 0x8110:
		return "IODControlRes"
	case 0x0111:
		return "IODControlReqPlugAlarm"
	case 0x8111:
		return "IODControlResPlugAlarm"
	case 0x0112:
		return "IOXControlReq"
	case 0x8112:
		return "IOXControlRes"
	case 0x0113:
		return "IOXControlReqPlugAlarm"
	case 0x8113:
		return "IOXControlResPlugAlarm"
	case 0x0114:
		return "ReleaseBlockReq"
	case 0x8114:
		return "ReleaseBlockRes"
	case 0x0116:
		return "IOXControlReqCompanion"
	case 0x8116:
		return "IOXControlResCompanion"
	case 0x0117:
		return "IOXControlReqRTClass3"
	case 0x8117:
		return "IOXControlResRTClass3"
	case 0x0118:
		return "IODControlReqPrmBegin"
	case 0x8118:
		return "IODControlResPrmBegin"
	case 0x0119:
		return "SubmoduleListBlock"
	case 0x0400:
		return "MultipleBlockHeader"
	case 0x0500:
		return "RecordDataReadQuery"
	}
	return "unknown"
}

// controlCommand names the ControlCommand bit of a control block (IEC 61158-6-10 §5.2.14).
func controlCommand(c uint16) string {
	switch {
	case c&0x0001 != 0:
		return "PrmEnd"
	case c&0x0002 != 0:
		return "ApplicationReady"
	case c&0x0004 != 0:
		return "Release"
	case c&0x0008 != 0:
		return "Done"
	case c&0x0010 != 0:
		return "ReadyForCompanion"
	case c&0x0020 != 0:
		return "ReadyForRT_CLASS_3"
	case c&0x0040 != 0:
		return "PrmBegin"
	}
	return "none"
}

const (
	indexIM0 = 0xAFF0 // I&M0 record

	logIOCM = "profinet_io_cm"

	weirdShort     = "profinet_truncated_header"
	weirdBadLength = "profinet_body_length_mismatch"
	weirdVersion   = "profinet_unknown_rpc_version"
	weirdPNIOError = "profinet_pnio_error"
	weirdSelAck    = "profinet_fack_sel_ack_truncated"

	maxSelAck = 32 // selective acknowledgement words logged
)
