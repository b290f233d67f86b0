package hartip

import "github.com/quietwire/quietwire/dissect"

// Spec: FieldComm Group HART-IP protocol, HCF_SPEC-085 (header: version, message type,
// message id, status, sequence number, byte count); HART universal and common practice
// commands, HCF_SPEC-127 and HCF_SPEC-151. Field names follow Wireshark's hart_ip dissector
// (hart_ip.version, message_type, message_id, status, transaction_id, msg_length, pt.command,
// pt.response_code, pt.device_status).

const (
	logHARTIP = "hartip"
	Port      = 5094

	hdrLen = 8
	// maxLength bounds the byte count; HART-IP messages are small (a token-passing PDU is at
	// most a few hundred bytes), the cap leaves room for audit-log reads.
	maxLength = 8192

	maxPending = 500
)

// Message types (HCF_SPEC-085 §10.3.2; Wireshark hartip_message_type_values).
func messageTypeName(t byte) string {
	switch t {
	case 0:
		return "REQUEST"
	case 1:
		return "RESPONSE"
	case 2:
		return "PUBLISH"
	case 3:
		return "ERROR"
	case 15:
		return "NAK"
	}
	return ""
}

// Message ids (HCF_SPEC-085: 0-3 in revision 1 as Wireshark knows them; 4 and 5 added by
// HART-IP version 2).
const (
	msgSessionInitiate = 0
	msgSessionClose    = 1
	msgKeepAlive       = 2
	msgPassThrough     = 3
	msgDirectPDU       = 4
	msgReadAuditLog    = 5
)

func messageIDName(id byte) string {
	switch id {
	case msgSessionInitiate:
		return "SESSION_INITIATE"
	case msgSessionClose:
		return "SESSION_CLOSE"
	case msgKeepAlive:
		return "KEEP_ALIVE"
	case msgPassThrough:
		return "PASS_THROUGH"
	case msgDirectPDU:
		return "DIRECT_PDU"
	case msgReadAuditLog:
		return "READ_AUDIT_LOG"
	}
	return ""
}

// commandName names the universal and common practice HART commands.
func commandName(c byte) string {
	switch c {
	case 0:
		return "READ_UNIQUE_IDENTIFIER"
	case 1:
		return "READ_PRIMARY_VARIABLE"
	case 2:
		return "READ_LOOP_CURRENT_AND_PERCENT_OF_RANGE"
	case 3:
		return "READ_DYNAMIC_VARIABLES_AND_LOOP_CURRENT"
	case 6:
		return "WRITE_POLLING_ADDRESS"
	case 7:
		return "READ_LOOP_CONFIGURATION"
	case 8:
		return "READ_DYNAMIC_VARIABLE_CLASSIFICATIONS"
	case 9:
		return "READ_DEVICE_VARIABLES_WITH_STATUS"
	case 11:
		return "READ_UNIQUE_IDENTIFIER_WITH_TAG"
	case 12:
		return "READ_MESSAGE"
	case 13:
		return "READ_TAG_DESCRIPTOR_DATE"
	case 14:
		return "READ_PV_TRANSDUCER_INFORMATION"
	case 15:
		return "READ_DEVICE_INFORMATION"
	case 16:
		return "READ_FINAL_ASSEMBLY_NUMBER"
	case 17:
		return "WRITE_MESSAGE"
	case 18:
		return "WRITE_TAG_DESCRIPTOR_DATE"
	case 19:
		return "WRITE_FINAL_ASSEMBLY_NUMBER"
	case 20:
		return "READ_LONG_TAG"
	case 21:
		return "READ_UNIQUE_IDENTIFIER_WITH_LONG_TAG"
	case 22:
		return "WRITE_LONG_TAG"
	case 33:
		return "READ_DEVICE_VARIABLES"
	case 34:
		return "WRITE_PV_DAMPING_VALUE"
	case 35:
		return "WRITE_PV_RANGE_VALUES"
	case 36:
		return "SET_PV_UPPER_RANGE_VALUE"
	case 37:
		return "SET_PV_LOWER_RANGE_VALUE"
	case 38:
		return "RESET_CONFIGURATION_CHANGED_FLAG"
	case 40:
		return "ENTER_EXIT_FIXED_CURRENT_MODE"
	case 41:
		return "PERFORM_SELF_TEST"
	case 42:
		return "PERFORM_DEVICE_RESET"
	case 43:
		return "SET_PV_ZERO"
	case 44:
		return "WRITE_PV_UNITS"
	case 45:
		return "TRIM_LOOP_CURRENT_ZERO"
	case 46:
		return "TRIM_LOOP_CURRENT_GAIN"
	case 47:
		return "WRITE_PV_TRANSFER_FUNCTION"
	case 48:
		return "READ_ADDITIONAL_DEVICE_STATUS"
	case 49:
		return "WRITE_PV_TRANSDUCER_SERIAL_NUMBER"
	case 50:
		return "READ_DYNAMIC_VARIABLE_ASSIGNMENTS"
	case 51:
		return "WRITE_DYNAMIC_VARIABLE_ASSIGNMENTS"
	case 53:
		return "WRITE_DEVICE_VARIABLE_UNITS"
	case 54:
		return "READ_DEVICE_VARIABLE_INFORMATION"
	case 59:
		return "WRITE_NUMBER_OF_RESPONSE_PREAMBLES"
	case 77:
		return "SEND_COMMAND_TO_SUB_DEVICE"
	}
	return ""
}

func commandEvent(c byte) string {
	switch c {
	case 6, 17, 18, 19, 22, 34, 35, 36, 37, 43, 44, 45, 46, 47, 49, 51, 53, 59:
		return dissect.EvConfigWrite
	case 38, 40, 77:
		return dissect.EvCommand
	case 41:
		return dissect.EvDiagnostic
	case 42:
		return dissect.EvRestart
	case 0, 11, 21:
		return dissect.EvScan
	}
	return ""
}

const (
	weirdBadHeader = "hartip_invalid_header"
	weirdBadLength = "hartip_invalid_length"
	weirdUnmatched = "hartip_unmatched_response"
	weirdTooMany   = "hartip_too_many_pending_requests"
	weirdTruncated = "hartip_truncated_message"
	weirdBadPDU    = "hartip_malformed_pass_through"
)
