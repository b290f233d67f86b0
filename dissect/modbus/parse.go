package modbus

import "github.com/quietwire/quietwire/dissect/wire"

// header is the MBAP header plus the function code.
// Spec: MODBUS Messaging on TCP/IP Implementation Guide V1.0b §3.1.3.
type header struct {
	tid    uint16 // transaction identifier, echoed by the server
	pid    uint16 // protocol identifier, 0 for MODBUS
	length uint16 // bytes that follow the length field: unit id + PDU
	unit   uint8  // unit identifier (serial-line slave address behind gateways)
	fc     FuncCode
}

// headerProblem says what is wrong with a header; "" means nothing.
type headerProblem uint8

const (
	hdrOK headerProblem = iota
	hdrShort
	hdrProtocolID
	hdrLength
)

// parseHeader reads the MBAP header at the start of b. It needs mbapLen bytes to validate
// the header and one more for the function code (hdrShort otherwise).
func parseHeader(b []byte) (header, headerProblem) {
	if len(b) < mbapLen {
		return header{}, hdrShort
	}
	h := header{
		tid:    uint16(b[0])<<8 | uint16(b[1]),
		pid:    uint16(b[2])<<8 | uint16(b[3]),
		length: uint16(b[4])<<8 | uint16(b[5]),
		unit:   b[6],
	}
	if h.pid != 0 {
		return h, hdrProtocolID
	}
	if h.length < minLength || h.length > maxLength {
		return h, hdrLength
	}
	if len(b) < mbapLen+1 {
		return h, hdrShort
	}
	h.fc = FuncCode(b[7])
	return h, hdrOK
}

// Value kinds of a body: how its values are encoded.
const (
	valNone  uint8 = iota
	valBits        // packed coil/input bits, LSB first (Application Protocol §6.1)
	valRegs        // big-endian 16-bit registers
	valCount       // one value held in body.value
)

// body is the decoded data of one request or response PDU (everything after the function
// code). Slices alias the input: copy what outlives the Parse call.
type body struct {
	addr, qty       uint16
	hasAddr, hasQty bool

	vkind uint8  // valBits, valRegs, valCount or valNone
	vals  []byte // packed bits or registers
	nvals int    // number of values in vals (bits may be fewer than 8*len(vals))
	value uint16 // the single value (valCount)

	sub    uint16 // FC 8 sub-function
	hasSub bool
	data   []byte // FC 8 data, FC 17 server id, FC 43 MEI data

	andMask, orMask uint16 // FC 22

	readAddr, readQty, writeAddr, writeQty uint16 // FC 23
	writeRegs                              []byte // FC 23 request
	nrefs                                  int    // FC 20/21 sub-request count
	fileNum, recordNum, recordLen          uint16 // FC 21: the first sub-request

	mei        uint8 // FC 43 MEI type
	hasMEI     bool
	fifoCount  uint16
	exception  uint8 // exception code of an exception response
	coilValid  bool  // FC 5: value was 0x0000 or 0xFF00
	qtyInRange bool  // quantity within the function's limits (requests)
}

// Problems found while decoding a body. Constant strings: they go to weird.log addl as is.
const (
	probTruncated     = "truncated"
	probTrailing      = "trailing bytes"
	probByteCount     = "byte count mismatch"
	probOddByteCount  = "odd register byte count"
	probFileReference = "invalid file record reference"
)

