package s7comm

// Protocol ids: the first byte of the COTP user data.
const (
	ProtoS7     = 0x32 // S7comm (S7-300/400, LOGO, S7-1200/1500 in PUT/GET mode)
	ProtoS7Plus = 0x72 // S7comm-plus (S7-1200/1500 with TIA Portal)
)

// ROSCTR (remote operating service control). Spec: Wireshark packet-s7comm.h (no public
// Siemens spec exists); names are ICSNPP's.
const (
	RosJob      = 0x01
	RosAck      = 0x02
	RosAckData  = 0x03
	RosUserData = 0x07
)

func rosctrName(r uint8) string {
	switch r {
	case RosJob:
		return "Job-Request"
	case RosAck:
		return "ACK"
	case RosAckData:
		return "ACK-Data"
	case RosUserData:
		return "User-Data"
	}
	return "unknown"
}

// Job / ACK-Data function codes (first parameter byte).
const (
	FnCPUServices     = 0x00
	FnReadVar         = 0x04
	FnWriteVar        = 0x05
	FnRequestDownload = 0x1a
	FnDownloadBlock   = 0x1b
	FnDownloadEnded   = 0x1c
	FnStartUpload     = 0x1d
	FnUpload          = 0x1e
	FnEndUpload       = 0x1f
	FnPIService       = 0x28
	FnPLCStop         = 0x29
	FnSetupComm       = 0xf0
)

// functionName returns ICSNPP's s7comm_functions spelling; ok is false for undefined codes.
func functionName(f uint8) (string, bool) {
	switch f {
	case FnCPUServices:
		return "CPU Services", true
	case FnReadVar:
		return "Read Variable", true
	case FnWriteVar:
		return "Write Variable", true
	case FnRequestDownload:
		return "Request Download", true
	case FnDownloadBlock:
		return "Download Block", true
	case FnDownloadEnded:
		return "Download Ended", true
	case FnStartUpload:
		return "Start Upload", true
	case FnUpload:
		return "Upload", true
	case FnEndUpload:
		return "End Upload", true
	case FnPIService:
		return "PLC Control", true
	case FnPLCStop:
		return "PLC Stop", true
	case FnSetupComm:
		return "Setup Communication", true
	}
	return "unknown", false
}

// Error classes of ACK / ACK-Data headers.
func errorClassName(c uint8) (string, bool) {
	switch c {
	case 0x00:
		return "No error", true
	case 0x81:
		return "Application relationship error", true
	case 0x82:
		return "Object definition error", true
	case 0x83:
		return "No ressources available error", true // sic, ICSNPP spelling
	case 0x84:
		return "Error on service processing", true
	case 0x85:
		return "Error on supplies", true
	case 0x87:
		return "Access error", true
	}
	return "", false
}

// User-data function groups (lower nibble of the type/group byte).
const (
	GrpModeTransition = 0x0
	GrpProgrammer     = 0x1
	GrpCyclic         = 0x2
	GrpBlock          = 0x3
	GrpCPU            = 0x4
	GrpSecurity       = 0x5
	GrpBSend          = 0x6
	GrpTime           = 0x7
	GrpNCProg         = 0xf
)

var groupNames = [16]string{
	"Mode-Transition", "Programmer Controls", "Cyclic Services", "Block Functions",
	"CPU Functions", "Security", "PBC BSEND-BRECV", "Time Functions",
	"unknown", "unknown", "unknown", "unknown", "unknown", "unknown", "unknown", "NC Programming",
}

// User-data type (upper nibble of the type/group byte).
const (
	UDPush     = 0x0
	UDRequest  = 0x4
	UDResponse = 0x8
)

func udTypePrefix(t uint8) string {
	switch t {
	case UDRequest:
		return "Request: "
	case UDResponse:
		return "Response: "
	case UDPush:
		return "Push: "
	}
	return "Unknown: "
}

