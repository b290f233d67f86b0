package pndcp

// Spec: IEC 61158-6-10:2019 (PROFINET IO) §4.3 (DCP), §4.2 (RT frame format), §4.6 (RTA).

// EtherType is the PROFINET real-time Ethertype.
const EtherType = 0x8892

// Frame id ranges (IEC 61158-6-10 Table "FrameID").
const (
	fidHello       = 0xFEFC
	fidGetSet      = 0xFEFD
	fidIdentifyReq = 0xFEFE
	fidIdentifyRes = 0xFEFF
	fidAlarmHigh   = 0xFC01
	fidAlarmLow    = 0xFE01
)

// rtClass names the traffic class of a frame id.
func rtClass(fid uint16) string {
	switch {
	case fid <= 0x00FF:
		return "PTCP"
	case fid <= 0x0FFF:
		return "RT_CLASS_3"
	case fid <= 0x7FFF:
		return "RT_CLASS_2"
	case fid <= 0xBFFF:
		return "RT_CLASS_1"
	case fid <= 0xFBFF:
		return "RT_CLASS_UDP"
	case fid == fidAlarmHigh:
		return "ALARM_HIGH"
	case fid == fidAlarmLow:
		return "ALARM_LOW"
	case fid >= fidHello && fid <= fidIdentifyRes:
		return "DCP"
	case fid >= 0xFF00 && fid <= 0xFF7F:
		return "PTCP"
	case fid >= 0xFF80 && fid <= 0xFF8F:
		return "FRAGMENTATION"
	}
	return "RESERVED"
}

// cyclic reports whether fid carries cyclic IO data with the APDU status trailer
// (CycleCounter, DataStatus, TransferStatus).
func cyclic(fid uint16) bool { return fid >= 0x0100 && fid <= 0xFBFF }

// DCP service ids and types.
const (
	svcGet      = 3
	svcSet      = 4
	svcIdentify = 5
	svcHello    = 6
)

func serviceName(id uint8) string {
	switch id {
	case svcGet:
		return "GET"
	case svcSet:
		return "SET"
	case svcIdentify:
		return "IDENTIFY"
	case svcHello:
		return "HELLO"
	}
	return "UNKNOWN"
}

func serviceTypeName(t uint8) string {
	switch t {
	case 0:
		return "REQUEST"
	case 1:
		return "RESPONSE_SUCCESS"
	case 5:
		return "RESPONSE_UNSUPPORTED"
	}
	return "UNKNOWN"
}

// DCP options and suboptions (IEC 61158-6-10 §4.3.1.4).
const (
	optIP      = 1
	optDevice  = 2
	optDHCP    = 3
	optControl = 5
	optInit    = 6
	optAll     = 0xFF
)

// blockName names an option/suboption pair for the options field.
func blockName(opt, sub uint8) string {
	switch opt {
	case optIP:
		switch sub {
		case 1:
			return "IP_MAC"
		case 2:
			return "IP_PARAMETER"
		case 3:
			return "IP_FULL_SUITE"
		}
		return "IP_OTHER"
	case optDevice:
		switch sub {
		case 1:
			return "DEVICE_VENDOR"
		case 2:
			return "NAME_OF_STATION"
		case 3:
			return "DEVICE_ID"
		case 4:
			return "DEVICE_ROLE"
		case 5:
			return "DEVICE_OPTIONS"
		case 6:
			return "ALIAS_NAME"
		case 7:
			return "DEVICE_INSTANCE"
		case 8:
			return "OEM_DEVICE_ID"
		case 9:
			return "STANDARD_GATEWAY"
		case 10:
			return "RSI_PROPERTIES"
		}
		return "DEVICE_OTHER"
	case optDHCP:
		return "DHCP"
	case optControl:
		return controlName(sub)
	case optInit:
		return "DEVICE_INITIATIVE"
	case optAll:
		return "ALL"
	}
	return "UNKNOWN"
}

func controlName(sub uint8) string {
	switch sub {
	case 1:
		return "CONTROL_START"
	case 2:
		return "CONTROL_STOP"
	case 3:
		return "CONTROL_SIGNAL"
	case 4:
		return "CONTROL_RESPONSE"
	case 5:
		return "CONTROL_FACTORY_RESET"
	case 6:
		return "CONTROL_RESET_TO_FACTORY"
	}
	return "CONTROL_OTHER"
}

// roleName spells the DeviceRoleDetails bits.
func roleName(r uint8) string {
	switch r & 0x0F {
	case 0x01:
		return "IO-Device"
	case 0x02:
		return "IO-Controller"
	case 0x03:
		return "IO-Device,IO-Controller"
	case 0x04:
		return "IO-Multidevice"
	case 0x08:
		return "PN-Supervisor"
	case 0x0A:
		return "IO-Controller,PN-Supervisor"
	case 0:
		return "NONE"
	}
	return "MIXED"
}

// alarmName names an RTA AlarmType (IEC 61158-6-10 Table "AlarmType").
func alarmName(t uint16) string {
	names := [...]string{1: "Diagnosis", 2: "Process", 3: "Pull", 4: "Plug", 5: "Status", 6: "Update",
		7: "Media Redundancy", 8: "Controlled by supervisor", 9: "Released", 10: "Plug Wrong Submodule",
		11: "Return of Submodule", 12: "Diagnosis disappears", 13: "Multicast communication mismatch",
		14: "Port data change notification", 15: "Sync data changed notification",
		16: "Isochronous mode problem notification", 17: "Network component problem notification",
		18: "Time data changed notification", 19: "Dynamic Frame Packing problem notification",
		20: "MRPD problem notification", 22: "Upload and retrieval notification", 23: "Pull module"}
	if int(t) < len(names) && names[t] != "" {
		return names[t]
	}
	return "Alarm type " + itoa(uint64(t))
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return string(b[i:])
}

// Limits and names.
const (
	maxFrameIDs   = 64          // RT frame ids counted per MAC pair
	maxOptions    = 16          // block names logged per DCP PDU
	summaryPeriod = int64(60e9) // ns of packet time between profinet_rt summaries

	logDCP = "profinet_dcp"
	logRT  = "profinet_rt"

	weirdMalformed      = "pndcp_malformed"
	weirdUnknownService = "pndcp_unknown_service"
	weirdSetError       = "pndcp_set_error"
	weirdTableFull      = "pndcp_rt_table_full"
	weirdShort          = "pndcp_truncated"
)
