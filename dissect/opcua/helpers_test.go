package opcua

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
	"github.com/quietwire/quietwire/dissect/wire"
)

// Builders of handmade OPC UA messages (Part 6 binary encoding) for the tests.

func u8(v byte) []byte { return []byte{v} }
func u16(v uint16) []byte {
	return binary.LittleEndian.AppendUint16(nil, v)
}
func u32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
func i32(v int32) []byte  { return u32(uint32(v)) }
func u64(v uint64) []byte { return binary.LittleEndian.AppendUint64(nil, v) }
func f64(v float64) []byte {
	return u64(math.Float64bits(v))
}

// str encodes a String (nil-able: "\x00null" encodes as length -1).
func str(s string) []byte {
	if s == "\x00null" {
		return i32(-1)
	}
	return append(i32(int32(len(s))), s...)
}

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// message builds a whole message: header (type, chunk type, size) then body.
func message(mt string, chunk byte, body []byte) []byte {
	return cat([]byte(mt), []byte{chunk}, u32(uint32(hdrLen+len(body))), body)
}

// fourByteID encodes a service type id (four-byte NodeId, namespace 0).
func fourByteID(id uint16) []byte { return cat(u8(1), u8(0), u16(id)) }

// 2020-01-22 14:07:40 UTC as a DateTime.
var dt = u64(uint64(1579702060)*10_000_000 + 116444736000000000)

func reqHdrBytes(handle uint32) []byte {
	return cat(
		u8(0), u8(0), // authentication token: two-byte NodeId i=0
		dt,                  // timestamp
		u32(handle),         // request handle
		u32(0),              // return diagnostics
		str("\x00null"),     // audit entry id
		u32(10000),          // timeout hint
		u8(0), u8(0), u8(0), // additional header: null ExtensionObject
	)
}

func resHdrBytes(handle, status uint32) []byte {
	return cat(
		dt,                  // timestamp
		u32(handle),         // request handle
		u32(status),         // service result
		u8(0),               // service diagnostics: empty DiagnosticInfo
		i32(-1),             // string table
		u8(0), u8(0), u8(0), // additional header
	)
}

func hello() []byte {
	return message("HEL", 'F', cat(u32(0), u32(65535), u32(65535), u32(0), u32(0), str("opc.tcp://plc:4840")))
}

func ack() []byte {
	return message("ACK", 'F', cat(u32(0), u32(65535), u32(65535), u32(0), u32(0)))
}

// opnRequest is an OpenSecureChannel request with SecurityPolicy#None.
func opnRequest() []byte {
	return message("OPN", 'F', cat(
		u32(0),           // secure channel id
		str(policyNone),  // security policy uri
		i32(-1), i32(-1), // sender certificate, receiver thumbprint
		u32(1), u32(1), // sequence number, request id
		fourByteID(idOpenSecureChannelReq),
		reqHdrBytes(0),
		u32(0), u32(0), u32(1), // protocol version, Issue, MessageSecurityMode None
		str(""),     // client nonce
		u32(600000), // requested lifetime
	))
}

func opnResponse() []byte {
	return message("OPN", 'F', cat(
		u32(5), str(policyNone), i32(-1), i32(-1),
		u32(1), u32(1),
		fourByteID(idOpenSecureChannelRes),
		resHdrBytes(0, 0),
		u32(0),                          // server protocol version
		u32(5), u32(7), dt, u32(600000), // security token
		str(""), // server nonce
	))
}

// secure wraps a service body in a MSG chunk of channel 5, token 7.
func secure(mt string, chunk byte, seq, reqID uint32, body []byte) []byte {
	return message(mt, chunk, cat(u32(5), u32(7), u32(seq), u32(reqID), body))
}

// readRequest reads ns=1;s=the.answer Value.
func readRequest(reqID uint32) []byte {
	return secure("MSG", 'F', reqID, reqID, cat(
		fourByteID(idReadReq), reqHdrBytes(reqID),
		f64(0), u32(0), // max age, timestamps Source
		i32(1),                           // one ReadValueId
		u8(3), u16(1), str("the.answer"), // String NodeId ns=1
		u32(13), str("\x00null"), u16(0), str("\x00null"), // Value, no range, no encoding
	))
}

// readResponse answers with one DataValue holding an Int32 42 and a Bad status.
func readResponse(reqID uint32) []byte {
	return secure("MSG", 'F', reqID, reqID, cat(
		fourByteID(idReadRes), resHdrBytes(reqID, 0),
		i32(1),
		u8(0x03), u8(btInt32), i32(42), // value + status
		u32(0x80340000), // BadNodeIdUnknown
		i32(-1),         // diagnostic infos
	))
}

// writeRequest writes Int32 7 to ns=1;s=the.answer Value.
func writeRequest(reqID uint32) []byte {
	return secure("MSG", 'F', reqID, reqID, cat(
		fourByteID(idWriteReq), reqHdrBytes(reqID),
		i32(1),
		u8(3), u16(1), str("the.answer"), u32(13), str("\x00null"),
		u8(0x01), u8(btInt32), i32(7),
	))
}

// activateUserName activates a session with a UserName token in clear.
func activateUserName(reqID uint32) []byte {
	token := cat(str("username-policy"), str("operator"), str("secret"), str("\x00null"))
	return secure("MSG", 'F', reqID, reqID, cat(
		fourByteID(idActivateSessionReq), reqHdrBytes(reqID),
		str("\x00null"), str("\x00null"), // client signature
		i32(-1), i32(-1), // software certificates, locale ids
		fourByteID(idUserNameIdentityToken), u8(1), str(string(token)),
		str("\x00null"), str("\x00null"), // user token signature
	))
}

// callRequest calls method ns=1;i=62541 on object i=85.
func callRequest(reqID uint32) []byte {
	return secure("MSG", 'F', reqID, reqID, cat(
		fourByteID(idCallReq), reqHdrBytes(reqID),
		i32(1), u8(0), u8(85), u8(1), u8(1), u16(62541), i32(1), u8(btString), str("go"),
	))
}

// newTest returns a parser over a test flow and its capture.
func newTest(t testing.TB) (*parser, *dissecttest.Capture) {
	env, c := dissecttest.NewEnv("opcua", dissecttest.Flow(6, 4840))
	return newParser(env).(*parser), c
}

// feed parses whole messages in dir and fails on an unexpected leftover.
func feed(t testing.TB, p dissect.Parser, dir dissect.Dir, msgs ...[]byte) {
	t.Helper()
	for _, m := range msgs {
		n, err := p.Parse(dir, m)
		if err != nil || n != len(m) {
			t.Fatalf("Parse: n=%d of %d, err %v", n, len(m), err)
		}
	}
}

func wireReader(b []byte) wire.Reader { return wire.New(b) }