// subfunctionName returns ICSNPP's sub-function spelling for a user-data group, "" where
// ICSNPP logs no name (groups without a table).
func subfunctionName(group, sub uint8) string {
	switch group {
	case GrpModeTransition:
		switch sub {
		case 0x00:
			return "Stop"
		case 0x01:
			return "Warm Restart"
		case 0x02:
			return "Run"
		case 0x03:
			return "Hot Restart"
		case 0x04:
			return "Hold"
		case 0x06:
			return "Cold Restart"
		case 0x09:
			return "Run_R"
		case 0x0b:
			return "Link-Up"
		case 0x0c:
			return "Update"
		}
	case GrpProgrammer:
		if int(sub) < len(progSubNames) && progSubNames[sub] != "" {
			return progSubNames[sub]
		}
	case GrpCyclic:
		switch sub {
		case 0x01:
			return "Cyclic Transfer"
		case 0x04:
			return "Unsubscribe"
		case 0x05:
			return "Change Driven Transfer"
		case 0x07:
			return "Change Driven Transfer Modify"
		case 0x08:
			return "RDREC"
		}
	case GrpBlock:
		switch sub {
		case 0x01:
			return "List Blocks"
		case 0x02:
			return "List Blocks of Type"
		case 0x03:
			return "Get Block Info"
		}
	case GrpCPU:
		if int(sub) < len(cpuSubNames) && cpuSubNames[sub] != "" {
			return cpuSubNames[sub]
		}
	case GrpSecurity:
		if sub == 0x01 {
			return "PLC Password"
		}
	case GrpTime:
		switch sub {
		case 0x01:
			return "Read Clock"
		case 0x02:
			return "Set Clock"
		case 0x03:
			return "Read Clock (Following)"
		case 0x04:
			return "Set Clock (2)"
		}
	default:
		return ""
	}
	return "unknown"
}

var progSubNames = [...]string{
	0x01: "Block Status", 0x02: "Variable Status", 0x03: "Output ISTACK", 0x04: "Output BSTACK",
	0x05: "Output LSTACK", 0x06: "Time Measurement", 0x07: "Force Selection",
	0x08: "Modify Variable", 0x09: "Force", 0x0a: "Breakpoint", 0x0b: "Exit HOLD",
	0x0c: "Memory Reset", 0x0d: "Disable Job", 0x0e: "Enable Job", 0x0f: "Delete Job",
	0x10: "Read Job List", 0x11: "Read Job", 0x12: "Replace Job", 0x13: "Block Status v2",
	0x16: "Flash LED",
}

var cpuSubNames = [...]string{
	0x01: "Read SZL", 0x02: "Message Service", 0x03: "Diagnostic Message",
	0x04: "ALARM_8 Indication", 0x05: "NOTIFY Indication", 0x06: "ALARM_8 Lock",
	0x07: "ALARM_8 Unlock", 0x08: "SCAN Indication", 0x0b: "ALARM_S Indication",
	0x0c: "ALARM_SQ Indication", 0x0d: "ALARM Query", 0x0e: "ALARM ACK",
	0x11: "ALARM ACK Indication", 0x12: "ALARM Lock Indication",
	0x13: "ALARM Unlock Indication", 0x16: "NOTIFY_8 Indication",
}

// plcMode maps a mode-transition sub-function to the AttrPLCMode value it announces.
func transitionMode(sub uint8) string {
	switch sub {
	case 0x00:
		return "stop"
	case 0x01, 0x03, 0x06:
		return "startup"
	case 0x02, 0x09:
		return "run"
	case 0x04:
		return "hold"
	}
	return ""
}

// szlModeName maps the mode nibble of SZL 0x0424 (bzu-id) to an AttrPLCMode value.
func szlMode(m uint8) string {
	switch m {
	case 0x1, 0x2, 0x3, 0x4:
		return "stop"
	case 0x5, 0x7:
		return "startup"
	case 0x8:
		return "run"
	case 0xa:
		return "hold"
	case 0xd:
		return "defect"
	}
	return ""
}

// userdata methods and return codes.
func udMethodName(m uint8) string {
	switch m {
	case 0x11:
		return "Request"
	case 0x12:
		return "Response"
	}
	return "Unknown"
}

func returnCodeName(c uint8) string {
	switch c {
	case 0x00:
		return "Reserved"
	case 0x01:
		return "Hardware error"
	case 0x03:
		return "Accessing the bbject not allowed" // sic, ICSNPP spelling
	case 0x05:
		return "Invalid address"
	case 0x06:
		return "Data type not supported"
	case 0x07:
		return "Data type inconsistent"
	case 0x0a:
		return "Object does not exist"
	case 0xff:
		return "Success"
	}
	return "Unknown"
}

