package http

// Spec: RFC 9110 (HTTP semantics), RFC 9112 (HTTP/1.1 message syntax), RFC 1945 (HTTP/1.0
// and the HTTP/0.9 simple request), RFC 7617 (Basic authentication).

// Log and anomaly names.
const (
	logHTTP = "http"

	weirdBadRequest        = "http_bad_request" // request line that is not METHOD SP URI [SP HTTP/x.y]
	weirdBadRequestVersion = "http_bad_request_with_version"
	weirdMissingURI        = "http_missing_uri"
	weirdBadVersion        = "http_bad_version"
	weirdUnknownMethod     = "http_unknown_method"
	weirdInvalid09Method   = "http_invalid_09_request_method" // HTTP/0.9 allows only GET
	weirdBadReply          = "http_bad_reply_line"
	weirdUnsolicited       = "http_unsolicited_reply"
	weirdHeaderOverflow    = "http_header_overflow" // a line or a header block past its cap
	weirdTooManyHeaders    = "http_too_many_headers"
	weirdBadChunkSize      = "http_bad_chunk_size"
	weirdBadContentLength  = "http_bad_content_length"
	weirdPendingFlood      = "http_request_flood"
	weirdBasicAuth         = "http_basic_auth_cleartext"
	weirdBadAuth           = "http_bad_basic_auth"
	weirdResync            = "http_resync"
	weirdBodyGap           = "http_body_gap"
	weirdEICAR             = "http_eicar_test_file" // a request or response body that is the EICAR test file
)

// Caps.
const (
	maxLine      = 16 << 10 // one request, status or header line
	maxHeaders   = 256      // header lines per message
	maxPending   = 64       // unanswered requests per flow (pipelining depth)
	maxField     = 1024     // bytes kept of one logged field (URI, user agent…)
	titleScan    = 8 << 10  // bytes of an HTML body scanned for <title>
	maxTitle     = 256      // bytes of a title kept
	maxChunkSize = 1 << 40  // a chunk-size beyond this is treated as corrupt
)

// methods are the request methods HTTP and its extensions define (RFC 9110 §9, WebDAV RFC
// 4918, RFC 5789 PATCH, UPnP/SSDP). Others are logged with an http_unknown_method anomaly.
var methods = [...]string{
	"GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE", "CONNECT", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH", "REPORT",
	"MKACTIVITY", "CHECKOUT", "MERGE", "M-SEARCH", "NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE",
	"BIND", "UNBIND", "REBIND", "ACL", "VERSION-CONTROL", "MKCALENDAR", "MKWORKSPACE",
	"UPDATE", "LABEL", "BASELINE-CONTROL", "ORDERPATCH", "POLL", "BMOVE", "BDELETE",
	"BPROPFIND", "BPROPPATCH", "BCOPY", "X-MS-ENUMATTS", "RPC_IN_DATA", "RPC_OUT_DATA",
}

// methodName returns the constant spelling of a known method, or "".
func methodName(m []byte) string {
	for _, s := range methods {
		if string(m) == s {
			return s
		}
	}
	return ""
}

// isTokenChar reports whether c may appear in an HTTP token (RFC 9110 §5.6.2).
func isTokenChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// isURIChar reports whether c is an RFC 3986 reserved or unreserved character or '%'.
func isURIChar(c byte) bool {
	if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
		return true
	}
	switch c {
	case '-', '.', '_', '~', ':', '/', '?', '#', '[', ']', '@', '!', '$', '&', '\'', '(', ')',
		'*', '+', ',', ';', '=', '%':
		return true
	}
	return false
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (isSpace(b[0]) || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (isSpace(b[len(b)-1]) || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// eqFold compares b with the lower-case ASCII s, ignoring case.
func eqFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// hasPrefixFold reports whether b starts with the lower-case ASCII s, ignoring case.
func hasPrefixFold(b []byte, s string) bool {
	return len(b) >= len(s) && eqFold(b[:len(s)], s)
}

// containsFold reports whether b contains the lower-case ASCII s, ignoring case.
func containsFold(b []byte, s string) bool {
	for i := 0; i+len(s) <= len(b); i++ {
		if eqFold(b[i:i+len(s)], s) {
			return true
		}
	}
	return false
}

// parseVersion reads "d.d" into a major/minor pair.
func parseVersion(b []byte) (maj, min uint8, ok bool) {
	if len(b) >= 3 && b[0] >= '0' && b[0] <= '9' && b[1] == '.' && b[2] >= '0' && b[2] <= '9' {
		return b[0] - '0', b[2] - '0', true
	}
	return 0, 0, false
}

// parseDec reads a decimal number; ok is false on anything else or on overflow past 2^62.
func parseDec(b []byte) (uint64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
		if v > 1<<62 {
			return 0, false
		}
	}
	return v, true
}

// parseHex reads a chunk-size (RFC 9112 §7.1), ignoring chunk extensions after ';'.
func parseHex(b []byte) (uint64, bool) {
	b = trimSpace(b)
	for i, c := range b {
		if c == ';' || isSpace(c) {
			b = b[:i]
			break
		}
	}
	if len(b) == 0 || len(b) > 16 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | uint64(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | uint64(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | uint64(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
