package modbus

import (
	"testing"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want header
		prob headerProblem
	}{
		{"request", []byte{
			0x12, 0x34, // transaction id 0x1234
			0x00, 0x00, // protocol id 0
			0x00, 0x06, // length 6
			0x11, // unit 17
			0x03, // function code
		}, header{tid: 0x1234, length: 6, unit: 17, fc: 3}, hdrOK},
		{"header without function code", []byte{0, 1, 0, 0, 0, 6, 1}, header{tid: 1, length: 6, unit: 1}, hdrShort},
		{"short", []byte{0, 1, 0, 0, 0}, header{}, hdrShort},
		{"protocol id 1", []byte{0, 1, 0, 1, 0, 6, 1, 3}, header{tid: 1, pid: 1, length: 6, unit: 1}, hdrProtocolID},
		{"length 1", []byte{0, 1, 0, 0, 0, 1, 1, 3}, header{tid: 1, length: 1, unit: 1}, hdrLength},
		{"length 255", []byte{0, 1, 0, 0, 0, 0xff, 1, 3}, header{tid: 1, length: 255, unit: 1}, hdrLength},
		{"length 254", []byte{0, 1, 0, 0, 0, 0xfe, 1, 3}, header{tid: 1, length: 254, unit: 1, fc: 3}, hdrOK},
	}
	for _, tc := range tests {
		h, prob := parseHeader(tc.in)
		if prob != tc.prob || (prob != hdrShort || len(tc.in) >= mbapLen) && h != tc.want {
			t.Errorf("%s: got %+v %v, want %+v %v", tc.name, h, prob, tc.want, tc.prob)
		}
	}
}

