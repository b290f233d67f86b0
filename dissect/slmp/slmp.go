package slmp

import "github.com/quietwire/quietwire/dissect"

// Spec: Mitsubishi Electric SLMP Reference Manual (SH-080956ENG), §4 (message formats:
// binary 3E/4E request and response), §5 (commands); MELSEC Communication Protocol Reference
// Manual (SH-080008, "MC protocol"), §3 (3E/4E frames, device codes).

const (
	logSLMP = "slmp"

	sub3EReq  = 0x5000 // subheaders as sent on the wire, big-endian: 50 00
	sub3EResp = 0xd000
	sub4EReq  = 0x5400
	sub4EResp = 0xd400

	hdr3E = 9  // subheader, network, PC, I/O (LE), station, data length (LE)
	hdr4E = 13 // 3E with serial number (LE) and 2 reserved bytes after the subheader

	// maxDataLength bounds the request/response data length; SLMP frames carry at most 960
	// words of device data (SH-080956 §5), the cap leaves room for file and label commands.
	maxDataLength = 8192

	// maxPending bounds the unanswered requests per flow (Suricata's modbus request-flood).
	maxPending = 500
)

// Commands (SH-080956 §5-1, command list).
const (
	cmdReadTypeName      = 0x0101
	cmdDeviceRead        = 0x0401
	cmdDeviceReadRandom  = 0x0403
	cmdDeviceReadBlock   = 0x0406
	cmdArrayLabelRead    = 0x041a
	cmdLabelReadRandom   = 0x041c
	cmdMonitorRegister   = 0x0801
	cmdMonitor           = 0x0802
	cmdExtendUnitRead    = 0x0601
	cmdMemoryRead        = 0x0613
	cmdSelfTest          = 0x0619
	cmdRemoteRun         = 0x1001
	cmdRemoteStop        = 0x1002
	cmdRemotePause       = 0x1003
	cmdRemoteLatchClear  = 0x1005
	cmdRemoteReset       = 0x1006
	cmdDeviceWrite       = 0x1401
	cmdDeviceWriteRandom = 0x1402
	cmdDeviceWriteBlock  = 0x1406
	cmdArrayLabelWrite   = 0x141a
	cmdLabelWriteRandom  = 0x141b
	cmdExtendUnitWrite   = 0x1601
	cmdMemoryWrite       = 0x1613
	cmdClearError        = 0x1617
	cmdPasswordUnlock    = 0x1630
	cmdPasswordLock      = 0x1631
	cmdReadDirectory     = 0x1810
	cmdSearchDirectory   = 0x1811
	cmdNewFile           = 0x1820
	cmdDeleteFile        = 0x1822
	cmdCopyFile          = 0x1824
	cmdChangeFileState   = 0x1825
	cmdChangeFileDate    = 0x1826
	cmdOpenFile          = 0x1827
	cmdReadFile          = 0x1828
	cmdWriteFile         = 0x1829
	cmdCloseFile         = 0x182a
)