// parseRequest decodes a request PDU body of function fc. It returns a problem description,
// or "" when the body is well formed. Fields decoded before a problem stay set.
// Spec: MODBUS Application Protocol V1.1b3 §6.
func parseRequest(fc FuncCode, data []byte, q *body) string {
	*q = body{qtyInRange: true, coilValid: true}
	r := wire.New(data)
	switch fc {
	case fcReadCoils, fcReadDiscreteInputs, fcReadHoldingRegisters, fcReadInputRegisters:
		// §6.1-6.4: starting address, quantity (1..2000 bits, 1..125 registers).
		q.addr, q.qty = r.U16BE(), r.U16BE()
		if r.Err() != nil {
			return probTruncated
		}
		q.hasAddr, q.hasQty = true, true
		limit := uint16(125)
		if fc == fcReadCoils || fc == fcReadDiscreteInputs {
			limit = 2000
		}
		q.qtyInRange = q.qty >= 1 && q.qty <= limit
	case fcWriteSingleCoil:
		// §6.5: output address, value 0xFF00 (on) or 0x0000 (off).
		q.addr = r.U16BE()
		v := r.U16BE()
		if r.Err() != nil {
			return probTruncated
		}
		q.hasAddr, q.hasQty, q.qty = true, true, 1
		q.coilValid = v == 0x0000 || v == 0xFF00
		q.vkind, q.nvals = valCount, 1
		if v == 0xFF00 {
			q.value = 1
		} else if !q.coilValid {
			q.value = v
		}
	case fcWriteSingleRegister:
		// §6.6: register address, register value.
		q.addr, q.value = r.U16BE(), r.U16BE()
		if r.Err() != nil {
			return probTruncated
		}
		q.hasAddr, q.hasQty, q.qty = true, true, 1
		q.vkind, q.nvals = valCount, 1
	case fcDiagnostics:
		// §6.8: sub-function, data.
		q.sub = r.U16BE()
		if r.Err() != nil {
			return probTruncated
		}
		q.hasSub = true
		q.data = r.Rest()
		return ""
	case fcWriteMultipleCoils:
		// §6.11: starting address, quantity (1..0x7B0), byte count, packed outputs.
		q.addr, q.qty = r.U16BE(), r.U16BE()
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		q.hasAddr, q.hasQty = true, true
		q.qtyInRange = q.qty >= 1 && q.qty <= 0x7B0
		if n > r.Len() {
			n = r.Len()
			q.vals, q.vkind = r.Bytes(n), valBits
			q.nvals = min(int(q.qty), 8*n)
			return probTruncated
		}
		q.vals, q.vkind = r.Bytes(n), valBits
		q.nvals = min(int(q.qty), 8*n)
		if n != (int(q.qty)+7)/8 {
			return probByteCount
		}
	case fcWriteMultipleRegisters:
		// §6.12: starting address, quantity (1..123), byte count (2 x quantity), registers.
		q.addr, q.qty = r.U16BE(), r.U16BE()
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		q.hasAddr, q.hasQty = true, true
		q.qtyInRange = q.qty >= 1 && q.qty <= 123
		trunc := n > r.Len()
		if trunc {
			n = r.Len()
		}
		q.vals, q.vkind = r.Bytes(n&^1), valRegs
		q.nvals = len(q.vals) / 2
		if trunc {
			return probTruncated
		}
		r.Skip(n & 1)
		if n != 2*int(q.qty) {
			return probByteCount
		}
	case fcReadFileRecord:
		// §6.14: byte count (0x07..0xF5), sub-requests of 7 bytes: reference type 6, file
		// number, record number, record length.
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		trunc := n > r.Len()
		sub := r.Sub(min(n, r.Len()))
		for sub.Len() >= 7 {
			ref := sub.U8()
			sub.Skip(6)
			q.nrefs++
			if ref != 6 {
				return probFileReference
			}
		}
		q.hasQty, q.qty = true, uint16(q.nrefs)
		if trunc {
			return probTruncated
		}
		if n%7 != 0 {
			return probByteCount
		}
	case fcWriteFileRecord:
		// §6.15: byte count, sub-requests: reference type 6, file number, record number,
		// record length (registers), record data.
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		trunc := n > r.Len()
		sub := r.Sub(min(n, r.Len()))
		for sub.Len() > 0 {
			ref := sub.U8()
			file, rec, words := sub.U16BE(), sub.U16BE(), sub.U16BE()
			sub.Skip(2 * int(words))
			if sub.Err() != nil {
				return probTruncated
			}
			if q.nrefs == 0 {
				// The first sub-request stands for the write in events: file and record.
				q.fileNum, q.recordNum, q.recordLen = file, rec, words
			}
			q.nrefs++
			if ref != 6 {
				return probFileReference
			}
		}
		q.hasQty, q.qty = true, uint16(q.nrefs)
		if trunc {
			return probTruncated
		}
	case fcMaskWriteRegister:
		// §6.16: reference address, AND mask, OR mask.
		q.addr, q.andMask, q.orMask = r.U16BE(), r.U16BE(), r.U16BE()
		if r.Err() != nil {
			return probTruncated
		}
		q.hasAddr = true
	case fcReadWriteMultipleRegisters:
		// §6.17: read address, read quantity (1..125), write address, write quantity
		// (1..121), byte count (2 x write quantity), write registers.
		q.readAddr, q.readQty = r.U16BE(), r.U16BE()
		q.writeAddr, q.writeQty = r.U16BE(), r.U16BE()
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		q.qtyInRange = q.readQty >= 1 && q.readQty <= 125 && q.writeQty >= 1 && q.writeQty <= 121
		trunc := n > r.Len()
		if trunc {
			n = r.Len()
		}
		q.writeRegs = r.Bytes(n &^ 1)
		if trunc {
			return probTruncated
		}
		r.Skip(n & 1)
		if n != 2*int(q.writeQty) {
			return probByteCount
		}
	case fcReadFIFOQueue:
		// §6.18: FIFO pointer address.
		q.addr = r.U16BE()
		if r.Err() != nil {
			return probTruncated
		}
		q.hasAddr = true
	case fcEncapInterfaceTransport:
		// §6.19-6.21: MEI type, MEI data (for 14: read device id code, object id).
		q.mei = r.U8()
		if r.Err() != nil {
			return probTruncated
		}
		q.hasMEI = true
		q.data = r.Rest()
		if q.mei == meiReadDeviceID && len(q.data) < 2 {
			return probTruncated
		}
		return ""
	case fcReadExceptionStatus, fcGetCommEventCounter, fcGetCommEventLog, fcReportServerID:
		// §6.7, 6.9, 6.10, 6.13: no data.
	default:
		// Unknown or vendor function: the data is opaque.
		q.data = data
		return ""
	}
	if r.Len() > 0 {
		return probTrailing
	}
	return ""
}