func TestParseBodies(t *testing.T) {
	tests := []struct {
		name     string
		response bool
		fc       FuncCode
		in       []byte
		prob     string
		check    func(q *body) bool
	}{
		{"read coils request", false, fcReadCoils, []byte{
			0x00, 0x13, // starting address 19
			0x00, 0x13, // quantity 19
		}, "", func(q *body) bool { return q.hasAddr && q.addr == 19 && q.qty == 19 && q.qtyInRange }},
		{"read coils quantity 2001", false, fcReadCoils, []byte{0, 0, 0x07, 0xd1}, "", func(q *body) bool { return !q.qtyInRange }},
		{"read coils response", true, fcReadCoils, []byte{
			0x03,             // byte count 3
			0xcd, 0x6b, 0x05, // coils 20..38
		}, "", func(q *body) bool { return q.vkind == valBits && q.nvals == 24 && q.vals[0] == 0xcd }},
		{"read holding response", true, fcReadHoldingRegisters, []byte{
			0x06,       // byte count 6
			0x02, 0x2b, // 555
			0x00, 0x00, // 0
			0x00, 0x64, // 100
		}, "", func(q *body) bool { return q.vkind == valRegs && q.nvals == 3 }},
		{"read holding response truncated", true, fcReadHoldingRegisters, []byte{0x06, 0x02, 0x2b}, probTruncated,
			func(q *body) bool { return q.nvals == 1 }},
		{"write single coil off", false, fcWriteSingleCoil, []byte{0x00, 0xac, 0x00, 0x00}, "",
			func(q *body) bool { return q.coilValid && q.value == 0 && q.addr == 172 }},
		{"write single coil invalid", false, fcWriteSingleCoil, []byte{0x00, 0xac, 0x12, 0x00}, "",
			func(q *body) bool { return !q.coilValid }},
		{"write multiple coils", false, fcWriteMultipleCoils, []byte{
			0x00, 0x13, // starting address 19
			0x00, 0x0a, // quantity 10
			0x02,       // byte count 2
			0xcd, 0x01, // outputs
		}, "", func(q *body) bool { return q.nvals == 10 && q.vkind == valBits }},
		{"write multiple coils byte count", false, fcWriteMultipleCoils, []byte{0, 0x13, 0, 0x0a, 0x01, 0xcd}, probByteCount, nil},
		{"write multiple registers", false, fcWriteMultipleRegisters, []byte{
			0x00, 0x01, // starting address 1
			0x00, 0x02, // quantity 2
			0x04,                   // byte count 4
			0x00, 0x0a, 0x01, 0x02, // 10, 258
		}, "", func(q *body) bool { return q.nvals == 2 && q.qty == 2 }},
		{"trailing bytes", false, fcReadHoldingRegisters, []byte{0, 1, 0, 1, 0xff}, probTrailing, nil},
		{"mask write", false, fcMaskWriteRegister, []byte{
			0x00, 0x04, // reference address 4
			0x00, 0xf2, // AND mask
			0x00, 0x25, // OR mask
		}, "", func(q *body) bool { return q.addr == 4 && q.andMask == 0xf2 && q.orMask == 0x25 }},
		{"read/write multiple", false, fcReadWriteMultipleRegisters, []byte{
			0x00, 0x03, // read starting address 3
			0x00, 0x06, // quantity to read 6
			0x00, 0x0e, // write starting address 14
			0x00, 0x03, // quantity to write 3
			0x06, // write byte count
			0x00, 0xff, 0x00, 0xff, 0x00, 0xff,
		}, "", func(q *body) bool {
			return q.readAddr == 3 && q.readQty == 6 && q.writeAddr == 14 && len(q.writeRegs) == 6
		}},
		{"read file record", false, fcReadFileRecord, []byte{
			0x0e,                                     // byte count 14
			0x06, 0x00, 0x04, 0x00, 0x01, 0x00, 0x02, // ref 6, file 4, record 1, length 2
			0x06, 0x00, 0x03, 0x00, 0x09, 0x00, 0x02, // ref 6, file 3, record 9, length 2
		}, "", func(q *body) bool { return q.nrefs == 2 && q.qty == 2 }},
		{"read file record bad reference", false, fcReadFileRecord, []byte{0x07, 0x05, 0, 4, 0, 1, 0, 2}, probFileReference, nil},
		{"write file record", false, fcWriteFileRecord, []byte{
			0x0d,                                     // byte count 13
			0x06, 0x00, 0x04, 0x00, 0x07, 0x00, 0x03, // ref 6, file 4, record 7, 3 registers
			0x06, 0xaf, 0x04, 0xbe, 0x10, 0x0d,
		}, "", func(q *body) bool { return q.nrefs == 1 && q.fileNum == 4 && q.recordNum == 7 && q.recordLen == 3 }},
		{"fifo response", true, fcReadFIFOQueue, []byte{
			0x00, 0x06, // byte count 6
			0x00, 0x02, // FIFO count 2
			0x01, 0xb8, 0x12, 0x84,
		}, "", func(q *body) bool { return q.fifoCount == 2 && q.nvals == 2 }},
		{"diagnostics", false, fcDiagnostics, []byte{0x00, 0x00, 0xa5, 0x37}, "",
			func(q *body) bool { return q.hasSub && q.sub == 0 && len(q.data) == 2 }},
		{"device id request", false, fcEncapInterfaceTransport, []byte{0x0e, 0x01, 0x00}, "",
			func(q *body) bool { return q.hasMEI && q.mei == 14 && len(q.data) == 2 }},
		{"device id request truncated", false, fcEncapInterfaceTransport, []byte{0x0e, 0x01}, probTruncated, nil},
		{"get comm event log response", true, fcGetCommEventLog, []byte{0x08, 0, 0, 1, 8, 1, 0x21, 0x20, 0x00}, "", nil},
	}
	for _, tc := range tests {
		var q body
		var prob string
		if tc.response {
			prob = parseResponse(tc.fc, tc.in, &q)
		} else {
			prob = parseRequest(tc.fc, tc.in, &q)
		}
		if prob != tc.prob {
			t.Errorf("%s: problem %q, want %q", tc.name, prob, tc.prob)
		}
		if tc.check != nil && !tc.check(&q) {
			t.Errorf("%s: unexpected body %+v", tc.name, q)
		}
	}
}

func TestDeviceIDObjects(t *testing.T) {
	d, ok := parseDeviceID([]byte{
		0x01,                      // read device id code
		0x01,                      // conformity level
		0x00,                      // more follows
		0x00,                      // next object id
		0x02,                      // number of objects
		0x00, 0x03, 'A', 'B', 'C', // VendorName "ABC"
		0x01, 0x05, 'P', 'C', // ProductCode, declared 5 bytes, 2 present
	})
	if !ok || d.count != 2 {
		t.Fatalf("parseDeviceID = %+v, %v", d, ok)
	}
	id, v, rest, ok := nextObject(d.objects)
	if !ok || id != 0 || string(v) != "ABC" {
		t.Fatalf("first object %d %q %v", id, v, ok)
	}
	if _, _, _, ok := nextObject(rest); ok {
		t.Errorf("truncated second object accepted")
	}
	// A truncated response logs what it has and reports the truncation.
	r := adu(5, 1, 0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, 0x02, 0x00, 0x03, 'A', 'B', 'C', 0x01, 0x05, 'P', 'C')
	c, _ := run(t, req(adu(5, 1, 0x2b, 0x0e, 0x01, 0x00)), resp(r))
	if n := len(c.Logs("modbus_read_device_identification")); n != 2 {
		t.Errorf("%d device id lines, want 2 (request, one object)", n)
	}
	if n := c.WeirdCounts()[weirdMalformedPDU]; n != 1 {
		t.Errorf("%d malformed weirds, want 1", n)
	}
}
