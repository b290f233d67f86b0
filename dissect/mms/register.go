package mms

import (
	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/s7comm"
)

func init() {
	dissect.Register(dissect.Factory{
		Name:      "mms",
		Transport: dissect.TCP,
		Ports:     []uint16{102},
		Probe:     Probe,
		New:       newParser,
		Logs:      []string{logMMS, "weird"},
	})
}

// Probe matches a direction whose TPKT/COTP stream carries the ISO session layer: a
// connection request with MMS-form TSAPs (see mmsTSAP), a connection request or confirm
// followed by a DT whose TSDU starts with a session CONNECT
// (0x0d) or ACCEPT (0x0e) SPDU, or an MMS PDU directly in the TSDU, or, on a flow picked up mid-stream, a DT whose TSDU is a GIVE
// TOKENS + DATA TRANSFER pair (01 00 01 00) carrying fully encoded presentation data (0x61).
// S7comm (0x32) and S7comm-plus (0x72) payloads, and anything that is not TPKT, get NoMatch.
func Probe(dir dissect.Dir, b []byte) dissect.Verdict {
	for len(b) > 0 {
		if len(b) < 6 {
			if len(b) >= 2 && (b[0] != s7comm.TPKTVersion || b[1] != 0) {
				return dissect.NoMatch
			}
			return dissect.NeedMore
		}
		n, err := s7comm.ParseTPKT(b)
		if err != nil || b[1] != 0 {
			return dissect.NoMatch
		}
		li, code := int(b[4]), b[5]>>4
		if li == 0 || li+1 > n-s7comm.TPKTHeaderLen || !knownCOTP(code) {
			return dissect.NoMatch
		}
		avail := b
		if n <= len(b) {
			avail = b[:n]
		}
		if len(avail) < s7comm.TPKTHeaderLen+1+li {
			return dissect.NeedMore
		}
		c, err := s7comm.ParseCOTP(avail[s7comm.TPKTHeaderLen:])
		if err != nil {
			return dissect.NoMatch
		}
		switch c.Code {
		case s7comm.COTPCR:
			// MMS stacks use a calling TSAP 0x0001/0x0002 or a four-octet selector with a
			// zero prefix, which no S7 connection type has (S7 clients call from 0x01nn-
			// 0x1fnn or an ASCII name): such a request is decided at once, because the S7
			// probe may decide on the TSAPs before the first DT is seen.
			if mmsTSAP(s7comm.COTPParam(c.Params, s7comm.COTPParamCallingTSAP)) {
				return dissect.Match
			}
		case s7comm.COTPCC:
			// Decide on the first DT.
		case s7comm.COTPDT:
			return probeTSDU(c.Data, n > len(b))
		default:
			return dissect.NoMatch
		}
		if n > len(b) {
			return dissect.NeedMore
		}
		b = b[n:]
	}
	return dissect.NeedMore
}

// mmsTSAP reports whether a transport selector has the form MMS stacks use: two octets
// 0x00nn or four octets 0x0000nnnn. S7 TSAPs start with a connection type 0x01..0x1f.
func mmsTSAP(t []byte) bool {
	switch len(t) {
	case 2:
		return t[0] == 0
	case 4:
		return t[0] == 0 && t[1] == 0
	}
	return false
}

// Identifier octets of the MMSpdu alternatives (ISO 9506-2 §7): constructed context tags,
// primitive for the cancel invoke ids and the conclude NULLs.
const (
	tagConfirmedRequest  = 0xa0
	tagConfirmedResponse = 0xa1
	tagConfirmedError    = 0xa2
	tagUnconfirmed       = 0xa3
	tagReject            = 0xa4
	tagCancelRequest     = 0x85
	tagCancelResponse    = 0x86
	tagCancelError       = 0xa7
	tagInitiateRequest   = 0xa8
	tagInitiateResponse  = 0xa9
	tagInitiateError     = 0xaa
	tagConcludeRequest   = 0x8b
	tagConcludeResponse  = 0x8c
	tagConcludeError     = 0xad
)

// probeTSDU decides on the start of the first DT payload; partial says more of it may come.
func probeTSDU(d []byte, partial bool) dissect.Verdict {
	need := 2
	if len(d) > 0 && d[0] == spduDataTransfer {
		need = 5
	}
	if len(d) < need {
		if partial {
			return dissect.NeedMore
		}
		return dissect.NoMatch
	}
	switch d[0] {
	case spduConnect, spduAccept:
		// The SPDU length must fit and the first parameter must be one that opens a CONNECT
		// or ACCEPT (X.225 §8.3.1: connection identifier, connect/accept item, session user
		// requirements, selectors, user data).
		l, k, ok := spduLen(d[1:])
		if !ok || l < 2 {
			return dissect.NoMatch
		}
		if 1+k >= len(d) {
			return dissect.NeedMore
		}
		switch d[1+k] {
		case 0x01, 0x05, 0x14, 0x33, 0x34, 0xc1, 0xc2, 0x10, 0x11, 0x13, 0x16, 0x0a, 0x15:
			return dissect.Match
		}
	case tagConfirmedRequest, tagConfirmedResponse, tagConfirmedError, tagUnconfirmed, tagReject,
		tagCancelRequest, tagCancelResponse, tagCancelError, tagInitiateRequest, tagInitiateResponse,
		tagInitiateError, tagConcludeRequest, tagConcludeResponse, tagConcludeError:
		// MMS PDU directly in the TSDU, without session and presentation (some embedded
		// stacks and test tools; Wireshark's MMS heuristic on COTP accepts it too): the
		// element must fill the TSDU exactly.
		if partial {
			return dissect.NeedMore
		}
		if _, n, err := readTLV(d); err == nil && n == len(d) {
			return dissect.Match
		}
	case spduDataTransfer:
		if d[1] == 0 && d[2] == spduDataTransfer && d[3] == 0 && d[4] == 0x61 {
			return dissect.Match
		}
	}
	return dissect.NoMatch
}
