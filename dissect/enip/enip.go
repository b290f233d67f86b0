package enip

// Encapsulation commands. Spec: CIP Vol 2 (EtherNet/IP Adaptation) §2-3.2, Table 2-3.2.
const (
	cmdNOP               uint16 = 0x0000
	cmdListTargets       uint16 = 0x0001 // legacy (Rockwell), undocumented in Vol 2
	cmdListServices      uint16 = 0x0004
	cmdListIdentity      uint16 = 0x0063
	cmdListInterfaces    uint16 = 0x0064
	cmdRegisterSession   uint16 = 0x0065
	cmdUnregisterSession uint16 = 0x0066
	cmdSendRRData        uint16 = 0x006F
	cmdSendUnitData      uint16 = 0x0070
	cmdIndicateStatus    uint16 = 0x0072
	cmdCancel            uint16 = 0x0073
)

// headerLen is the fixed encapsulation header size; maxBody is the largest length field the
// spec allows (65535 - 24), so a whole PDU always fits the engine's 64 KiB stream buffer.
const (
	headerLen = 24
	maxBody   = 65511
)

// commandName follows ICSNPP's enip_commands table (unknown codes are "unknown").
func commandName(c uint16) string {
	switch c {
	case cmdNOP:
		return "NOP"
	case cmdListServices:
		return "List Services"
	case cmdListIdentity:
		return "List Identity"
	case cmdListInterfaces:
		return "List Interfaces"
	case cmdRegisterSession:
		return "Register Session"
	case cmdUnregisterSession:
		return "Unregister Session"
	case cmdSendRRData:
		return "Send RR Data"
	case cmdSendUnitData:
		return "Send Unit Data"
	case cmdIndicateStatus:
		return "Indicate Status"
	case cmdCancel:
		return "Cancel"
	}
	return "unknown"
}

// knownCommand reports whether c is a defined command (legacy List Targets 0x0001 included:
// RSLinx still sends it).
func knownCommand(c uint16) bool {
	switch c {
	case cmdNOP, cmdListServices, cmdListIdentity, cmdListInterfaces, cmdRegisterSession,
		cmdUnregisterSession, cmdSendRRData, cmdSendUnitData, cmdIndicateStatus, cmdCancel,
		cmdListTargets:
		return true
	}
	return false
}

// encapStatusName: Spec Vol 2 Table 2-3.3; unknown codes return "" (the caller formats them).
func encapStatusName(s uint32) string {
	switch s {
	case 0x00:
		return "Success"
	case 0x01:
		return "Invalid/Unsupported Command"
	case 0x02:
		return "Insufficient Memory Resources"
	case 0x03:
		return "Malformed or Incorrect Data"
	case 0x64:
		return "Invalid Session Handle"
	case 0x65:
		return "Invalid Length"
	case 0x69:
		return "Unsupported Protocol Version"
	case 0x6A:
		return "CIP Service Not Allowed"
	}
	return ""
}

// Common Packet Format item types. Spec Vol 2 §2-6.
const (
	itemNullAddress      uint16 = 0x0000
	itemListIdentity     uint16 = 0x000C
	itemConnectedAddress uint16 = 0x00A1
	itemConnectedData    uint16 = 0x00B1
	itemUnconnectedData  uint16 = 0x00B2
	itemListServices     uint16 = 0x0100
	itemSockAddrOT       uint16 = 0x8000
	itemSockAddrTO       uint16 = 0x8001
	itemSequencedAddress uint16 = 0x8002
)

// maxItems bounds the CPF item count: real messages carry 2 (4 with socket address items).
const maxItems = 16

// CIP services. Spec: CIP Vol 1 Appendix A (common services); object-specific codes noted.
const (
	svcGetAttributesAll   uint8 = 0x01
	svcSetAttributesAll   uint8 = 0x02
	svcGetAttributeList   uint8 = 0x03
	svcSetAttributeList   uint8 = 0x04
	svcReset              uint8 = 0x05
	svcStart              uint8 = 0x06
	svcStop               uint8 = 0x07
	svcMultipleService    uint8 = 0x0A
	svcGetAttributeSingle uint8 = 0x0E
	svcSetAttributeSingle uint8 = 0x10
	svcExecutePCCC        uint8 = 0x4B // PCCC object (0x67)
	svcReadTag            uint8 = 0x4C // Logix data table services (Rockwell, Logix 1756-PM020)
	svcWriteTag           uint8 = 0x4D
	svcReadModifyWrite    uint8 = 0x4E // Forward Close on the Connection Manager
	svcReadTagFragmented  uint8 = 0x52 // Unconnected Send on the Connection Manager
	svcWriteTagFragmented uint8 = 0x53
	svcForwardOpen        uint8 = 0x54
	svcLargeForwardOpen   uint8 = 0x5B
	svcForwardClose       uint8 = 0x4E
	svcUnconnectedSend    uint8 = 0x52
)

