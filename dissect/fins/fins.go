package fins

import "github.com/quietwire/quietwire/dissect"

// Spec: OMRON FINS Commands Reference Manual (W227-E1), §3 (FINS frame) and §5 (command
// list); Ethernet Units Construction of Networks (W421-E1), §7 (FINS/TCP). Field names follow
// Wireshark's omron_fins dissector (icf, rsv, gct, dna, da1, da2, sna, sa1, sa2, sid,
// command, response_code) and ICSNPP-omron-fins' general log.

const (
	logFINS = "fins"

	// Port is the FINS UDP and FINS/TCP port.
	Port = 9600

	tcpHeaderLen  = 16 // "FINS", length, command, error code (W421 §7-3)
	finsHeaderLen = 10 // ICF RSV GCT DNA DA1 DA2 SNA SA1 SA2 SID (W227 §3-1)
	minFrame      = finsHeaderLen + 2

	// maxTCPLength bounds the FINS/TCP length field (bytes after it). The largest FINS frame is
	// 2012 bytes of data plus headers (W421 §7-3); the cap leaves room for vendor variants.
	maxTCPLength = 8192

	// maxPending bounds the unanswered commands tracked per flow (Suricata's modbus
	// request-flood default).
	maxPending = 500
)

// FINS/TCP commands (W421 §7-3-2).
const (
	tcpClientNodeSend = 0 // client node address data send
	tcpServerNodeSend = 1 // server node address data send
	tcpFrameSend      = 2 // FINS frame send
	tcpFrameSendError = 3 // FINS frame send error notification
	tcpConnConfirm    = 6 // connection confirmation
)

func tcpCommandName(c uint32) string {
	switch c {
	case tcpClientNodeSend:
		return "CLIENT_NODE_ADDRESS_DATA_SEND"
	case tcpServerNodeSend:
		return "SERVER_NODE_ADDRESS_DATA_SEND"
	case tcpFrameSend:
		return "FRAME_SEND"
	case tcpFrameSendError:
		return "FRAME_SEND_ERROR_NOTIFICATION"
	case tcpConnConfirm:
		return "CONNECTION_CONFIRMATION"
	}
	return ""
}

// Command codes, MRC<<8 | SRC (W227 §5-1; Wireshark command_code_cv).
const (
	cmdMemoryAreaRead          = 0x0101
	cmdMemoryAreaWrite         = 0x0102
	cmdMemoryAreaFill          = 0x0103
	cmdMultipleMemoryRead      = 0x0104
	cmdMemoryAreaTransfer      = 0x0105
	cmdParameterAreaRead       = 0x0201
	cmdParameterAreaWrite      = 0x0202
	cmdParameterAreaClear      = 0x0203
	cmdDataLinkTableRead       = 0x0220
	cmdDataLinkTableWrite      = 0x0221
	cmdProgramAreaProtect      = 0x0304
	cmdProgramAreaProtectClr   = 0x0305
	cmdProgramAreaRead         = 0x0306
	cmdProgramAreaWrite        = 0x0307
	cmdProgramAreaClear        = 0x0308
	cmdRun                     = 0x0401
	cmdStop                    = 0x0402
	cmdReset                   = 0x0403
	cmdControllerDataRead      = 0x0501
	cmdConnectionDataRead      = 0x0502
	cmdControllerStatusRead    = 0x0601
	cmdNetworkStatusRead       = 0x0602
	cmdDataLinkStatusRead      = 0x0603
	cmdCycleTimeRead           = 0x0620
	cmdClockRead               = 0x0701
	cmdClockWrite              = 0x0702
	cmdLoopbackTest            = 0x0801
	cmdBroadcastResultsRead    = 0x0802
	cmdBroadcastDataSend       = 0x0803
	cmdMessageRead             = 0x0920
	cmdAccessRightAcquire      = 0x0c01
	cmdAccessRightForced       = 0x0c02
	cmdAccessRightRelease      = 0x0c03
	cmdErrorClear              = 0x2101
	cmdErrorLogRead            = 0x2102
	cmdErrorLogClear           = 0x2103
	cmdFileNameRead            = 0x2201
	cmdSingleFileRead          = 0x2202
	cmdSingleFileWrite         = 0x2203
	cmdMemoryCardFormat        = 0x2204
	cmdFileDelete              = 0x2205
	cmdVolumeLabel             = 0x2206
	cmdFileCopy                = 0x2207
	cmdFileNameChange          = 0x2208
	cmdFileDataCheck           = 0x2209
	cmdMemoryAreaFileTransfer  = 0x220a
	cmdParamAreaFileTransfer   = 0x220b
	cmdProgramAreaFileTransfer = 0x220c
	cmdFileMemoryIndexRead     = 0x220f
	cmdFileMemoryRead          = 0x2210
	cmdFileMemoryWrite         = 0x2211
	cmdForcedSetReset          = 0x2301
	cmdForcedSetResetCancel    = 0x2302
	cmdMultipleForcedRead      = 0x230a
	cmdNameSet                 = 0x2601
	cmdNameDelete              = 0x2602
	cmdNameRead                = 0x2603
)

