package s7comm

import "errors"

// This file is the ISO transport framing used on TCP port 102: TPKT (RFC 1006 §6) carrying
// COTP TPDUs (ISO 8073 / X.224 §13). It is exported so that other dissectors riding on the
// same framing (IEC 61850 MMS) can reuse it: ParseTPKT and ParseCOTP are pure functions over a
// byte slice, TSDU reassembles data TPDUs into transport service data units, and ResyncTPKT
// finds the next plausible packet after a gap. None of them allocates in steady state.

// TPKT constants. Spec: RFC 1006 §6.
const (
	TPKTVersion   = 3
	TPKTHeaderLen = 4
	// TPKTMinLen is the smallest TPKT that can carry a COTP header (LI + code + one byte).
	TPKTMinLen = TPKTHeaderLen + 3
)

// Framing errors. They are sentinels: comparing them does not allocate.
var (
	ErrTPKTVersion = errors.New("s7comm: TPKT version is not 3")
	ErrTPKTLength  = errors.New("s7comm: TPKT length below the COTP minimum")
	ErrCOTPLength  = errors.New("s7comm: COTP length indicator exceeds the TPKT")
	ErrCOTPShort   = errors.New("s7comm: COTP header shorter than its type requires")
)

// ParseTPKT looks at the TPKT header at the start of b. It returns the whole packet length
// (header included) once the header is readable, whether or not the packet is complete;
// n == 0 with a nil error means fewer than 4 bytes are available.
func ParseTPKT(b []byte) (n int, err error) {
	if len(b) < TPKTHeaderLen {
		return 0, nil
	}
	if b[0] != TPKTVersion {
		return 0, ErrTPKTVersion
	}
	n = int(b[2])<<8 | int(b[3])
	if n < TPKTMinLen {
		return n, ErrTPKTLength
	}
	return n, nil
}

// COTP TPDU codes (upper nibble of the second header byte). Spec: ISO 8073 §13.1 table 8.
const (
	COTPED = 0x1 // expedited data
	COTPEA = 0x2 // expedited data acknowledgement
	COTPRJ = 0x5 // reject
	COTPAK = 0x6 // data acknowledgement
	COTPER = 0x7 // TPDU error
	COTPDR = 0x8 // disconnect request
	COTPDC = 0xc // disconnect confirm
	COTPCC = 0xd // connection confirm
	COTPCR = 0xe // connection request
	COTPDT = 0xf // data
)

// cotpNames are the pdu_name spellings of ICSNPP's cotp.log, indexed by TPDU code.
var cotpNames = [16]string{
	"Unknown COTP PDU-0x00", "ED Expedited Data", "EA Expedited Data Acknowledgement",
	"Unknown COTP PDU-0x03", "Unknown COTP PDU-0x04", "RJ Reject", "AK Data Acknowledgement",
	"ER TPDU Error", "DR Disconnect Request", "Unknown COTP PDU-0x09", "Unknown COTP PDU-0x0a",
	"Unknown COTP PDU-0x0b", "DC Disconnect Confirm", "CC Connection Confirm",
	"CR Connection Request", "DT Data",
}

// COTPName returns the ICSNPP name of a TPDU code ("DT Data").
func COTPName(code uint8) string { return cotpNames[code&15] }

// knownCOTP reports whether code is a TPDU type defined by ISO 8073.
func knownCOTP(code uint8) bool {
	switch code {
	case COTPED, COTPEA, COTPRJ, COTPAK, COTPER, COTPDR, COTPDC, COTPCC, COTPCR, COTPDT:
		return true
	}
	return false
}

// COTP is one decoded TPDU header. Params and Data alias the input.
type COTP struct {
	LI     uint8 // length indicator: header length after the LI byte
	Code   uint8 // TPDU code (upper nibble): COTPDT, COTPCR…
	CDT    uint8 // lower nibble of the code byte (credit for CR/CC/AK, 0 for DT class 0)
	DstRef uint16
	SrcRef uint16
	Class  uint8  // CR/CC: protocol class (upper nibble of class/option)
	Reason uint8  // DR: disconnect reason; ER: reject cause
	TPDUNr uint8  // DT/ED: send sequence number
	EOT    bool   // DT/ED: last data unit of the TSDU
	Params []byte // variable part of the header (TLV parameters)
	Data   []byte // user data after the header (DT/ED payload, CR/CC/DR user data)
}