// CIP classes used by the parser.
const (
	classIdentity      = 0x01
	classMessageRouter = 0x02
	classConnMgr       = 0x06
	classPCCC          = 0x67
	classSymbol        = 0x6B // Logix Symbol object
)

// serviceName names a service code (without the response bit). Connection Manager services
// reuse codes of the Logix data table services, so the class (when known) decides; other
// names follow ICSNPP's cip_services table.
func serviceName(code uint8, class uint32, hasClass bool) string {
	if hasClass && class == classConnMgr {
		switch code {
		case svcUnconnectedSend:
			return "Unconnected Send"
		case svcForwardOpen:
			return "Forward Open"
		case svcLargeForwardOpen:
			return "Large Forward Open"
		case svcForwardClose:
			return "Forward Close"
		case 0x56:
			return "Get Connection Data"
		case 0x57:
			return "Search Connection Data"
		case 0x5A:
			return "Get Connection Owner"
		}
	}
	switch code {
	case 0x01:
		return "Get Attributes All"
	case 0x02:
		return "Set Attributes All"
	case 0x03:
		return "Get Attribute List"
	case 0x04:
		return "Set Attribute List"
	case 0x05:
		return "Reset"
	case 0x06:
		return "Start"
	case 0x07:
		return "Stop"
	case 0x08:
		return "Create"
	case 0x09:
		return "Delete"
	case 0x0A:
		return "Multiple Service Packet"
	case 0x0D:
		return "Apply Attributes"
	case 0x0E:
		return "Get Attributes Single"
	case 0x10:
		return "Set Attributes Single"
	case 0x11:
		return "Find Next Object Instance"
	case 0x15:
		return "Restore"
	case 0x16:
		return "Save"
	case 0x17:
		return "No Forward Open"
	case 0x18:
		return "Get Member"
	case 0x19:
		return "Set Member"
	case 0x1A:
		return "Insert Member"
	case 0x1B:
		return "Remove Member"
	case 0x1C:
		return "Group Sync"
	case 0x1D:
		return "Get Connection Point Member List"
	case 0x4B:
		return "Execute PCCC Service"
	case 0x4C:
		return "Read Data"
	case 0x4D:
		return "Write Data"
	case 0x4E:
		return "Read Write Modify Data"
	case 0x52:
		return "Read Data Fragmented"
	case 0x53:
		return "Write Data Fragmented"
	case 0x54:
		return "Forward Open"
	}
	return "unknown"
}

