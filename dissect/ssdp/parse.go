package ssdp

// SSDP (UPnP Device Architecture 2.0 §1) is HTTP over UDP: a start line, headers, an empty
// line. The parser keeps the headers dissect logs; values alias the datagram.

const (
	logSSDP  = "ssdp"
	portSSDP = 1900
)

// kind of message.
const (
	kindNone = iota
	kindNotify
	kindSearch
	kindResponse
)

type message struct {
	kind         int
	status       int
	host         []byte
	nt, nts, st  []byte
	usn          []byte
	location     []byte
	server       []byte
	userAgent    []byte
	man, mx      []byte
	cacheControl []byte
	model        []byte
	headers      int
}

// parse reads the start line and the headers; ok is false when the start line is not one of
// SSDP's.
func parse(b []byte, m *message) (ok bool) {
	*m = message{}
	line, rest := nextLine(b)
	switch {
	case hasPrefixFold(line, "NOTIFY * HTTP/1."):
		m.kind = kindNotify
	case hasPrefixFold(line, "M-SEARCH * HTTP/1."):
		m.kind = kindSearch
	case hasPrefixFold(line, "HTTP/1.") && len(line) >= 12 && line[8] == ' ':
		m.kind = kindResponse
		for _, c := range line[9:12] {
			if c < '0' || c > '9' {
				return false
			}
			m.status = m.status*10 + int(c-'0')
		}
	default:
		return false
	}
	for len(rest) > 0 {
		line, rest = nextLine(rest)
		if len(line) == 0 {
			break
		}
		colon := indexByte(line, ':')
		if colon <= 0 {
			continue
		}
		m.headers++
		name, val := line[:colon], trimSpace(line[colon+1:])
		switch {
		case equalFold(name, "HOST"):
			m.host = val
		case equalFold(name, "NT"):
			m.nt = val
		case equalFold(name, "NTS"):
			m.nts = val
		case equalFold(name, "ST"):
			m.st = val
		case equalFold(name, "USN"):
			m.usn = val
		case equalFold(name, "LOCATION"), equalFold(name, "AL"):
			m.location = val
		case equalFold(name, "SERVER"):
			m.server = val
		case equalFold(name, "USER-AGENT"):
			m.userAgent = val
		case equalFold(name, "MAN"):
			m.man = val
		case equalFold(name, "MX"):
			m.mx = val
		case equalFold(name, "CACHE-CONTROL"):
			m.cacheControl = val
		case equalFold(name, "X-MODEL-NAME"), equalFold(name, "X-MODELNAME"), equalFold(name, "MODEL"):
			m.model = val
		}
	}
	return true
}

func nextLine(b []byte) (line, rest []byte) {
	i := indexByte(b, '\n')
	if i < 0 {
		return trimCR(b), nil
	}
	return trimCR(b[:i]), b[i+1:]
}

func trimCR(b []byte) []byte {
	if len(b) > 0 && b[len(b)-1] == '\r' {
		return b[:len(b)-1]
	}
	return b
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 32
	}
	return c
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		if lower(b[i]) != lower(s[i]) {
			return false
		}
	}
	return true
}

func hasPrefixFold(b []byte, s string) bool { return len(b) >= len(s) && equalFold(b[:len(s)], s) }

// osToken returns the first product token of a UPnP SERVER or USER-AGENT value
// ("OS/version UPnP/2.0 product/version", UDA 2.0 §1.1.2), or nil.
func osToken(v []byte) []byte {
	if i := indexByte(v, ' '); i > 0 {
		v = v[:i]
	}
	if indexByte(v, '/') <= 0 {
		return nil
	}
	return v
}
