package srtp

import "github.com/quietwire/quietwire/dissect"

// Spec: GE Fanuc SRTP (Service Request Transport Protocol) as documented by Wireshark's
// ge_srtp dissector (56-byte mailbox message: type, sequence number, text length, mailbox
// sequence at 30, mailbox type at 31, source/destination ids, service request code at 42) and
// by Denton et al., "Leveraging the SRTP protocol for over-the-network memory acquisition of a
// GE Fanuc Series 90-30", DFRWS 2017; service request codes are SNP's (GE Series 90 SNP
// Communications User's Manual, GFK-0529).

const (
	logSRTP = "srtp"
	Port    = 18245

	msgLen = 56
	// maxText bounds the text buffer after a message (the next-message length field); SRTP
	// text buffers carry at most a few KB of memory data per message.
	maxText = 16384

	maxPending = 500
)

// Packet types (byte 0).
const (
	typeInitRequest  = 0x00 // all-zero initialisation message
	typeInitResponse = 0x01
	typeRequest      = 0x02
	typeResponse     = 0x03
)

func packetTypeName(t byte) string {
	switch t {
	case typeInitRequest:
		return "INIT_REQUEST"
	case typeInitResponse:
		return "INIT_RESPONSE"
	case typeRequest:
		return "REQUEST"
	case typeResponse:
		return "RESPONSE"
	}
	return ""
}

// Mailbox types (byte 31; Wireshark ge_srtp_mbox_type).
const (
	mbxInitialWithText = 0x80
	mbxAckWithText     = 0x94
	mbxInitial         = 0xc0
	mbxErrorNack       = 0xd1
	mbxAck             = 0xd4
)

func mailboxTypeName(t byte) string {
	switch t {
	case mbxInitialWithText:
		return "INITIAL_REQUEST_WITH_TEXT"
	case mbxAckWithText:
		return "COMPLETION_ACK_WITH_TEXT"
	case mbxInitial:
		return "INITIAL_REQUEST"
	case mbxErrorNack:
		return "ERROR_NACK"
	case mbxAck:
		return "COMPLETION_ACK"
	}
	return ""
}

// serviceName names a service request code (Wireshark ge_srtp_svc_req_type, GFK-0529).
func serviceName(c byte) string {
	if int(c) < len(services) {
		return services[c]
	}
	return ""
}

var services = [...]string{
	0x00: "PLC_SHORT_STATUS", 0x01: "PLC_LONG_STATUS", 0x02: "PLC_MEMORY_USAGE", 0x03: "RETURN_CONTROL_PROGRAM_NAMES",
	0x04: "READ_SYSTEM_MEMORY", 0x05: "READ_TASK_MEMORY", 0x06: "READ_PROGRAM_BLOCK_MEMORY",
	0x07: "WRITE_SYSTEM_MEMORY", 0x08: "WRITE_TASK_MEMORY", 0x09: "WRITE_PROGRAM_BLOCK_MEMORY",
	0x0a: "DEFINE_SYMBOL", 0x0b: "DELETE_SYMBOL", 0x0c: "READ_SYSTEM_MEMORY_SYMBOLIC", 0x0d: "READ_TASK_MEMORY_SYMBOLIC",
	0x0e: "READ_PROGRAM_BLOCK_MEMORY_SYMBOLIC", 0x0f: "WRITE_SYSTEM_MEMORY_SYMBOLIC", 0x10: "WRITE_TASK_MEMORY_SYMBOLIC",
	0x11: "WRITE_PROGRAM_BLOCK_MEMORY_SYMBOLIC", 0x12: "RESOLVE_SYSTEM_MEMORY_NAME", 0x13: "RESOLVE_TASK_MEMORY_NAME",
	0x14: "RESOLVE_PROGRAM_BLOCK_MEMORY_NAME", 0x15: "ESTABLISH_DATAGRAM", 0x16: "UPDATE_DATAGRAM", 0x17: "CANCEL_DATAGRAM",
	0x18: "FORMAT_DISK", 0x19: "OPEN_FILE", 0x1a: "CLOSE_FILE", 0x1b: "CREATE_FILE", 0x1c: "UNLINK_FILE", 0x1d: "READ_FILE",
	0x1e: "WRITE_FILE", 0x1f: "SEEK_FILE", 0x20: "PROGRAMMER_LOGON", 0x21: "CHANGE_PRIVILEGE_LEVEL", 0x22: "SET_CONTROLLER_ID",
	0x23: "SET_PLC_STATE", 0x24: "SET_PLC_TIME_DATE", 0x25: "RETURN_PLC_TIME_DATE", 0x26: "RETURN_PROGRAM_BLOCK_SIZES",
	0x27: "RETURN_PROGRAM_BLOCK_LIST", 0x28: "STORE_PROGRAM_BLOCK", 0x29: "SEQUENCE_CONTROL", 0x2a: "PROGRAM_BLOCK_PROGRAM_STORE",
	0x2b: "PROGRAM_BLOCK_LOAD", 0x2c: "PROGRAM_BLOCK_PROGRAM_LOAD", 0x2d: "VERIFY_PROGRAM_BLOCK", 0x2e: "DELETE_PROGRAM_BLOCK",
	0x2f: "CHANGE_PROGRAM_BLOCK_SIZE", 0x30: "DECLARE_INTERRUPT", 0x31: "CLEAR_CONFIGURATION", 0x32: "AUTOCONFIGURE_IO",
	0x33: "REPLACE_IO_MODULE", 0x34: "VERIFY_CONFIGURATION_BLOCK", 0x35: "CLEAR_ALL_PLC_MEMORY", 0x36: "CLEAR_REFERENCE_MEMORY",
	0x37: "CLEAR_LOGIC_MEMORY", 0x38: "RETURN_FAULT_TABLE", 0x39: "CLEAR_FAULT_TABLE", 0x3a: "CREATE_CONFIGURATION_PARAMETER_TASK",
	0x3b: "DELETE_CONFIGURATION_PARAMETER_TASK", 0x3c: "RETURN_CONFIGURATION_SIZES", 0x3d: "STORE_BLOCK", 0x3e: "LOAD_BLOCK",
	0x3f: "PROGRAM_STORE", 0x40: "PROGRAM_LOAD", 0x41: "PROGRAM_CHANGE", 0x42: "VERIFY_PROGRAM",
	0x43: "RETURN_CONTROLLER_TYPE_AND_ID", 0x44: "TOGGLE_FORCE_SYSTEM_MEMORY", 0x45: "ACCESS_EEPROM", 0x46: "MANAGE_BLOCK",
	0x47: "LOCK_UNLOCK_OEM", 0x48: "WRITE_DATAGRAM", 0x49: "ACCESS_FA_CARD", 0x4a: "READ_CONFIGURATION_PARAMETER",
	0x4b: "WRITE_SLOT_CONFIGURATION", 0x4c: "RENAME_TASK", 0x4d: "RETURN_FUNCTION_SUPPORTED", 0x4e: "STORE_SUBREQUEST",
	0x4f: "SESSION_CONTROL", 0x50: "RETURN_SUBREQUEST_LIST", 0x51: "EXTRA_PIGGYBACK_DATA", 0x52: "STORE_OS_EXTENSION",
	0x53: "LOAD_OS_EXTENSION", 0x54: "DELETE_OS_EXTENSION", 0x55: "DELETE_SUBREQUEST", 0x56: "SHARE_PLC_DATA",
	0x57: "TOGGLE_FORCE_PROGRAM_BLOCK_MEMORY", 0x58: "SFC_EVENT_Q_SERVICE", 0x59: "INTERROGATE_IO",
	0x5a: "PROGRAM_STORE_EXTENDED", 0x5b: "PROGRAM_LOAD_EXTENDED", 0x5c: "PROGRAM_VERIFY_EXTENDED", 0x5d: "ACTIVATE_DEBUGGER",
	0x5e: "CONFIGURATION_CHANGE_CONTROL", 0x5f: "REMOTE_SERVER_REGISTER", 0x60: "CLEAR_SELECTED_FAULT",
	0x61: "RETURN_PLC_FEATURES_SUPPORTED",
}