func commandName(c uint16) string {
	switch c {
	case cmdReadTypeName:
		return "READ_TYPE_NAME"
	case cmdDeviceRead:
		return "DEVICE_READ"
	case cmdDeviceReadRandom:
		return "DEVICE_READ_RANDOM"
	case cmdDeviceReadBlock:
		return "DEVICE_READ_BLOCK"
	case cmdArrayLabelRead:
		return "ARRAY_LABEL_READ"
	case cmdLabelReadRandom:
		return "LABEL_READ_RANDOM"
	case cmdMonitorRegister:
		return "ENTRY_MONITOR_DEVICE"
	case cmdMonitor:
		return "EXECUTE_MONITOR"
	case cmdExtendUnitRead:
		return "EXTEND_UNIT_READ"
	case cmdMemoryRead:
		return "MEMORY_READ"
	case cmdSelfTest:
		return "SELF_TEST"
	case cmdRemoteRun:
		return "REMOTE_RUN"
	case cmdRemoteStop:
		return "REMOTE_STOP"
	case cmdRemotePause:
		return "REMOTE_PAUSE"
	case cmdRemoteLatchClear:
		return "REMOTE_LATCH_CLEAR"
	case cmdRemoteReset:
		return "REMOTE_RESET"
	case cmdDeviceWrite:
		return "DEVICE_WRITE"
	case cmdDeviceWriteRandom:
		return "DEVICE_WRITE_RANDOM"
	case cmdDeviceWriteBlock:
		return "DEVICE_WRITE_BLOCK"
	case cmdArrayLabelWrite:
		return "ARRAY_LABEL_WRITE"
	case cmdLabelWriteRandom:
		return "LABEL_WRITE_RANDOM"
	case cmdExtendUnitWrite:
		return "EXTEND_UNIT_WRITE"
	case cmdMemoryWrite:
		return "MEMORY_WRITE"
	case cmdClearError:
		return "CLEAR_ERROR"
	case cmdPasswordUnlock:
		return "REMOTE_PASSWORD_UNLOCK"
	case cmdPasswordLock:
		return "REMOTE_PASSWORD_LOCK"
	case cmdReadDirectory:
		return "READ_DIRECTORY_FILE"
	case cmdSearchDirectory:
		return "SEARCH_DIRECTORY_FILE"
	case cmdNewFile:
		return "NEW_FILE"
	case cmdDeleteFile:
		return "DELETE_FILE"
	case cmdCopyFile:
		return "COPY_FILE"
	case cmdChangeFileState:
		return "CHANGE_FILE_STATE"
	case cmdChangeFileDate:
		return "CHANGE_FILE_DATE"
	case cmdOpenFile:
		return "OPEN_FILE"
	case cmdReadFile:
		return "READ_FILE"
	case cmdWriteFile:
		return "WRITE_FILE"
	case cmdCloseFile:
		return "CLOSE_FILE"
	}
	return ""
}

func commandEvent(c uint16) string {
	switch c {
	case cmdDeviceWrite, cmdDeviceWriteRandom, cmdDeviceWriteBlock, cmdArrayLabelWrite, cmdLabelWriteRandom,
		cmdExtendUnitWrite, cmdMemoryWrite:
		return dissect.EvWrite
	case cmdRemoteRun:
		return dissect.EvPLCStart
	case cmdRemoteStop, cmdRemotePause:
		return dissect.EvPLCStop
	case cmdRemoteReset:
		return dissect.EvRestart
	case cmdRemoteLatchClear, cmdClearError:
		return dissect.EvCommand
	case cmdPasswordUnlock, cmdPasswordLock:
		return dissect.EvPassword
	case cmdReadTypeName:
		return dissect.EvScan
	case cmdSelfTest:
		return dissect.EvDiagnostic
	case cmdNewFile, cmdDeleteFile, cmdCopyFile, cmdChangeFileState, cmdChangeFileDate, cmdWriteFile, cmdReadFile:
		return dissect.EvFileTransfer
	}
	return ""
}

// deviceName names a binary device code (SH-080008 §3, device code table; the iQ-R 2-byte
// codes share the low byte).
func deviceName(code uint16) string {
	switch code {
	case 0x91:
		return "SM"
	case 0xa9:
		return "SD"
	case 0x9c:
		return "X"
	case 0x9d:
		return "Y"
	case 0x90:
		return "M"
	case 0x92:
		return "L"
	case 0x93:
		return "F"
	case 0x94:
		return "V"
	case 0xa0:
		return "B"
	case 0xa8:
		return "D"
	case 0xb4:
		return "W"
	case 0xc1:
		return "TS"
	case 0xc0:
		return "TC"
	case 0xc2:
		return "TN"
	case 0xc7:
		return "STS"
	case 0xc6:
		return "STC"
	case 0xc8:
		return "STN"
	case 0xc4:
		return "CS"
	case 0xc3:
		return "CC"
	case 0xc5:
		return "CN"
	case 0xa1:
		return "SB"
	case 0xb5:
		return "SW"
	case 0xa2:
		return "DX"
	case 0xa3:
		return "DY"
	case 0xcc:
		return "Z"
	case 0xaf:
		return "R"
	case 0xb0:
		return "ZR"
	}
	return ""
}

// Weird names.
const (
	weirdBadSubheader = "slmp_invalid_subheader"
	weirdBadLength    = "slmp_invalid_length"
	weirdUnknownCmd   = "slmp_unknown_command"
	weirdUnmatched    = "slmp_unmatched_response"
	weirdTooMany      = "slmp_too_many_pending_requests"
	weirdTruncated    = "slmp_truncated_request"
)
