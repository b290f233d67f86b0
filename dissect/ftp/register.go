package ftp

import (
	"bytes"

	"github.com/quietwire/quietwire/dissect"
)

func init() {
	dissect.Register(dissect.Factory{
		Name:      "ftp",
		Transport: dissect.TCP,
		Ports:     []uint16{21},
		PortOnly:  true, // "220 " greetings are shared with SMTP: only port 21 is offered
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logFTP, "weird"},
	})
}

// Probe matches a server greeting ("220 " or "220-", not an SMTP one) or a client line that
// starts with a common FTP command followed by a space or CRLF.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) < 4 {
		return dissect.NeedMore
	}
	if dir == dissect.Resp {
		if (bytes.HasPrefix(b, []byte("220 ")) || bytes.HasPrefix(b, []byte("220-"))) &&
			!bytes.Contains(b, []byte("SMTP")) {
			return dissect.Match
		}
		return dissect.NoMatch
	}
	for _, c := range []string{"USER ", "AUTH ", "FEAT\r", "SYST\r", "OPTS ", "PASV\r", "EPSV\r"} {
		if len(b) >= len(c) && string(bytes.ToUpper(b[:len(c)])) == c {
			return dissect.Match
		}
	}
	return dissect.NoMatch
}