const svcSetPLCState = 0x23

// serviceEvent maps a service request to its operational event.
func serviceEvent(c byte) string {
	switch c {
	case 0x07, 0x08, 0x09, 0x0f, 0x10, 0x11, 0x44, 0x57, 0x48:
		return dissect.EvWrite
	case 0x22, 0x31, 0x32, 0x33, 0x3a, 0x3b, 0x4b, 0x5e:
		return dissect.EvConfigWrite
	case 0x28, 0x2b, 0x2c, 0x3e, 0x40, 0x41, 0x5b, 0x52, 0x53:
		return dissect.EvProgramDownload
	case 0x2a, 0x3d, 0x3f, 0x5a:
		return dissect.EvProgramUpload
	case 0x2e, 0x35, 0x36, 0x37, 0x54:
		return dissect.EvProgramDelete
	case 0x24:
		return dissect.EvTimeSync
	case 0x20, 0x21:
		return dissect.EvPassword
	case 0x39, 0x60, 0x47:
		return dissect.EvCommand
	case 0x43:
		return dissect.EvScan
	case 0x18, 0x1b, 0x1c, 0x1e:
		return dissect.EvFileTransfer
	}
	return ""
}

// plcStateName names the PLC state of the status word (bits 12-15; Wireshark
// ge_srtp_plc_state) and the run/stop state a Set PLC State request asks for.
func plcStateName(s byte) string {
	switch s {
	case 0:
		return "RUN_IO_ENABLED"
	case 1:
		return "RUN_IO_DISABLED"
	case 2:
		return "STOP_IO_DISABLED"
	case 3:
		return "STOP_FAULTED"
	case 4:
		return "HALTED"
	case 5:
		return "SUSPENDED"
	case 6:
		return "STOP_IO_ENABLED"
	}
	return ""
}

func plcMode(s byte) string {
	switch s {
	case 0, 1:
		return "run"
	case 2, 6:
		return "stop"
	case 3:
		return "stop_faulted"
	case 4:
		return "halted"
	case 5:
		return "suspended"
	}
	return ""
}

// segmentName names the memory a read/write addresses (segment selector at byte 43;
// Denton et al. Table 2).
func segmentName(s byte) string {
	switch s {
	case 0x08:
		return "%R"
	case 0x0a:
		return "%AI"
	case 0x0c:
		return "%AQ"
	case 0x10, 0x46:
		return "%I"
	case 0x12, 0x48:
		return "%Q"
	case 0x14, 0x4a:
		return "%T"
	case 0x16, 0x4c:
		return "%M"
	case 0x18, 0x4e:
		return "%SA"
	case 0x1a, 0x50:
		return "%SB"
	case 0x1c, 0x52:
		return "%SC"
	case 0x1e, 0x54:
		return "%S"
	case 0x38, 0x56:
		return "%G"
	}
	return ""
}

const (
	weirdBadHeader  = "srtp_invalid_header"
	weirdBadLength  = "srtp_invalid_length"
	weirdUnmatched  = "srtp_unmatched_response"
	weirdTooMany    = "srtp_too_many_pending_requests"
	weirdUnknownSvc = "srtp_unknown_service_request"
)
