package http

// lineProblem says why a start line was rejected.
type lineProblem uint8

const (
	lineOK lineProblem = iota
	lineBad
	lineBadWithVersion // no method token, but the line ends in " HTTP/1.x"
)

// requestLine is a parsed request line. Slices point into the input.
type requestLine struct {
	method     []byte
	uri        []byte
	maj, min   uint8
	v09        bool // no version: an HTTP/0.9 simple request (RFC 1945 §4.1)
	badVersion bool // "HTTP/" present but not followed by d.d
	missingURI bool // "METHOD HTTP/1.1"
}

// parseRequestLine splits line (without CR LF) as Zeek's HTTP analyzer does: a token, white
// space, a URI made of URI characters and anything up to the first white space followed by
// "HTTP/", then the version. A line with no "HTTP/" after the URI is an HTTP/0.9 request.
// Spec: RFC 9112 §3.
func parseRequestLine(line []byte) (requestLine, lineProblem) {
	var r requestLine
	i := 0
	for i < len(line) && isTokenChar(line[i]) {
		i++
	}
	if i == 0 {
		if n := len(line); n >= 9 && hasPrefixFold(line[n-9:], " http/1.") {
			return r, lineBadWithVersion
		}
		return r, lineBad
	}
	r.method = line[:i]
	rest := skipSpace(line, i)
	if rest == i {
		return r, lineBad
	}
	uriStart := rest
	eou := rest
	for eou < len(line) && isURIChar(line[eou]) {
		eou++
	}
	if eou >= len(line) && hasPrefixFold(line[uriStart:], "http/") {
		r.missingURI = true
		eou = uriStart
	}
	vs := eou
	found := false
	for ; vs < len(line); vs++ {
		eou = vs
		vs = skipSpace(line, vs)
		if hasPrefixFold(line[vs:], "http/") {
			found = true
			break
		}
	}
	if !found {
		// Without a version the URI runs to the end of the line (trailing blanks trimmed).
		r.v09 = true
		r.uri = trimSpace(line[uriStart:])
		if len(r.uri) == 0 || len(r.method) < 3 {
			// An empty URI, or a method too short to be one, is not a simple request.
			return r, lineBad
		}
		return r, lineOK
	}
	r.uri = line[uriStart:eou]
	if r.missingURI {
		r.uri = line[uriStart:uriStart]
	}
	v := line[vs+5:]
	if maj, min, ok := parseVersion(v); ok && len(v) >= 3 {
		r.maj, r.min = maj, min
	} else {
		r.badVersion = true
	}
	return r, lineOK
}

// statusLine is a parsed status line.
type statusLine struct {
	maj, min uint8
	code     uint16
	reason   []byte
}

// parseStatusLine reads "HTTP/d.d SP ddd [SP reason]". Spec: RFC 9112 §4.
func parseStatusLine(line []byte) (statusLine, bool) {
	var s statusLine
	if !hasPrefixFold(line, "http/") {
		return s, false
	}
	maj, min, ok := parseVersion(line[5:])
	if !ok {
		return s, false
	}
	s.maj, s.min = maj, min
	i := skipSpace(line, 8)
	if i == 8 && i < len(line) {
		return s, false
	}
	if i+3 > len(line) {
		return s, false
	}
	for _, c := range line[i : i+3] {
		if c < '0' || c > '9' {
			return s, false
		}
		s.code = s.code*10 + uint16(c-'0')
	}
	if i+3 < len(line) && !isSpace(line[i+3]) {
		return s, false
	}
	s.reason = trimSpace(line[i+3:])
	return s, true
}

// looksLikeStatus reports whether b could start a status line ("HTTP/" so far).
func looksLikeStatus(b []byte) bool {
	const p = "http/"
	n := len(b)
	if n > len(p) {
		n = len(p)
	}
	return eqFold(b[:n], p[:n])
}

// nextLine returns the line at the start of b without its CR LF (or bare LF) and the length
// of the line including the terminator; n is 0 when no LF is present yet.
func nextLine(b []byte) (line []byte, n int) {
	for i, c := range b {
		if c == '\n' {
			line = b[:i]
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			return line, i + 1
		}
	}
	return nil, 0
}

// findTitle returns the text of the first <title> element in an HTML prefix, trimmed.
// titleStart returns where "<title" (any case) begins in b, or -1.
func titleStart(b []byte) int {
	for i := 0; i+6 <= len(b); i++ {
		if b[i] == '<' && hasPrefixFold(b[i+1:], "title") {
			return i
		}
	}
	return -1
}

func findTitle(b []byte) []byte {
	for i := 0; i+7 <= len(b); i++ {
		if b[i] != '<' || !hasPrefixFold(b[i+1:], "title") {
			continue
		}
		j := i + 6
		for j < len(b) && b[j] != '>' {
			j++
		}
		if j >= len(b) {
			return nil
		}
		start := j + 1
		for k := start; k+1 < len(b); k++ {
			if b[k] == '<' && b[k+1] == '/' {
				t := trimSpace(b[start:k])
				for len(t) > 0 && (t[0] == '\n' || t[len(t)-1] == '\n') {
					t = trimSpace(trimNL(t))
				}
				if len(t) > maxTitle {
					t = t[:maxTitle]
				}
				return t
			}
		}
		return nil
	}
	return nil
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[0] == '\n' || b[0] == '\r') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// decodeBase64 decodes standard base64 (with or without padding) into dst without allocating.
func decodeBase64(dst, src []byte) ([]byte, bool) {
	var acc uint32
	bits := 0
	for _, c := range src {
		var v byte
		switch {
		case c >= 'A' && c <= 'Z':
			v = c - 'A'
		case c >= 'a' && c <= 'z':
			v = c - 'a' + 26
		case c >= '0' && c <= '9':
			v = c - '0' + 52
		case c == '+' || c == '-':
			v = 62
		case c == '/' || c == '_':
			v = 63
		case c == '=':
			continue
		default:
			return dst, false
		}
		acc = acc<<6 | uint32(v)
		bits += 6
		if bits >= 8 {
			bits -= 8
			dst = append(dst, byte(acc>>uint(bits)))
		}
	}
	return dst, true
}