// className follows ICSNPP's cip_classes table, plus the Logix Symbol and Template objects.
func className(c uint32) string {
	switch c {
	case 0x00:
		return ""
	case 0x01:
		return "Identity"
	case 0x02:
		return "Message Router"
	case 0x03:
		return "DeviceNet"
	case 0x04:
		return "Assembly"
	case 0x05:
		return "Connection"
	case 0x06:
		return "Connection Manager"
	case 0x07:
		return "Register"
	case 0x08:
		return "Discrete Input Point"
	case 0x09:
		return "Discrete Output Point"
	case 0x0A:
		return "Analog Input Point"
	case 0x0B:
		return "Analog Output Point"
	case 0x0E:
		return "Presence Sensing"
	case 0x0F:
		return "Parameter"
	case 0x10:
		return "Parameter Group"
	case 0x12:
		return "Group"
	case 0x1D:
		return "Discrete Input Group"
	case 0x1E:
		return "Discrete Output Group"
	case 0x1F:
		return "Discrete Group"
	case 0x20:
		return "Analog Input Group"
	case 0x21:
		return "Analog Output Group"
	case 0x22:
		return "Analog Group"
	case 0x23:
		return "Position Sensor"
	case 0x24:
		return "Position Controller Supervisor"
	case 0x25:
		return "Position Controller"
	case 0x26:
		return "Block Sequencer"
	case 0x27:
		return "Command Block"
	case 0x28:
		return "Motor Data"
	case 0x29:
		return "Control Supervisor"
	case 0x2A:
		return "AC/DC Drive"
	case 0x2B:
		return "Acknowledge Handler"
	case 0x2C:
		return "Overload"
	case 0x2D:
		return "Softstart"
	case 0x2E:
		return "Selection"
	case 0x30:
		return "S-Device Supervisor"
	case 0x31:
		return "S-Analog Sensor"
	case 0x32:
		return "S-Analog Actuator"
	case 0x33:
		return "S-Single Stage Controller"
	case 0x34:
		return "S-Gas Calibration"
	case 0x35:
		return "Trip Point"
	case 0x37:
		return "File"
	case 0x38:
		return "S-Partial Pressure"
	case 0x39:
		return "Safety Supervisor"
	case 0x3A:
		return "Safety Validator"
	case 0x3B:
		return "Safety Discrete Output Point"
	case 0x3C:
		return "Safety Discrete Output Group"
	case 0x3D:
		return "Safety Discrete Input Point"
	case 0x3E:
		return "Safety Discrete Input Group"
	case 0x3F:
		return "Safety Dual Channel Output"
	case 0x40:
		return "S-Sensor Calibration"
	case 0x41:
		return "Event Log"
	case 0x42:
		return "Motion Device Axis"
	case 0x43:
		return "Time Sync"
	case 0x44:
		return "Modbus"
	case 0x45:
		return "Originator Connection List"
	case 0x46:
		return "Modbus Serial Link"
	case 0x47:
		return "Device Level Ring (DLR)"
	case 0x48:
		return "QoS"
	case 0x49:
		return "Safety Analog Input Point"
	case 0x4A:
		return "Safety Analog Input Group"
	case 0x4B:
		return "Safety Dual Channel Analog Input"
	case 0x4C:
		return "SERCOS III Link"
	case 0x4D:
		return "Target Connection List"
	case 0x4E:
		return "Base Energy"
	case 0x4F:
		return "Electrical Energy"
	case 0x50:
		return "Non-Electrical Energy"
	case 0x51:
		return "Base Switch"
	case 0x52:
		return "SNMP"
	case 0x53:
		return "Power Management"
	case 0x54:
		return "RSTP Bridge"
	case 0x55:
		return "RSTP Port"
	case 0x56:
		return "PRP/HSR Protocol"
	case 0x57:
		return "PRP/HSR Nodes Table"
	case 0x58:
		return "Safety Feedback"
	case 0x59:
		return "Safety Dual Channel Feedback"
	case 0x5A:
		return "Safety Stop Functions"
	case 0x5B:
		return "Safety Limit Functions"
	case 0x5C:
		return "Power Curtailment"
	case 0x5D:
		return "CIP Security"
	case 0x5E:
		return "EtherNet/IP Security"
	case 0x5F:
		return "Certificate Management"
	case 0x67:
		return "PCCC Class"
	case 0x6B:
		return "Symbol"
	case 0x6C:
		return "Template"
	case 0xF0:
		return "ControlNet"
	case 0xF1:
		return "ControlNet Keeper"
	case 0xF2:
		return "ControlNet Scheduling"
	case 0xF3:
		return "Connection Configuration"
	case 0xF4:
		return "Port"
	case 0xF5:
		return "TCP/IP Interface"
	case 0xF6:
		return "Ethernet Link"
	case 0xF7:
		return "CompoNet"
	case 0xF8:
		return "CompoNet Repeater"
	}
	return "unknown"
}

// cipStatusName: CIP Vol 1 Appendix B, Table B-1.1 (ICSNPP spellings). "" when unknown.
func cipStatusName(s uint8) string {
	if int(s) < len(cipStatuses) {
		return cipStatuses[s]
	}
	if s == 0xFF {
		return "Still Processing"
	}
	return ""
}

