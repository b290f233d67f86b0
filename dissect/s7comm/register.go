package s7comm

import "github.com/quietwire/quietwire/dissect"

func init() {
	dissect.Register(dissect.Factory{
		Name:      "s7comm",
		Transport: dissect.TCP,
		Ports:     []uint16{102},
		Probe:     Probe,
		New:       newParser,
		Logs: []string{"cotp", "s7comm", "s7comm_read_szl", "s7comm_upload_download", "s7comm_plus",
			"s7comm_known_devices", "weird"},
	})
}

// Probe matches a direction whose TPKT/COTP stream is S7: a connection request or confirm
// with S7 TSAPs (two bytes with a connection type 1–3 and rack/slot, or "SIMATIC-…" for
// S7comm-plus), or a first DT payload starting with the S7comm (0x32 + a valid ROSCTR) or
// S7comm-plus (0x72 + version 1–3 or 0xfe) header. Other TPKT users on port 102 (IEC 61850
// MMS: session SPDU 0x0d…, RDP on other ports) get NoMatch.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	for len(b) > 0 {
		if len(b) < 6 {
			if len(b) >= 2 && (b[0] != TPKTVersion || b[1] != 0) {
				return dissect.NoMatch
			}
			return dissect.NeedMore
		}
		n, err := ParseTPKT(b)
		if err != nil || b[1] != 0 {
			return dissect.NoMatch
		}
		li, code := int(b[4]), b[5]>>4
		if li == 0 || li+1 > n-TPKTHeaderLen || !knownCOTP(code) {
			return dissect.NoMatch
		}
		avail := b
		if n <= len(b) {
			avail = b[:n]
		}
		if len(avail) < TPKTHeaderLen+1+li {
			return dissect.NeedMore
		}
		c, err := ParseCOTP(avail[TPKTHeaderLen:])
		if err != nil {
			return dissect.NoMatch
		}
		switch c.Code {
		case COTPCR, COTPCC:
			if tsapKind(COTPParam(c.Params, COTPParamCalledTSAP)) == tsapS7 ||
				tsapKind(COTPParam(c.Params, COTPParamCallingTSAP)) == tsapS7 {
				return dissect.Match
			}
			// Otherwise the TSAPs say nothing: decide on the first DT.
		case COTPDT:
			if len(c.Data) < 2 {
				if n > len(b) {
					return dissect.NeedMore
				}
				break
			}
			switch c.Data[0] {
			case ProtoS7:
				switch c.Data[1] {
				case RosJob, RosAck, RosAckData, RosUserData:
					return dissect.Match
				}
			case ProtoS7Plus:
				switch c.Data[1] {
				case 1, 2, 3, 0xfe:
					return dissect.Match
				}
			}
			return dissect.NoMatch
		}
		if n > len(b) {
			return dissect.NeedMore
		}
		b = b[n:]
	}
	return dissect.NeedMore
}

const (
	tsapNone = iota
	tsapS7
	tsapOther
)

// tsapKind classifies a called/calling TSAP: S7 uses two bytes (connection type 1 = PG,
// 2 = OP, 3 = S7 basic, 0x10+ for further resources; then rack<<5 | slot) and S7comm-plus
// uses ASCII "SIMATIC-ROOT-…". MMS stacks use 0x0001 or four-byte selectors.
func tsapKind(t []byte) int {
	switch {
	case t == nil:
		return tsapNone
	case len(t) == 2 && t[0] >= 0x01 && t[0] <= 0x1f:
		return tsapS7
	case len(t) >= 7 && string(t[:7]) == "SIMATIC":
		return tsapS7
	}
	return tsapOther
}
