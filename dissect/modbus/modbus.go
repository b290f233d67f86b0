package modbus

import "strconv"

// Spec: MODBUS Messaging on TCP/IP Implementation Guide V1.0b §3.1.3 (MBAP header).
const (
	mbapLen   = 7   // transaction id (2), protocol id (2), length (2), unit id (1)
	minLength = 2   // length field: unit id + function code at least
	maxLength = 254 // length field: unit id + a PDU of at most 253 bytes (Application Protocol §4.1)
	maxADU    = 6 + maxLength
)

// FuncCode is a MODBUS function code.
// Spec: MODBUS Application Protocol Specification V1.1b3 §5.1 (public function code table).
type FuncCode uint8

const (
	fcReadCoils                  FuncCode = 0x01
	fcReadDiscreteInputs         FuncCode = 0x02
	fcReadHoldingRegisters       FuncCode = 0x03
	fcReadInputRegisters         FuncCode = 0x04
	fcWriteSingleCoil            FuncCode = 0x05
	fcWriteSingleRegister        FuncCode = 0x06
	fcReadExceptionStatus        FuncCode = 0x07
	fcDiagnostics                FuncCode = 0x08
	fcGetCommEventCounter        FuncCode = 0x0B
	fcGetCommEventLog            FuncCode = 0x0C
	fcWriteMultipleCoils         FuncCode = 0x0F
	fcWriteMultipleRegisters     FuncCode = 0x10
	fcReportServerID             FuncCode = 0x11
	fcReadFileRecord             FuncCode = 0x14
	fcWriteFileRecord            FuncCode = 0x15
	fcMaskWriteRegister          FuncCode = 0x16
	fcReadWriteMultipleRegisters FuncCode = 0x17
	fcReadFIFOQueue              FuncCode = 0x18
	fcEncapInterfaceTransport    FuncCode = 0x2B
	fcExceptionBit               FuncCode = 0x80
)

// Names of function codes as Zeek's base/protocols/modbus/consts.zeek spells them (modbus.log
// func). Vendor/legacy codes are named too: Zeek does, and so the log stays comparable.
var baseFuncNames = [128]string{
	0x01: "READ_COILS",
	0x02: "READ_DISCRETE_INPUTS",
	0x03: "READ_HOLDING_REGISTERS",
	0x04: "READ_INPUT_REGISTERS",
	0x05: "WRITE_SINGLE_COIL",
	0x06: "WRITE_SINGLE_REGISTER",
	0x07: "READ_EXCEPTION_STATUS",
	0x08: "DIAGNOSTICS",
	0x0B: "GET_COMM_EVENT_COUNTER",
	0x0C: "GET_COMM_EVENT_LOG",
	0x0F: "WRITE_MULTIPLE_COILS",
	0x10: "WRITE_MULTIPLE_REGISTERS",
	0x11: "REPORT_SLAVE_ID",
	0x14: "READ_FILE_RECORD",
	0x15: "WRITE_FILE_RECORD",
	0x16: "MASK_WRITE_REGISTER",
	0x17: "READ_WRITE_MULTIPLE_REGISTERS",
	0x18: "READ_FIFO_QUEUE",
	0x2B: "ENCAP_INTERFACE_TRANSPORT",
	0x5B: "OBJECT_MESSAGING",
	// Machine/vendor/network specific functions.
	0x09: "PROGRAM_484",
	0x0A: "POLL_484",
	0x0D: "PROGRAM_584_984",
	0x0E: "POLL_584_984",
	0x12: "PROGRAM_884_U84",
	0x13: "RESET_COMM_LINK_884_U84",
	0x28: "PROGRAM_CONCEPT",
	0x29: "MULTIPLE_FUNCTION_CODES",
	0x5A: "PROGRAM_UNITY",
	0x7D: "FIRMWARE_REPLACEMENT",
	0x7E: "PROGRAM_584_984_2",
	0x7F: "REPORT_LOCAL_ADDRESS",
}

// funcNames maps every byte of the function code field to its modbus.log spelling, following
// Zeek's build_func: a known code keeps its name, a known code with the exception bit set gets
// "_EXCEPTION" appended, anything else is "unknown-<decimal>". Built once at start-up so that
// naming a PDU never allocates.
var funcNames [256]string

// exceptionNames maps exception codes to Zeek's spellings (consts.zeek exception_codes).
// Spec: MODBUS Application Protocol V1.1b3 §7.
var exceptionNames [256]string

func init() {
	for i := range funcNames {
		fc := i
		base := baseFuncNames[fc&0x7f]
		switch {
		case fc < 0x80 && base != "":
			funcNames[i] = base
		case fc >= 0x80 && base != "":
			funcNames[i] = base + "_EXCEPTION"
		default:
			funcNames[i] = "unknown-" + strconv.Itoa(fc)
		}
	}
	known := map[int]string{
		0x01: "ILLEGAL_FUNCTION",
		0x02: "ILLEGAL_DATA_ADDRESS",
		0x03: "ILLEGAL_DATA_VALUE",
		0x04: "SLAVE_DEVICE_FAILURE",
		0x05: "ACKNOWLEDGE",
		0x06: "SLAVE_DEVICE_BUSY",
		0x08: "MEMORY_PARITY_ERROR",
		0x0A: "GATEWAY_PATH_UNAVAILABLE",
		0x0B: "GATEWAY_TARGET_DEVICE_FAILED_TO_RESPOND",
	}
	for i := range exceptionNames {
		if s, ok := known[i]; ok {
			exceptionNames[i] = s
		} else {
			exceptionNames[i] = "unknown-" + strconv.Itoa(i)
		}
	}
}