// commandName returns the command's name, "" for codes outside W227's list.
func commandName(c uint16) string {
	switch c {
	case cmdMemoryAreaRead:
		return "MEMORY_AREA_READ"
	case cmdMemoryAreaWrite:
		return "MEMORY_AREA_WRITE"
	case cmdMemoryAreaFill:
		return "MEMORY_AREA_FILL"
	case cmdMultipleMemoryRead:
		return "MULTIPLE_MEMORY_AREA_READ"
	case cmdMemoryAreaTransfer:
		return "MEMORY_AREA_TRANSFER"
	case cmdParameterAreaRead:
		return "PARAMETER_AREA_READ"
	case cmdParameterAreaWrite:
		return "PARAMETER_AREA_WRITE"
	case cmdParameterAreaClear:
		return "PARAMETER_AREA_CLEAR"
	case cmdDataLinkTableRead:
		return "DATA_LINK_TABLE_READ"
	case cmdDataLinkTableWrite:
		return "DATA_LINK_TABLE_WRITE"
	case cmdProgramAreaProtect:
		return "PROGRAM_AREA_PROTECT"
	case cmdProgramAreaProtectClr:
		return "PROGRAM_AREA_PROTECT_CLEAR"
	case cmdProgramAreaRead:
		return "PROGRAM_AREA_READ"
	case cmdProgramAreaWrite:
		return "PROGRAM_AREA_WRITE"
	case cmdProgramAreaClear:
		return "PROGRAM_AREA_CLEAR"
	case cmdRun:
		return "RUN"
	case cmdStop:
		return "STOP"
	case cmdReset:
		return "RESET"
	case cmdControllerDataRead:
		return "CONTROLLER_DATA_READ"
	case cmdConnectionDataRead:
		return "CONNECTION_DATA_READ"
	case cmdControllerStatusRead:
		return "CONTROLLER_STATUS_READ"
	case cmdNetworkStatusRead:
		return "NETWORK_STATUS_READ"
	case cmdDataLinkStatusRead:
		return "DATA_LINK_STATUS_READ"
	case cmdCycleTimeRead:
		return "CYCLE_TIME_READ"
	case cmdClockRead:
		return "CLOCK_READ"
	case cmdClockWrite:
		return "CLOCK_WRITE"
	case cmdLoopbackTest:
		return "LOOPBACK_TEST"
	case cmdBroadcastResultsRead:
		return "BROADCAST_TEST_RESULTS_READ"
	case cmdBroadcastDataSend:
		return "BROADCAST_TEST_DATA_SEND"
	case cmdMessageRead:
		return "MESSAGE_READ"
	case cmdAccessRightAcquire:
		return "ACCESS_RIGHT_ACQUIRE"
	case cmdAccessRightForced:
		return "ACCESS_RIGHT_FORCED_ACQUIRE"
	case cmdAccessRightRelease:
		return "ACCESS_RIGHT_RELEASE"
	case cmdErrorClear:
		return "ERROR_CLEAR"
	case cmdErrorLogRead:
		return "ERROR_LOG_READ"
	case cmdErrorLogClear:
		return "ERROR_LOG_CLEAR"
	case cmdFileNameRead:
		return "FILE_NAME_READ"
	case cmdSingleFileRead:
		return "SINGLE_FILE_READ"
	case cmdSingleFileWrite:
		return "SINGLE_FILE_WRITE"
	case cmdMemoryCardFormat:
		return "MEMORY_CARD_FORMAT"
	case cmdFileDelete:
		return "FILE_DELETE"
	case cmdVolumeLabel:
		return "VOLUME_LABEL_CREATE_DELETE"
	case cmdFileCopy:
		return "FILE_COPY"
	case cmdFileNameChange:
		return "FILE_NAME_CHANGE"
	case cmdFileDataCheck:
		return "FILE_DATA_CHECK"
	case cmdMemoryAreaFileTransfer:
		return "MEMORY_AREA_FILE_TRANSFER"
	case cmdParamAreaFileTransfer:
		return "PARAMETER_AREA_FILE_TRANSFER"
	case cmdProgramAreaFileTransfer:
		return "PROGRAM_AREA_FILE_TRANSFER"
	case cmdFileMemoryIndexRead:
		return "FILE_MEMORY_INDEX_READ"
	case cmdFileMemoryRead:
		return "FILE_MEMORY_READ"
	case cmdFileMemoryWrite:
		return "FILE_MEMORY_WRITE"
	case cmdForcedSetReset:
		return "FORCED_SET_RESET"
	case cmdForcedSetResetCancel:
		return "FORCED_SET_RESET_CANCEL"
	case cmdMultipleForcedRead:
		return "MULTIPLE_FORCED_STATUS_READ"
	case cmdNameSet:
		return "NAME_SET"
	case cmdNameDelete:
		return "NAME_DELETE"
	case cmdNameRead:
		return "NAME_READ"
	}
	return ""
}

