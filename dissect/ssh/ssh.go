package ssh

// Spec: RFC 4253 (transport: identification string §4.2, binary packet §6, KEXINIT §7.1),
// RFC 4419 (DH group exchange), RFC 5656 (ECDH), hassh 1.1 (Salesforce).

const (
	logSSH = "ssh"

	weirdV1           = "ssh_v1"
	weirdBannerLong   = "ssh_banner_too_long"
	weirdBadBanner    = "ssh_bad_banner"
	weirdPacketLong   = "ssh_packet_too_long"
	weirdBadPacket    = "ssh_malformed_packet"
	weirdNoCommonAlgo = "ssh_no_common_algorithm"
)

// Message numbers (RFC 4250 §4.1.2).
const (
	msgKexInit     = 20
	msgNewKeys     = 21
	msgKexDHReply  = 31 // KEXDH_REPLY and KEX_ECDH_REPLY; KEX_DH_GEX_GROUP under group exchange
	msgKexGexReply = 33
)

const (
	maxBanner    = 255   // RFC 4253 §4.2: including CR LF
	maxPreBanner = 8192  // lines a server may send before its banner
	maxPacket    = 35000 // RFC 4253 §6.1: implementations must handle 35000-byte packets
	maxNameList  = 2048  // bytes kept of one algorithm name-list
)

// Name-list indexes of a KEXINIT (RFC 4253 §7.1).
const (
	nlKex = iota
	nlHostKey
	nlEncC2S
	nlEncS2C
	nlMacC2S
	nlMacS2C
	nlCompC2S
	nlCompS2C
	nLists = 8
)