var cipStatuses = [...]string{
	"Success", "Connection Failure", "Resource Unavailable", "Invalid Parameter Value",
	"Path Segment Error", "Path Destination Unknown", "Partial Transfer", "Connection Lost",
	"Service Not Supported", "Invalid Attribute Value", "Attribute List Error",
	"Already In Requested Mode/State", "Object State Conflict", "Object Already Exists",
	"Attribute Not Settable", "Privilege Violation", "Device State Conflict",
	"Reply Data Too Large", "Fragmentation Of A Primitive Value", "Not Enough Data",
	"Attribute Not Supported", "Too Much Data", "Object Does Not Exist",
	"Service Fragmentation Sequence Not In Progress", "No Stored Attribute Data",
	"Store Operation Failure", "Routing Failure, Request Packet Too Large",
	"Routing Failure, Response Packet Too Large", "Missing Attribute List Entry Data",
	"Invalid Attribute Value List", "Embedded Service Error", "Vendor Specific Error",
	"Invalid Parameter", "Write-Once Value Or Medium Already Written", "Invalid Reply Received",
	"Buffer Overflow", "Invalid Message Format", "Key Failure In Path", "Path Size Invalid",
	"Unexpected Attribute In List", "Invalid Member ID", "Member Not Settable",
	"Group 2 Only Server General Failure", "Unknown Modbus Error", "Attribute Not Gettable",
}

// extStatusName: Connection Manager extended status codes (CIP Vol 1 Table 3-5.33), the
// common subset. "" when unknown.
func extStatusName(s uint16) string {
	switch s {
	case 0x100:
		return "Connection in use or duplicate Forward Open"
	case 0x103:
		return "Transport class and trigger combination not supported"
	case 0x106:
		return "Ownership conflict"
	case 0x107:
		return "Target connection not found"
	case 0x108:
		return "Invalid network connection parameter"
	case 0x109:
		return "Invalid connection size"
	case 0x110:
		return "Target for connection not configured"
	case 0x111:
		return "RPI not supported"
	case 0x112:
		return "RPI value(s) not acceptable"
	case 0x113:
		return "Out of connections"
	case 0x114:
		return "Vendor ID or product code mismatch"
	case 0x115:
		return "Device type mismatch"
	case 0x116:
		return "Revision mismatch"
	case 0x117:
		return "Invalid produced or consumed application path"
	case 0x118:
		return "Invalid or inconsistent configuration application path"
	case 0x119:
		return "Non-listen only connection not opened"
	case 0x11A:
		return "Target object out of connections"
	case 0x11B:
		return "RPI is smaller than the production inhibit time"
	case 0x127:
		return "Invalid O->T size"
	case 0x128:
		return "Invalid T->O size"
	case 0x203:
		return "Connection timed out"
	case 0x204:
		return "Unconnected request timed out"
	case 0x205:
		return "Parameter error in unconnected request"
	case 0x206:
		return "Message too large for UnconnectedSend"
	case 0x207:
		return "Unconnected acknowledged without reply"
	case 0x301:
		return "No buffer memory available"
	case 0x302:
		return "Network bandwidth not available for data"
	case 0x303:
		return "No consumed connection ID filter available"
	case 0x311:
		return "Port not available"
	case 0x312:
		return "Link address not valid"
	case 0x315:
		return "Invalid segment in connection path"
	case 0x316:
		return "ForwardClose connection path mismatch"
	case 0x317:
		return "Scheduling not specified"
	case 0x318:
		return "Link address to self invalid"
	case 0x319:
		return "Secondary resources unavailable"
	case 0x31A:
		return "Rack connection already established"
	case 0x31B:
		return "Module connection already established"
	case 0x31C:
		return "Miscellaneous"
	case 0x31D:
		return "Redundant connection mismatch"
	case 0x800:
		return "Network link offline"
	}
	return ""
}

// deviceTypeName: CIP Vol 1 Table 6-7.1 device profiles (ICSNPP/Wireshark spellings).
func deviceTypeName(t uint16) string {
	switch t {
	case 0x00:
		return "Generic Device (deprecated)"
	case 0x02:
		return "AC Drive"
	case 0x03:
		return "Motor Overload"
	case 0x04:
		return "Limit Switch"
	case 0x05:
		return "Inductive Proximity Switch"
	case 0x06:
		return "Photoelectric Sensor"
	case 0x07:
		return "General Purpose Discrete I/O"
	case 0x09:
		return "Resolver"
	case 0x0C:
		return "Communications Adapter"
	case 0x0E:
		return "Programmable Logic Controller"
	case 0x10:
		return "Position Controller"
	case 0x13:
		return "DC Drive"
	case 0x15:
		return "Contactor"
	case 0x16:
		return "Motor Starter"
	case 0x17:
		return "Soft Start"
	case 0x18:
		return "Human-Machine Interface"
	case 0x1A:
		return "Mass Flow Controller"
	case 0x1B:
		return "Pneumatic Valve"
	case 0x1C:
		return "Vacuum Pressure Gauge"
	case 0x1D:
		return "Process Control Value"
	case 0x1E:
		return "Residual Gas Analyzer"
	case 0x1F:
		return "DC Power Generator"
	case 0x20:
		return "RF Power Generator"
	case 0x21:
		return "Turbomolecular Vacuum Pump"
	case 0x22:
		return "Encoder"
	case 0x23:
		return "Safety Discrete I/O Device"
	case 0x24:
		return "Fluid Flow Controller"
	case 0x25:
		return "CIP Motion Drive"
	case 0x26:
		return "CompoNet Repeater"
	case 0x27:
		return "Mass Flow Controller, Enhanced"
	case 0x28:
		return "CIP Modbus Device"
	case 0x29:
		return "CIP Modbus Translator"
	case 0x2A:
		return "Safety Analog I/O Device"
	case 0x2B:
		return "Generic Device (keyable)"
	case 0x2C:
		return "Managed Switch"
	case 0x32:
		return "ControlNet Physical Layer Component"
	}
	return "unknown"
}

