package ads

import "github.com/quietwire/quietwire/dissect"

// Spec: Beckhoff Information System, "ADS specification" (TE1000 TwinCAT 3 ADS): AMS/TCP
// header, AMS header, ADS commands 1-9, ADS states and return codes; the UDP "Router Service"
// frames on 48899 (magic 0x71146603, service ids 1 and 6, tags) as implemented by Beckhoff's
// AdsLib and pyads. Field names follow Wireshark's ams dissector (ams.targetnetid,
// ams.targetport, ams.sendernetid, ams.senderport, ams.cmdid, ams.stateflags, ams.cbdata,
// ams.errorcode, ams.invokeid, ams.ads_indexgroup, ams.ads_indexoffset, ams.ads_adsstate).

const (
	logADS = "ads"

	PortTCP = 48898
	PortUDP = 48899

	amsTCPLen = 6
	amsLen    = 32

	// maxLength bounds the AMS/TCP length (ADS reads of whole process images reach a few MB).
	maxLength = 16 << 20
	// fieldBytes is how much of a frame's ADS data the parser looks at; the rest of a large
	// frame is skipped without being buffered.
	fieldBytes = 64

	maxPending = 500

	udpMagic = 0x71146603
)

// ADS commands (TE1000 "ADS commands").
const (
	cmdInvalid        = 0
	cmdReadDeviceInfo = 1
	cmdRead           = 2
	cmdWrite          = 3
	cmdReadState      = 4
	cmdWriteControl   = 5
	cmdAddNotif       = 6
	cmdDelNotif       = 7
	cmdNotification   = 8
	cmdReadWrite      = 9
)

func commandName(c uint16) string {
	switch c {
	case cmdInvalid:
		return "INVALID"
	case cmdReadDeviceInfo:
		return "READ_DEVICE_INFO"
	case cmdRead:
		return "READ"
	case cmdWrite:
		return "WRITE"
	case cmdReadState:
		return "READ_STATE"
	case cmdWriteControl:
		return "WRITE_CONTROL"
	case cmdAddNotif:
		return "ADD_DEVICE_NOTIFICATION"
	case cmdDelNotif:
		return "DELETE_DEVICE_NOTIFICATION"
	case cmdNotification:
		return "DEVICE_NOTIFICATION"
	case cmdReadWrite:
		return "READ_WRITE"
	}
	return ""
}

// ADS states (TE1000 "ADSSTATE").
func stateName(s uint16) string {
	switch s {
	case 0:
		return "INVALID"
	case 1:
		return "IDLE"
	case 2:
		return "RESET"
	case 3:
		return "INIT"
	case 4:
		return "START"
	case 5:
		return "RUN"
	case 6:
		return "STOP"
	case 7:
		return "SAVECFG"
	case 8:
		return "LOADCFG"
	case 9:
		return "POWERFAILURE"
	case 10:
		return "POWERGOOD"
	case 11:
		return "ERROR"
	case 12:
		return "SHUTDOWN"
	case 13:
		return "SUSPEND"
	case 14:
		return "RESUME"
	case 15:
		return "CONFIG"
	case 16:
		return "RECONFIG"
	case 17:
		return "STOPPING"
	case 18:
		return "INCOMPATIBLE"
	case 19:
		return "EXCEPTION"
	}
	return ""
}

// plcMode is the plc_mode fact value of an ADS state.
func plcMode(s uint16) string {
	switch s {
	case 5:
		return "run"
	case 6:
		return "stop"
	case 15:
		return "config"
	case 11:
		return "error"
	case 2:
		return "reset"
	}
	return ""
}

// writeControlEvent maps the ADS state a Write Control requests to an event.
func writeControlEvent(s uint16) string {
	switch s {
	case 5:
		return dissect.EvPLCStart
	case 6:
		return dissect.EvPLCStop
	case 2:
		return dissect.EvRestart
	case 15, 16:
		return dissect.EvModeChange
	}
	return dissect.EvCommand
}

// State flags (TE1000 "AMS header": stateFlags).
const (
	flagResponse = 0x0001
	flagADSCmd   = 0x0004
)

// UDP router service ids and tags (AdsLib / pyads; Beckhoff "ADS discovery").
const (
	udpServerInfo = 1
	udpAddRoute   = 6
	udpResponse   = 0x80000000

	tagPassword     = 2
	tagVersion      = 3
	tagComputerName = 5
	tagUserName     = 13
)

const (
	weirdBadHeader = "ads_invalid_amstcp_header"
	weirdBadLength = "ads_invalid_length"
	weirdUnmatched = "ads_unmatched_response"
	weirdTooMany   = "ads_too_many_pending_requests"
	weirdTruncated = "ads_truncated_frame"
)
