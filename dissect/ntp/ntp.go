package ntp

// NTP wire format (RFC 5905 §7.3) and the fields of Zeek's ntp.log
// (base/protocols/ntp/main.zeek).

const (
	logNTP  = "ntp"
	portNTP = 123
	hdrLen  = 48

	modeSymActive  = 1
	modeSymPassive = 2
	modeClient     = 3
	modeServer     = 4
	modeBroadcast  = 5
	modeControl    = 6
	modePrivate    = 7

	// ntpEpochOffset is the seconds from 1900-01-01 (NTP era 0) to 1970-01-01.
	ntpEpochOffset = 2208988800
)
