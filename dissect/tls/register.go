package tls

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "tls",
		Transport: dissect.TCP | dissect.UDP,
		Ports:     []uint16{443, 8443, 4843, 8883, 636, 993, 995, 465, 853, 5061, 4433, 5684},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logSSL, logX509, "weird"},
	})
}

// Probe matches a first record that carries a hello: a TLS record header (type 22, version
// 3.x, a length within the record limit) followed by a ClientHello or ServerHello, an SSLv2
// CLIENT-HELLO, or a DTLS record header (version 0xfeXX) followed by a ClientHello,
// ServerHello or HelloVerifyRequest.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	if len(b) == 0 {
		return dissect.NeedMore
	}
	switch {
	case b[0] == ctHandshake:
		if len(b) < 3 {
			return dissect.NeedMore
		}
		switch {
		case b[1] == 3 && b[2] <= 4:
			if len(b) < 6 {
				return dissect.NeedMore
			}
			n := int(b[3])<<8 | int(b[4])
			if n < 4 || n > maxRecord || (b[5] != hsClientHello && b[5] != hsServerHello) {
				return dissect.NoMatch
			}
			if len(b) >= 10 && b[9] != 3 && b[9] != 0x7f {
				return dissect.NoMatch
			}
			return dissect.Match
		case b[1] == 0xfe && (b[2] == 0xff || b[2] == 0xfd || b[2] == 0xfc):
			if len(b) < 14 {
				return dissect.NeedMore
			}
			n := int(b[11])<<8 | int(b[12])
			if n < 12 || n > maxRecord || b[13] < hsClientHello || b[13] > hsHelloVerify {
				return dissect.NoMatch
			}
			return dissect.Match
		}
		return dissect.NoMatch
	case b[0]&0x80 != 0:
		if len(b) < 5 {
			return dissect.NeedMore
		}
		n := int(b[0]&0x7f)<<8 | int(b[1])
		if b[2] == 1 && n >= 9 && (b[3] == 0 && b[4] == 2 || b[3] == 3 && b[4] <= 4) {
			return dissect.Match
		}
	}
	return dissect.NoMatch
}