// commandEvent maps a command to the operational event it is, "" for reads and tests.
func commandEvent(c uint16) string {
	switch c {
	case cmdMemoryAreaWrite, cmdMemoryAreaFill, cmdMemoryAreaTransfer, cmdForcedSetReset, cmdForcedSetResetCancel:
		return dissect.EvWrite
	case cmdParameterAreaWrite, cmdParameterAreaClear, cmdDataLinkTableWrite, cmdNameSet, cmdNameDelete,
		cmdProgramAreaProtect, cmdProgramAreaProtectClr:
		return dissect.EvConfigWrite
	case cmdProgramAreaWrite:
		return dissect.EvProgramDownload
	case cmdProgramAreaRead:
		return dissect.EvProgramUpload
	case cmdProgramAreaClear:
		return dissect.EvProgramDelete
	case cmdRun:
		return dissect.EvPLCStart
	case cmdStop:
		return dissect.EvPLCStop
	case cmdReset:
		return dissect.EvRestart
	case cmdClockWrite:
		return dissect.EvTimeSync
	case cmdControllerDataRead, cmdConnectionDataRead:
		return dissect.EvScan
	case cmdErrorClear, cmdErrorLogClear, cmdAccessRightForced:
		return dissect.EvCommand
	case cmdSingleFileWrite, cmdFileDelete, cmdFileCopy, cmdFileNameChange, cmdMemoryCardFormat,
		cmdMemoryAreaFileTransfer, cmdParamAreaFileTransfer, cmdProgramAreaFileTransfer, cmdFileMemoryWrite,
		cmdSingleFileRead, cmdVolumeLabel:
		return dissect.EvFileTransfer
	}
	return ""
}

// hasMemoryArea reports the commands whose data starts with a memory area code, a 3-byte
// beginning address (word, bit) and a 2-byte item count (W227 §5-3-2..5-3-5).
func hasMemoryArea(c uint16) bool {
	return c == cmdMemoryAreaRead || c == cmdMemoryAreaWrite || c == cmdMemoryAreaFill || c == cmdMemoryAreaTransfer
}

// Controller Status Read response (W227 §5-3-11): status and mode bytes.
func plcMode(status, mode byte) string {
	switch {
	case status == 0x80:
		return "standby"
	case mode == 0x00:
		return "program"
	case mode == 0x01:
		return "debug"
	case mode == 0x02:
		return "monitor"
	case mode == 0x04:
		return "run"
	}
	return ""
}

// Weird names.
const (
	weirdBadMagic      = "fins_tcp_bad_magic"
	weirdBadLength     = "fins_tcp_invalid_length"
	weirdTCPError      = "fins_tcp_error"
	weirdTruncated     = "fins_truncated_frame"
	weirdBadHeader     = "fins_invalid_header"
	weirdUnknownCmd    = "fins_unknown_command"
	weirdUnmatched     = "fins_unmatched_response"
	weirdTooMany       = "fins_too_many_pending_commands"
	weirdUnknownTCPCmd = "fins_tcp_unknown_command"
)