// PCCC (DF1 command set carried by Execute PCCC, class 0x67). Spec: Allen-Bradley DF1 Protocol
// and Command Set Reference Manual 1770-6.5.16, chapter 7; names as in Wireshark.
func pcccFunctionName(cmd, fnc uint8) string {
	switch cmd {
	case 0x07:
		switch fnc {
		case 0x00:
			return "Disable outputs"
		case 0x01:
			return "Enable outputs"
		case 0x03:
			return "Enable PLC scanning"
		case 0x04:
			return "Enter download mode"
		case 0x05:
			return "Exit download/upload mode"
		case 0x06:
			return "Enter upload mode"
		}
	case 0x0F:
		switch fnc {
		case 0x00:
			return "Word range write"
		case 0x01:
			return "Word range read"
		case 0x02:
			return "Bit write"
		case 0x03:
			return "File write"
		case 0x04:
			return "File read"
		case 0x05:
			return "Download request"
		case 0x06:
			return "Upload"
		case 0x07:
			return "Shutdown"
		case 0x08:
			return "Physical write"
		case 0x09:
			return "Physical read"
		case 0x0A:
			return "Restart request"
		case 0x11:
			return "Get edit resource"
		case 0x12:
			return "Return edit resource"
		case 0x17:
			return "Read bytes physical"
		case 0x18:
			return "Write bytes physical"
		case 0x26:
			return "Read-modify-write"
		case 0x29:
			return "Read section size"
		case 0x3A:
			return "Set CPU mode"
		case 0x41:
			return "Disable forces"
		case 0x50:
			return "Download all request"
		case 0x52:
			return "Download completed"
		case 0x53:
			return "Upload all request (upload)"
		case 0x55:
			return "Upload completed"
		case 0x67:
			return "Typed write"
		case 0x68:
			return "Typed read"
		case 0x80:
			return "Change mode"
		case 0xA1:
			return "Protected typed logical read with two address fields"
		case 0xA2:
			return "Protected typed logical read with three address fields"
		case 0xA7:
			return "Protected typed file read"
		case 0xA9:
			return "Protected typed logical write with two address fields"
		case 0xAA:
			return "Protected typed logical write with three address fields"
		case 0xAB:
			return "Protected typed logical masked-write with three address fields"
		case 0xAF:
			return "Protected typed file write"
		}
	}
	return "unknown"
}

// pcccHasFunction reports whether a PCCC command carries a function byte after TNS.
func pcccHasFunction(cmd uint8) bool { return cmd == 0x06 || cmd == 0x07 || cmd == 0x0F }

// pcccEventKind classifies a PCCC request for operational events ("" = none).
func pcccEventKind(cmd, fnc uint8) string {
	switch cmd {
	case 0x07:
		switch fnc {
		case 0x04:
			return "program_download"
		case 0x06:
			return "program_upload"
		}
	case 0x0F:
		switch fnc {
		case 0x05, 0x11, 0x50, 0x52, 0x03, 0xAF:
			return "program_download" // edit resource, download, program/file writes
		case 0x06, 0x53, 0x55:
			return "program_upload"
		case 0x3A, 0x80:
			return "mode_change"
		case 0x00, 0x02, 0x08, 0x18, 0x26, 0x67, 0xA9, 0xAA, 0xAB:
			return "write"
		}
	case 0x08:
		return "write" // unprotected bit write
	}
	return ""
}
