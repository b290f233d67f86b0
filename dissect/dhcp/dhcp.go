package dhcp

// Wire constants of DHCPv4 (RFC 2131 §2, options of RFC 2132) and DHCPv6 (RFC 8415 §8, §21).

const (
	logDHCP = "dhcp"

	portServer   = 67
	portClient   = 68
	portV6Client = 546
	portV6Server = 547

	bootpLen    = 236 // fixed BOOTP header before the magic cookie
	magicCookie = 0x63825363

	optPad        = 0
	optSubnetMask = 1
	optHostName   = 12
	optDomainName = 15
	optRequested  = 50
	optLease      = 51
	optOverload   = 52
	optMsgType    = 53
	optServerID   = 54
	optParamList  = 55
	optMessage    = 56
	optVendor     = 60
	optClientID   = 61
	optClientFQDN = 81
	optEnd        = 255

	// Zeek's DHCP::max_txid_watch_time and the 5 s of silence after which its join_data
	// expiry logs a transaction; the first check comes 10 s after the transaction began.
	watchTime   = 30e9
	idleTime    = 5e9
	firstCheck  = 10e9
	checkPeriod = 5e9
	// Per-record bounds: Zeek's max_uids_per_log_entry (10) and the max_msg_types_per_log_entry
	// of its flood test (8; Zeek's default is 50, see README).
	maxUIDs     = 10
	maxMsgTypes = 8
	// maxTxns bounds the transactions kept by the process; the least recently active one is
	// logged and dropped at the cap.
	maxTxns = 4096
	// maxStr bounds the strings kept from options.
	maxStr = 255
)

// msgTypeNames are the DHCP message types (option 53) as Zeek's DHCP::message_types.
var msgTypeNames = [...]string{
	1: "DISCOVER", 2: "OFFER", 3: "REQUEST", 4: "DECLINE", 5: "ACK", 6: "NAK", 7: "RELEASE",
	8: "INFORM", 9: "FORCERENEW", 10: "LEASEQUERY", 11: "LEASEUNASSIGNED", 12: "LEASEUNKNOWN",
	13: "LEASEACTIVE", 14: "BULKLEASEQUERY", 15: "LEASEQUERYDONE", 16: "ACTIVELEASEQUERY",
	17: "LEASEQUERYSTATUS", 18: "TLS",
}

func msgTypeName(t uint8) string {
	if int(t) < len(msgTypeNames) && msgTypeNames[t] != "" {
		return msgTypeNames[t]
	}
	return "UNKNOWN"
}

// DHCPv6 message types (RFC 8415 §7.3) and options (§21).
const (
	v6Solicit   = 1
	v6Advertise = 2
	v6Reply     = 7

	v6OptClientID = 1
	v6OptServerID = 2
	v6OptORO      = 6
	v6OptVendor   = 16
	v6OptFQDN     = 39
)