// knownFunc reports whether fc (without the exception bit) is a public, legacy/vendor or
// user-defined function code. Spec: Application Protocol V1.1b3 §5 (user-defined ranges
// 65-72 and 100-110).
func knownFunc(fc FuncCode) bool {
	fc &^= fcExceptionBit
	return baseFuncNames[fc] != "" || (fc >= 65 && fc <= 72) || (fc >= 100 && fc <= 110)
}

// Diagnostics (FC 8) sub-function codes, ICSNPP spellings. Spec: Application Protocol §6.8.1.
const (
	diagReturnQueryData       = 0x00
	diagRestartCommunications = 0x01
	diagChangeASCIIDelimiter  = 0x03
	diagForceListenOnly       = 0x04
)

var diagNames = [0x15]string{
	0x00: "Return Query Data",
	0x01: "Restart Communications Option",
	0x02: "Return Diagnostic Register",
	0x03: "Change ASCII Input Delimiter",
	0x04: "Force Listen Only Mode",
	0x0A: "Clear Counters and Diagnostic Register",
	0x0B: "Return Bus Message Count",
	0x0C: "Return Bus Communication Error Count",
	0x0D: "Return Bus Exception Error Count",
	0x0E: "Return Server Message Count",
	0x0F: "Return Server No Response Count",
	0x10: "Return Server NAK Count",
	0x11: "Return Server Busy Count",
	0x12: "Return Bus Character Overrun Count",
	0x14: "Clear Overrun Counter and Flag",
}

// diagName returns the sub-function's name, or "" when it is not defined.
func diagName(sub uint16) string {
	if int(sub) < len(diagNames) {
		return diagNames[sub]
	}
	return ""
}

// MEI types of FC 43 (Encapsulated Interface Transport). Spec: Application Protocol §6.19-6.21.
const (
	meiCANopen        = 0x0D
	meiReadDeviceID   = 0x0E
	meiCANopenName    = "CANopen General Reference"
	meiReadDeviceName = "Read Device Identification"
)

// Read Device ID conformity levels (§6.21, ICSNPP spellings).
func conformityName(c uint8) string {
	switch c {
	case 0x01:
		return "Basic Identification (Stream)"
	case 0x02:
		return "Regular Identification (Stream)"
	case 0x03:
		return "Extended Identification (Stream)"
	case 0x81:
		return "Basic Identification (Stream, Individual)"
	case 0x82:
		return "Regular Identification (Stream, Individual)"
	case 0x83:
		return "Extended Identification (Stream, Individual)"
	}
	return "Unknown"
}

// Read Device ID object ids (§6.21 table "Basic/Regular" categories, ICSNPP spellings).
const (
	objVendorName          = 0x00
	objProductCode         = 0x01
	objMajorMinorRevision  = 0x02
	objVendorURL           = 0x03
	objProductName         = 0x04
	objModelName           = 0x05
	objUserApplicationName = 0x06
)

func objectName(id uint8) string {
	switch id {
	case objVendorName:
		return "VendorName"
	case objProductCode:
		return "ProductCode"
	case objMajorMinorRevision:
		return "MajorMinorVersion"
	case objVendorURL:
		return "VendorURL"
	case objProductName:
		return "ProductName"
	case objModelName:
		return "ModelName"
	case objUserApplicationName:
		return "UserApplicationName"
	}
	if id >= 0x80 {
		return "Private"
	}
	return "Unknown"
}

// Anomaly names (weird.log "name"). Stable: SIEM rules match on them.
const (
	weirdInvalidProtocolID  = "modbus_invalid_protocol_id"
	weirdInvalidLength      = "modbus_invalid_length"
	weirdUnknownFunction    = "modbus_unknown_function"
	weirdMalformedPDU       = "modbus_malformed_pdu"
	weirdUnmatchedResponse  = "modbus_unmatched_response"
	weirdFunctionMismatch   = "modbus_function_mismatch"
	weirdRequestFlood       = "modbus_request_flood"
	weirdExceptionResponse  = "modbus_exception_response"
	weirdExceptionRequest   = "modbus_exception_in_request"
	weirdInvalidCoilValue   = "modbus_invalid_coil_value"
	weirdQuantityOutOfRange = "modbus_quantity_out_of_range"
	weirdDiagUnknownSubfunc = "modbus_diag_unknown_request_subfunction"
	weirdDiagInvalidData    = "modbus_diag_invalid_request_data"
)

// Log names.
const (
	logModbus    = "modbus"
	logDetailed  = "modbus_detailed"
	logMaskWrite = "modbus_mask_write_register"
	logReadWrite = "modbus_read_write_multiple_registers"
	logDeviceID  = "modbus_read_device_identification"
)
