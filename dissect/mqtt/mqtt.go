package mqtt

// Control packet types (upper nibble of the first fixed-header octet). Spec: MQTT 3.1.1
// §2.2.1, MQTT 5.0 §2.1.2 (AUTH is 5.0 only).
const (
	typeConnect     = 1
	typeConnack     = 2
	typePublish     = 3
	typePuback      = 4
	typePubrec      = 5
	typePubrel      = 6
	typePubcomp     = 7
	typeSubscribe   = 8
	typeSuback      = 9
	typeUnsubscribe = 10
	typeUnsuback    = 11
	typePingreq     = 12
	typePingresp    = 13
	typeDisconnect  = 14
	typeAuth        = 15
)

// Protocol levels of the CONNECT variable header. Spec: 3.1.1 §3.1.2.2, 5.0 §3.1.2.2.
const (
	level31  = 3
	level311 = 4
	level5   = 5
)

// versionNames are Zeek's spellings of the protocol levels (consts.zeek MQTT::versions).
var versionNames = [...]string{level31: "3.1", level311: "3.1.1", level5: "5.0"}

// qosNames are Zeek's spellings of the QoS levels (MQTT::qos_levels).
var qosNames = [...]string{"at most once", "at least once", "exactly once"}

// returnCodes are Zeek's spellings of the 3.1/3.1.1 CONNACK return codes (MQTT::return_codes).
// Spec: 3.1.1 §3.2.2.3.
var returnCodes = [...]string{
	"Connection Accepted",
	"Refused: unacceptable protocol version",
	"Refused: identifier rejected",
	"Refused: server unavailable",
	"Refused: bad user name or password",
	"Refused: not authorized",
}

// reasonCode5 returns the connect_status of an MQTT 5.0 CONNACK reason code, in Zeek's style
// where a 3.1.1 equivalent exists. Spec: 5.0 §3.2.2.2.
func reasonCode5(c uint8) string {
	switch c {
	case 0x00:
		return returnCodes[0]
	case 0x80:
		return "Refused: unspecified error"
	case 0x81:
		return "Refused: malformed packet"
	case 0x82:
		return "Refused: protocol error"
	case 0x83:
		return "Refused: implementation specific error"
	case 0x84:
		return returnCodes[1]
	case 0x85:
		return returnCodes[2]
	case 0x86:
		return returnCodes[4]
	case 0x87:
		return returnCodes[5]
	case 0x88:
		return returnCodes[3]
	case 0x89:
		return "Refused: server busy"
	case 0x8a:
		return "Refused: banned"
	case 0x8c:
		return "Refused: bad authentication method"
	case 0x90:
		return "Refused: topic name invalid"
	case 0x95:
		return "Refused: packet too large"
	case 0x97:
		return "Refused: quota exceeded"
	case 0x99:
		return "Refused: payload format invalid"
	case 0x9a:
		return "Refused: retain not supported"
	case 0x9b:
		return "Refused: QoS not supported"
	case 0x9c:
		return "Refused: use another server"
	case 0x9d:
		return "Refused: server moved"
	case 0x9f:
		return "Refused: connection rate exceeded"
	}
	return ""
}

// Actions of mqtt_subscribe.log, as Zeek logs its MQTT::SubUnsub enum.
const (
	actionSubscribe   = "MQTT::SUBSCRIBE"
	actionUnsubscribe = "MQTT::UNSUBSCRIBE"
)

// Publish statuses (Zeek's PublishInfo$status).
const (
	statusOK         = "ok"
	statusIncomplete = "incomplete_qos"
)
