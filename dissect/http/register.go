package http

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "http",
		Transport: dissect.TCP,
		Ports:     []uint16{80, 8080, 8000, 8008, 8888, 81},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logHTTP, "weird"},
	})
}

// Probe matches a direction that starts with a request line (a known method and a space, or
// any token whose line ends in " HTTP/1.x") or a status line ("HTTP/1.x ddd"). Leading blank
// lines are skipped. A start line that other text protocols share (RTSP, SIP) is rejected by
// its version.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	i := 0
	for i < len(b) && (b[i] == '\r' || b[i] == '\n') {
		i++
	}
	b = b[i:]
	if len(b) == 0 {
		return dissect.NeedMore
	}
	if b[0] == 'H' || b[0] == 'h' {
		if len(b) < 12 {
			if looksLikeStatus(b) || isTokenPrefix(b) {
				return dissect.NeedMore
			}
			return dissect.NoMatch
		}
		if s, ok := parseStatusLine(firstLine(b)); ok && s.maj <= 1 && s.code >= 100 && s.code <= 999 {
			return dissect.Match
		}
		if looksLikeStatus(b) {
			return dissect.NoMatch
		}
	}
	// A request line. Only the client side's first byte is checked strictly: a start line that
	// is not a valid request but still looks like text is left to the other direction, as a
	// server on an HTTP port answers malformed requests with a status line.
	if c := b[0]; c < 0x20 || c == 0x7f {
		return dissect.NoMatch
	}
	line, n := nextLine(b)
	if n == 0 {
		if len(b) >= dissect.ProbeDepth-16 || !printable(b) {
			return dissect.NoMatch
		}
		return dissect.NeedMore
	}
	if !printable(line) {
		return dissect.NoMatch
	}
	r, prob := parseRequestLine(line)
	switch {
	case prob == lineOK && !r.v09:
		return dissect.Match
	case prob == lineOK && methodName(r.method) != "" && !containsFold(line, "rtsp/") && !containsFold(line, "sip/"):
		return dissect.Match // a simple (HTTP/0.9) request
	case containsFold(line, " http/1.") || hasSuffixFold(line, "http/1.1") || hasSuffixFold(line, "http/1.0"):
		return dissect.Match // a malformed request line that still names HTTP
	case prob != lineOK && startsUpper(line) && dir == dissect.Orig:
		return dissect.NeedMore // let the response decide
	}
	return dissect.NoMatch
}

// printable reports whether b is text: no control bytes but tab, CR and LF.
func printable(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7f {
			return false
		}
	}
	return true
}

func startsUpper(b []byte) bool {
	return len(b) > 0 && (b[0] >= 'A' && b[0] <= 'Z' || b[0] >= 0x80)
}

func hasSuffixFold(b []byte, s string) bool {
	return len(b) >= len(s) && eqFold(b[len(b)-len(s):], s)
}

func isTokenPrefix(b []byte) bool {
	for _, c := range b {
		if !isTokenChar(c) {
			return c == ' '
		}
	}
	return true
}

func firstLine(b []byte) []byte {
	if l, n := nextLine(b); n > 0 {
		return l
	}
	return b
}