// ParseCOTP decodes the COTP TPDU in b (the TPKT payload). Class 0/1 normal format is assumed
// for DT/ED (one byte of EOT/number), which is what every TPKT user does (RFC 1006 §5).
// Spec: ISO 8073 §13.3–13.12.
func ParseCOTP(b []byte) (c COTP, err error) {
	if len(b) < 2 {
		return c, ErrCOTPShort
	}
	c.LI = b[0]
	if c.LI == 0 || c.LI == 255 || int(c.LI)+1 > len(b) {
		return c, ErrCOTPLength
	}
	c.Code, c.CDT = b[1]>>4, b[1]&15
	h := b[2 : 1+int(c.LI)] // fixed part after the code byte, then parameters
	c.Data = b[1+int(c.LI):]
	switch c.Code {
	case COTPDT:
		if len(h) < 1 {
			return c, ErrCOTPShort
		}
		c.TPDUNr, c.EOT, c.Params = h[0]&0x7f, h[0]&0x80 != 0, h[1:]
	case COTPED:
		if len(h) < 3 {
			return c, ErrCOTPShort
		}
		c.DstRef = be16(h)
		c.TPDUNr, c.EOT, c.Params = h[2]&0x7f, h[2]&0x80 != 0, h[3:]
	case COTPCR, COTPCC:
		if len(h) < 5 {
			return c, ErrCOTPShort
		}
		c.DstRef, c.SrcRef, c.Class, c.Params = be16(h), be16(h[2:]), h[4]>>4, h[5:]
	case COTPDR:
		if len(h) < 5 {
			return c, ErrCOTPShort
		}
		c.DstRef, c.SrcRef, c.Reason, c.Params = be16(h), be16(h[2:]), h[4], h[5:]
	case COTPDC:
		if len(h) < 4 {
			return c, ErrCOTPShort
		}
		c.DstRef, c.SrcRef, c.Params = be16(h), be16(h[2:]), h[4:]
	case COTPER:
		if len(h) < 3 {
			return c, ErrCOTPShort
		}
		c.DstRef, c.Reason, c.Params = be16(h), h[2], h[3:]
	case COTPAK, COTPEA, COTPRJ:
		if len(h) < 3 {
			return c, ErrCOTPShort
		}
		c.DstRef, c.TPDUNr, c.Params = be16(h), h[2]&0x7f, h[3:]
	default:
		c.Params = h
	}
	return c, nil
}

// COTP parameter codes of the CR/CC variable part. Spec: ISO 8073 §13.3.4.
const (
	COTPParamTPDUSize    = 0xc0
	COTPParamCallingTSAP = 0xc1 // source TSAP
	COTPParamCalledTSAP  = 0xc2 // destination TSAP
)

// COTPParam returns the value of parameter code in a CR/CC variable part, or nil.
func COTPParam(params []byte, code uint8) []byte {
	for len(params) >= 2 {
		l := int(params[1])
		if 2+l > len(params) {
			return nil
		}
		if params[0] == code {
			return params[2 : 2+l : 2+l]
		}
		params = params[2+l:]
	}
	return nil
}

// TSDU reassembles the data TPDUs of one direction into transport service data units. Add
// returns the complete TSDU when a DT with EOT arrives; the slice is only valid until the next
// Add. A TSDU longer than Max is dropped (Overflowed reports it once). The zero value is ready
// with a 64 KiB cap.
type TSDU struct {
	Max      int
	buf      []byte
	dropping bool
}

// Add appends the DT payload and reports the TSDU once complete. overflow is true for the DT
// that first pushes the TSDU past Max.
func (t *TSDU) Add(c *COTP) (tsdu []byte, done, overflow bool) {
	max := t.Max
	if max <= 0 {
		max = 64 << 10
	}
	if c.EOT && len(t.buf) == 0 && !t.dropping {
		return c.Data, true, false // unfragmented: no copy
	}
	if !t.dropping {
		if len(t.buf)+len(c.Data) > max {
			t.dropping, overflow = true, true
			t.buf = t.buf[:0]
		} else {
			t.buf = append(t.buf, c.Data...)
		}
	}
	if !c.EOT {
		return nil, false, overflow
	}
	if t.dropping {
		t.dropping = false
		return nil, false, overflow
	}
	tsdu = t.buf
	t.buf = t.buf[:0]
	return tsdu, true, overflow
}

// Pending reports whether a partial TSDU is buffered.
func (t *TSDU) Pending() bool { return len(t.buf) > 0 || t.dropping }

// Reset drops a partial TSDU (after a gap).
func (t *TSDU) Reset() { t.buf, t.dropping = t.buf[:0], false }

// ResyncTPKT returns the offset of the first plausible TPKT+COTP header in b, or -1. A header
// is plausible when the version is 3, the length fits the COTP minimum, the LI fits the
// length, the TPDU code is defined and, when the packet ends inside b, another TPKT header or
// the end of b follows it.
func ResyncTPKT(b []byte) int {
	for i := 0; i+6 <= len(b); i++ {
		if b[i] != TPKTVersion || b[i+1] != 0 {
			continue
		}
		n := int(b[i+2])<<8 | int(b[i+3])
		li := int(b[i+4])
		if n < TPKTMinLen || li == 0 || li+1 > n-TPKTHeaderLen || !knownCOTP(b[i+5]>>4) {
			continue
		}
		if end := i + n; end < len(b) && (b[end] != TPKTVersion || (end+1 < len(b) && b[end+1] != 0)) {
			continue
		}
		return i
	}
	return -1
}

func be16(b []byte) uint16 { return uint16(b[0])<<8 | uint16(b[1]) }
