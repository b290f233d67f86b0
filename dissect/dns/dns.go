package dns

// Wire constants and name tables of DNS (RFC 1035 §4.1, RFC 6895 registries), NetBIOS Name
// Service (RFC 1002 §4.2), mDNS (RFC 6762) and LLMNR (RFC 4795). The names are Zeek's
// (base/protocols/dns/consts.zeek) so that dns.log reads the same as Zeek's.

const (
	logDNS = "dns"

	portDNS   = 53
	portNBNS  = 137
	portMDNS  = 5353
	portLLMNR = 5355

	hdrLen = 12

	// maxQuestions is Zeek's dns_max_queries: more questions than this is not DNS.
	maxQuestions = 25
	// maxNameLen bounds a decoded name (RFC 1035 §2.3.4 says 255 octets on the wire; the
	// decoded text of a 255-octet name is at most 254 characters plus escapes we do not add).
	maxNameLen = 255
	// maxPointers bounds compression pointers followed for one name.
	maxPointers = 32
	// maxPending bounds the unmatched queries and replies kept per flow (Zeek's
	// max_pending_msgs and max_pending_query_ids are 50).
	maxPending = 50
	// maxAnswers bounds the answers kept in one dns.log record, maxAnswerBytes their text.
	maxAnswers     = 64
	maxAnswerBytes = 8192
	// maxRRs bounds the resource records walked in one message.
	maxRRs = 512
)

// Opcodes (RFC 6895 §2.2).
const (
	opQuery  = 0
	opNotify = 4
	opUpdate = 5
)

// RR types (RFC 6895 §3.1 registry) the parser formats.
const (
	typeA          = 1
	typeNS         = 2
	typeCNAME      = 5
	typeSOA        = 6
	typeWKS        = 11
	typePTR        = 12
	typeHINFO      = 13
	typeMX         = 15
	typeTXT        = 16
	typeAAAA       = 28
	typeLOC        = 29
	typeNB         = 32
	typeSRV        = 33 // NBSTAT on NBNS
	typeNAPTR      = 35
	typeA6         = 38
	typeOPT        = 41
	typeDS         = 43
	typeSSHFP      = 44
	typeRRSIG      = 46
	typeNSEC       = 47
	typeDNSKEY     = 48
	typeNSEC3      = 50
	typeNSEC3PARAM = 51
	typeSVCB       = 64
	typeHTTPS      = 65
	typeSPF        = 99
	typeTKEY       = 249
	typeTSIG       = 250
	typeIXFR       = 251
	typeAXFR       = 252
	typeANY        = 255
	typeCAA        = 257
	typeBINDS      = 65534 // BIND9 private signing-state record

	classNONE = 254
	classANY  = 255
)

// Sections: what Zeek calls answer_type. In an UPDATE the answer section holds the
// prerequisites and the authority section the updates (RFC 2136 §2.2).
const (
	secAnswer = iota + 1
	secAuthority
	secAdditional
	secPrereq
	secUpdate
)

// typeName returns Zeek's query_types name, or "" for a code Zeek names "query-N".
func typeName(t uint16) string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	switch t {
	case 249:
		return "TKEY"
	case 250:
		return "TSIG"
	case 251:
		return "IXFR"
	case 252:
		return "AXFR"
	case 253:
		return "MAILB"
	case 254:
		return "MAILA"
	case 255:
		return "*"
	case 256:
		return "URI"
	case 257:
		return "CAA"
	case 32768:
		return "TA"
	case 32769:
		return "DLV"
	case 65281:
		return "WINS"
	case 65282:
		return "WINS-R"
	case 65422:
		return "XPF"
	case 65521:
		return "INTEGRITY"
	}
	return ""
}

var typeNames = [...]string{
	1: "A", 2: "NS", 3: "MD", 4: "MF", 5: "CNAME", 6: "SOA", 7: "MB", 8: "MG", 9: "MR", 10: "NULL",
	11: "WKS", 12: "PTR", 13: "HINFO", 14: "MINFO", 15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB",
	19: "X25", 20: "ISDN", 21: "RT", 22: "NSAP", 23: "NSAP-PTR", 24: "SIG", 25: "KEY", 26: "PX",
	27: "GPOS", 28: "AAAA", 29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC", 33: "SRV", 34: "ATMA",
	35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6", 39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL",
	43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID",
	50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA", 55: "HIP", 56: "NINFO", 57: "RKEY",
	58: "TALINK", 59: "CDS", 60: "CDNSKEY", 61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD",
	64: "SVCB", 65: "HTTPS", 99: "SPF", 100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC",
	104: "NID", 105: "L32", 106: "L64", 107: "LP", 108: "EUI48", 109: "EUI64",
}

// className returns Zeek's classes name, or "" for "qclass-N".
func className(c uint16) string {
	switch c {
	case 1:
		return "C_INTERNET"
	case 2:
		return "C_CSNET"
	case 3:
		return "C_CHAOS"
	case 4:
		return "C_HESIOD"
	case 254:
		return "C_NONE"
	case 255:
		return "C_ANY"
	}
	return ""
}

// rcodeNXDomain is the RCODE of an answer that the queried name does not exist (RFC 1035 §4.1.1).
const rcodeNXDomain = 3

// rcodeNames are Zeek's base_errors for the 4-bit header RCODE.
var rcodeNames = [16]string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSet", "NOTAUTH", "NOTZONE", "unassigned-11", "unassigned-12",
	"unassigned-13", "unassigned-14", "unassigned-15"}

// opcodeName returns Zeek's opcodes / netbios_opcodes name for the 4-bit OPCODE.
func opcodeName(op uint8, netbios bool) string {
	if netbios {
		switch op {
		case 0:
			return "netbios-query"
		case 5:
			return "netbios-registration"
		case 6:
			return "netbios-release"
		case 7:
			return "netbios-wack"
		case 8:
			return "netbios-refresh"
		}
		return netbiosOpcodeNames[op&15]
	}
	switch op {
	case 0:
		return "query"
	case 1:
		return "iquery"
	case 2:
		return "server-status"
	case 4:
		return "notify"
	case 5:
		return "dynamic-update"
	case 6:
		return "dso"
	}
	return opcodeNames[op&15]
}

var opcodeNames = [16]string{"opcode-0", "opcode-1", "opcode-2", "opcode-3", "opcode-4", "opcode-5",
	"opcode-6", "opcode-7", "opcode-8", "opcode-9", "opcode-10", "opcode-11", "opcode-12",
	"opcode-13", "opcode-14", "opcode-15"}

var netbiosOpcodeNames = [16]string{"netbios-opcode-0", "netbios-opcode-1", "netbios-opcode-2",
	"netbios-opcode-3", "netbios-opcode-4", "netbios-opcode-5", "netbios-opcode-6",
	"netbios-opcode-7", "netbios-opcode-8", "netbios-opcode-9", "netbios-opcode-10",
	"netbios-opcode-11", "netbios-opcode-12", "netbios-opcode-13", "netbios-opcode-14",
	"netbios-opcode-15"}