// szlName is ICSNPP's name of an SZL id, looked up by its low byte as ICSNPP does.
func szlName(id uint16) string {
	switch id & 0xff {
	case 0x00:
		return "List of all the SZL-IDs of a module"
	case 0x11:
		return "Module identification"
	case 0x12:
		return "CPU characteristics"
	case 0x13:
		return "User memory areas"
	case 0x14:
		return "System areas"
	case 0x15:
		return "Block types"
	case 0x16, 0x23:
		return "Priority classes"
	case 0x17:
		return "List of the permitted SDBs with a number < 1000"
	case 0x18:
		return "Maximum S7-300 I/O configuration"
	case 0x19, 0x74:
		return "Status of the module LEDs"
	case 0x1c:
		return "Component Identification"
	case 0x21:
		return "Interrupt / error assignment"
	case 0x22:
		return "Interrupt status"
	case 0x24:
		return "Modes"
	case 0x25:
		return "Assignment between process image partitions and OBs"
	case 0x31:
		return "Communication capability parameters"
	case 0x32:
		return "Communication status data"
	case 0x33:
		return "Diagnostics: device logon list"
	case 0x37:
		return "Ethernet - Details of a Module"
	case 0x71:
		return "H CPU group information"
	case 0x75:
		return "Switched DP slaves in the H-system"
	case 0x81:
		return "Start information list"
	case 0x82:
		return "Start event list"
	case 0x91:
		return "Module status information"
	case 0x92, 0x94:
		return "Rack / station status information"
	case 0x95:
		return "Extended DP master system information"
	case 0x96:
		return "Module status information, PROFINET IO and PROFIBUS DP"
	case 0xa0:
		return "Diagnostic buffer of the CPU"
	case 0xb1:
		return "Module diagnostic information (data record 0)"
	case 0xb2:
		return "Module diagnostic information (data record 1), geographical address"
	case 0xb3:
		return "Module diagnostic information (data record 1), logical address"
	case 0xb4:
		return "Diagnostic data of a DP slave"
	}
	return "Unknown"
}

// blockTypeNameB maps the two hex digits of an upload/download file name ("_0A00001P").
func blockTypeNameB(b []byte) string {
	if len(b) != 2 || b[0] != '0' {
		return "Unknown"
	}
	switch b[1] {
	case '8':
		return "Organization Block"
	case 'A':
		return "Data Block"
	case 'B':
		return "System Data Block"
	case 'C':
		return "Function"
	case 'D':
		return "System Function"
	case 'E':
		return "Function Block"
	case 'F':
		return "System Function Block"
	}
	return "Unknown"
}

func filesystemName(c byte) string {
	switch c {
	case 'P':
		return "Passive"
	case 'A':
		return "Active"
	}
	return "Unknown"
}

// piServiceName is ICSNPP's description of the common PI services (PLC Control, 0x28). The
// NC (_N_…) services are logged with "unknown" as their name.
func piServiceName(s []byte) string {
	switch string(s) { // the conversion in a switch does not allocate
	case "_INSE", "_INS2":
		return "Activates a PLC module"
	case "_DELE":
		return "Removes module from the PLC's passive file system"
	case "P_PROGRAM":
		return "PLC Start / Stop"
	case "_MODU":
		return "PLC Copy Ram to Rom"
	case "_GARB":
		return "Compress PLC memory"
	case "_N_LOGIN_":
		return "Login"
	case "_N_LOGOUT":
		return "Logout"
	}
	return "unknown"
}

// S7comm-plus opcodes and functions. Spec: Wireshark s7comm_plus plugin; names are ICSNPP's.
const (
	PlusRequest      = 0x31
	PlusResponse     = 0x32
	PlusNotification = 0x33
	PlusResponse2    = 0x02 // Wireshark "Response2": V2 answers to Set Variable
)

func plusOpcodeName(op uint8) (string, bool) {
	switch op {
	case PlusRequest:
		return "Request", true
	case PlusResponse:
		return "Response", true
	case PlusNotification:
		return "Notification", true
	case PlusResponse2:
		return "Response2", true
	}
	return "", false
}

func plusFunctionName(f uint16) (string, bool) {
	switch f {
	case 0x04bb:
		return "Explore", true
	case 0x04ca:
		return "Create Object", true
	case 0x04d4:
		return "Delete Object", true
	case 0x04f2:
		return "Set Variable", true
	case 0x0524:
		return "Get Link", true
	case 0x0542:
		return "Set Multi Variables", true
	case 0x054c:
		return "Get Multi Variables", true
	case 0x0556:
		return "Begin Sequence", true
	case 0x0560:
		return "End Sequence", true
	case 0x056b:
		return "Invoke", true
	case 0x0586:
		return "Get Variable Sub Streamed", true
	}
	return "", false
}

// areaName names the memory area of an S7ANY item (Read/Write Var).
func areaName(a uint8) string {
	switch a {
	case 0x03:
		return "SYS"
	case 0x05:
		return "SI"
	case 0x06:
		return "SQ"
	case 0x1c:
		return "C"
	case 0x1d:
		return "T"
	case 0x1e:
		return "IEC_C"
	case 0x1f:
		return "IEC_T"
	case 0x80:
		return "P"
	case 0x81:
		return "I"
	case 0x82:
		return "Q"
	case 0x83:
		return "M"
	case 0x84:
		return "DB"
	case 0x85:
		return "DI"
	case 0x86:
		return "L"
	case 0x87:
		return "V"
	}
	return "area?"
}