// parseResponse decodes a normal (non-exception) response body of function fc.
// Spec: MODBUS Application Protocol V1.1b3 §6.
func parseResponse(fc FuncCode, data []byte, q *body) string {
	switch fc {
	case fcWriteSingleCoil, fcWriteSingleRegister, fcDiagnostics, fcMaskWriteRegister:
		// §6.5, 6.6, 6.8, 6.16: the normal response is an echo of the request.
		return parseRequest(fc, data, q)
	}
	*q = body{qtyInRange: true, coilValid: true}
	r := wire.New(data)
	switch fc {
	case fcReadCoils, fcReadDiscreteInputs:
		// §6.1-6.2: byte count, packed bits.
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		trunc := n > r.Len()
		if trunc {
			n = r.Len()
		}
		q.vals, q.vkind, q.nvals = r.Bytes(n), valBits, 8*n
		if trunc {
			return probTruncated
		}
	case fcReadHoldingRegisters, fcReadInputRegisters, fcReadWriteMultipleRegisters:
		// §6.3, 6.4, 6.17: byte count (2 x N), registers.
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		trunc := n > r.Len()
		if trunc {
			n = r.Len()
		}
		q.vals, q.vkind = r.Bytes(n&^1), valRegs
		q.nvals = len(q.vals) / 2
		if trunc {
			return probTruncated
		}
		r.Skip(n & 1)
		if n&1 != 0 {
			return probOddByteCount
		}
	case fcReadExceptionStatus:
		// §6.7: output data (one byte of exception status bits).
		q.value = uint16(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		q.vkind, q.nvals = valCount, 1
	case fcGetCommEventCounter:
		// §6.9: status word, event count.
		r.U16BE()
		q.value = r.U16BE()
		if r.Err() != nil {
			return probTruncated
		}
		q.vkind, q.nvals = valCount, 1
	case fcGetCommEventLog:
		// §6.10: byte count, status, event count, message count, events.
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		if n != r.Len() {
			return probByteCount
		}
		return ""
	case fcWriteMultipleCoils, fcWriteMultipleRegisters:
		// §6.11-6.12: starting address, quantity.
		q.addr, q.qty = r.U16BE(), r.U16BE()
		if r.Err() != nil {
			return probTruncated
		}
		q.hasAddr, q.hasQty = true, true
	case fcReportServerID:
		// §6.13: byte count, server id (device specific), run indicator, additional data.
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		trunc := n > r.Len()
		if trunc {
			n = r.Len()
		}
		q.data = r.Bytes(n)
		if trunc {
			return probTruncated
		}
	case fcReadFileRecord:
		// §6.14: response data length, sub-responses: file response length, reference type,
		// record data.
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		sub := r.Sub(min(n, r.Len()))
		for sub.Len() > 0 {
			l := int(sub.U8())
			ref := sub.U8()
			sub.Skip(l - 1)
			if sub.Err() != nil {
				return probTruncated
			}
			q.nrefs++
			if ref != 6 {
				return probFileReference
			}
		}
		if n > len(data)-1 {
			return probTruncated
		}
	case fcWriteFileRecord:
		// §6.15: echo of the request.
		n := int(r.U8())
		if r.Err() != nil {
			return probTruncated
		}
		if n > r.Len() {
			return probTruncated
		}
		r.Skip(n)
	case fcReadFIFOQueue:
		// §6.18: byte count (u16), FIFO count (<= 31), FIFO value registers.
		n := int(r.U16BE())
		q.fifoCount = r.U16BE()
		if r.Err() != nil {
			return probTruncated
		}
		q.hasQty, q.qty = true, q.fifoCount
		k := min(int(q.fifoCount)*2, r.Len())
		q.vals, q.vkind = r.Bytes(k), valRegs
		q.nvals = len(q.vals) / 2
		if n != 2+2*int(q.fifoCount) || k < int(q.fifoCount)*2 {
			return probByteCount
		}
	case fcEncapInterfaceTransport:
		q.mei = r.U8()
		if r.Err() != nil {
			return probTruncated
		}
		q.hasMEI = true
		q.data = r.Rest()
		return ""
	default:
		q.data = data
		return ""
	}
	if r.Len() > 0 {
		return probTrailing
	}
	return ""
}

// deviceID is the fixed part of a Read Device Identification response (§6.21).
type deviceID struct {
	code       uint8 // read device id code (1 basic, 2 regular, 3 extended, 4 specific)
	conformity uint8
	more       uint8 // 0xFF: more objects follow in another transaction
	next       uint8 // next object id to ask for
	count      uint8 // number of objects in this response
	objects    []byte
}

// parseDeviceID decodes the MEI data of an FC 43 / MEI 14 response. Walk the objects with
// nextObject.
func parseDeviceID(data []byte) (d deviceID, ok bool) {
	r := wire.New(data)
	d.code, d.conformity, d.more, d.next, d.count = r.U8(), r.U8(), r.U8(), r.U8(), r.U8()
	if r.Err() != nil {
		return d, false
	}
	d.objects = r.Rest()
	return d, true
}

// nextObject returns the first object of b (id, value) and the rest. ok is false when b
// holds no complete object.
func nextObject(b []byte) (id uint8, value, rest []byte, ok bool) {
	if len(b) < 2 || len(b) < 2+int(b[1]) {
		return 0, nil, b, false
	}
	n := int(b[1])
	return b[0], b[2 : 2+n], b[2+n:], true
}
