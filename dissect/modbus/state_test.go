package modbus

import (
	"fmt"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// Annotated ADUs used by several tests. They are the transactions of ICSNPP's
// modbus_example.pcap, where the baseline says what each one logs.
var (
	readHoldingReq = []byte{
		0x00, 0x06, // transaction id 6
		0x00, 0x00, // protocol id 0
		0x00, 0x06, // length 6
		0x05,       // unit 5
		0x03,       // READ_HOLDING_REGISTERS
		0x00, 0x01, // starting address 1
		0x00, 0x08, // quantity 8
	}
	readHoldingResp = []byte{
		0x00, 0x06, 0x00, 0x00, 0x00, 0x13, 0x05, // MBAP: tid 6, length 19, unit 5
		0x03,       // READ_HOLDING_REGISTERS
		0x10,       // byte count 16
		0x00, 0xaa, // 170
		0x00, 0xaa, // 170
		0x00, 0xbb, // 187
		0x00, 0xcc, // 204
		0xef, 0x84, // 61316
		0xe3, 0xeb, // 58347
		0x9f, 0x8b, // 40843
		0xe4, 0xc1, // 58561
	}
	readCoilsReq = []byte{
		0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x04, // MBAP: tid 1, length 6, unit 4
		0x01,       // READ_COILS
		0x00, 0x01, // starting address 1
		0x00, 0x01, // quantity 1
	}
	readCoilsResp = []byte{
		0x00, 0x01, 0x00, 0x00, 0x00, 0x04, 0x04, // MBAP: tid 1, length 4, unit 4
		0x01, // READ_COILS
		0x01, // byte count 1
		0x01, // coil 1 on, 7 padding bits
	}
	exceptionReq = []byte{
		0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x00, // MBAP: tid 1, length 6, unit 0
		0x03,       // READ_HOLDING_REGISTERS
		0x02, 0x58, // starting address 600
		0x00, 0x0a, // quantity 10
	}
	exceptionResp = []byte{
		0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x00, // MBAP: tid 1, length 3, unit 0
		0x83, // READ_HOLDING_REGISTERS | exception bit
		0x02, // ILLEGAL_DATA_ADDRESS
	}
	maskWriteReq = []byte{
		0x00, 0x12, 0x00, 0x00, 0x00, 0x08, 0x04, // MBAP: tid 18, length 8, unit 4
		0x16,       // MASK_WRITE_REGISTER
		0x00, 0x0a, // reference address 10
		0xde, 0xad, // AND mask 57005
		0x00, 0x00, // OR mask 0
	}
	rwReq = []byte{
		0x00, 0x15, 0x00, 0x00, 0x00, 0x11, 0x06, // MBAP: tid 21, length 17, unit 6
		0x17,       // READ_WRITE_MULTIPLE_REGISTERS
		0x00, 0x01, // read starting address 1
		0x00, 0x04, // quantity to read 4
		0x00, 0x02, // write starting address 2
		0x00, 0x03, // quantity to write 3
		0x06,                               // write byte count 6
		0x00, 0xaa, 0x00, 0xbb, 0x00, 0xcc, // 170, 187, 204
	}
	rwResp = []byte{
		0x00, 0x15, 0x00, 0x00, 0x00, 0x0b, 0x06, // MBAP: tid 21, length 11, unit 6
		0x17,                                           // READ_WRITE_MULTIPLE_REGISTERS
		0x08,                                           // byte count 8
		0x00, 0xaa, 0x00, 0xaa, 0x00, 0xbb, 0x00, 0xcc, // 170, 170, 187, 204
	}
	devIDReq = []byte{
		0x00, 0x17, 0x00, 0x00, 0x00, 0x05, 0x01, // MBAP: tid 23, length 5, unit 1
		0x2b, // ENCAP_INTERFACE_TRANSPORT
		0x0e, // MEI type 14: Read Device Identification
		0x01, // read device id code 1 (basic)
		0x00, // object id 0 (VendorName)
	}
	devIDResp = cat([]byte{
		0x00, 0x17, 0x00, 0x00, 0x00, 0x3d, 0x01, // MBAP: tid 23, length 61, unit 1
		0x2b,       // ENCAP_INTERFACE_TRANSPORT
		0x0e,       // MEI type 14
		0x01,       // read device id code 1
		0x83,       // conformity level 0x83
		0x00,       // more follows: no
		0x00,       // next object id
		0x03,       // number of objects
		0x00, 0x10, // object 0 (VendorName), 16 bytes
	}, []byte("Zeek Modbus Test"),
		[]byte{0x01, 0x18}, []byte("Protocol Parsing is fun!"), // object 1 (ProductCode), 24 bytes
		[]byte{0x02, 0x07}, []byte("1.2.3.6"), // object 2 (MajorMinorRevision), 7 bytes
	)
)

func TestReadHoldingRegisters(t *testing.T) {
	c, env := run(t, req(readHoldingReq), resp(readHoldingResp))
	ml := c.Logs("modbus")
	if len(ml) != 2 {
		t.Fatalf("modbus.log: %d lines, want 2", len(ml))
	}
	dissecttest.Want(t, "request", ml[0], "tid", "6", "unit", "5", "func", "READ_HOLDING_REGISTERS", "pdu_type", "REQ", "exception", "",
		"id.orig_h", "10.0.0.1", "id.resp_p", "502")
	dissecttest.Want(t, "response", ml[1], "tid", "6", "unit", "5", "func", "READ_HOLDING_REGISTERS", "pdu_type", "RESP")
	dl := c.Logs("modbus_detailed")
	if len(dl) != 1 {
		t.Fatalf("modbus_detailed.log: %d lines, want 1", len(dl))
	}
	dissecttest.Want(t, "detailed", dl[0], "tid", "6", "unit", "5", "func", "READ_HOLDING_REGISTERS", "address", "1", "quantity", "8",
		"request_values", "", "response_values", "[170,170,187,204,61316,58347,40843,58561]", "matched", "true")
	if env.PDUs != 2 {
		t.Errorf("PDUs = %d, want 2", env.PDUs)
	}
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v, want none", w)
	}
	roles := facts(c, dissect.AttrRole)
	if len(roles) != 2 || roles[0].Side != dissect.Resp || roles[0].Value != "modbus_server" ||
		roles[1].Side != dissect.Orig || roles[1].Value != "modbus_client" {
		t.Errorf("role facts %+v", roles)
	}
	st := facts(c, dissect.AttrStationAddr)
	if len(st) != 1 || st[0].Value != "5" || st[0].Side != dissect.Resp {
		t.Errorf("station facts %+v, want unit 5 about the server", st)
	}
}

func TestReadCoilsPadding(t *testing.T) {
	c, _ := run(t, req(readCoilsReq), resp(readCoilsResp))
	dl := c.Logs("modbus_detailed")
	if len(dl) != 1 {
		t.Fatalf("modbus_detailed.log: %d lines, want 1", len(dl))
	}
	// ICSNPP baseline: response_values 1, response_data 0,0,0,0,0,0,0 (the padding bits).
	dissecttest.Want(t, "detailed", dl[0], "func", "READ_COILS", "address", "1", "quantity", "1",
		"response_values", "[1]", "response_data", "0,0,0,0,0,0,0", "matched", "true")
}

func TestExceptionResponse(t *testing.T) {
	c, _ := run(t, req(exceptionReq), resp(exceptionResp))
	ml := c.Logs("modbus")
	if len(ml) != 2 {
		t.Fatalf("modbus.log: %d lines, want 2", len(ml))
	}
	dissecttest.Want(t, "exception", ml[1], "tid", "1", "unit", "0", "func", "READ_HOLDING_REGISTERS_EXCEPTION",
		"pdu_type", "RESP", "exception", "ILLEGAL_DATA_ADDRESS")
	dl := c.Logs("modbus_detailed")
	if len(dl) != 1 {
		t.Fatalf("modbus_detailed.log: %d lines, want 1", len(dl))
	}
	dissecttest.Want(t, "detailed", dl[0], "func", "READ_HOLDING_REGISTERS", "address", "600", "quantity", "10",
		"matched", "true", "exception_code", "ILLEGAL_DATA_ADDRESS")
	ev := events(c, dissect.EvException)
	if len(ev) != 1 || ev[0].Src != dissect.Resp || ev[0].Detail != "READ_HOLDING_REGISTERS ILLEGAL_DATA_ADDRESS unit=0" {
		t.Errorf("exception events %+v", ev)
	}
	if n := c.WeirdCounts()[weirdExceptionResponse]; n != 1 {
		t.Errorf("%d %s, want 1", n, weirdExceptionResponse)
	}
	// Unit 0 is broadcast: no station address fact.
	if st := facts(c, dissect.AttrStationAddr); len(st) != 0 {
		t.Errorf("station facts %+v, want none for unit 0", st)
	}
}

func TestMaskWriteRegister(t *testing.T) {
	respB := append([]byte(nil), maskWriteReq...) // the response echoes the request
	c, _ := run(t, req(maskWriteReq), resp(respB))
	ml := c.Logs("modbus_mask_write_register")
	if len(ml) != 2 {
		t.Fatalf("mask write log: %d lines, want 2", len(ml))
	}
	dissecttest.Want(t, "request", ml[0], "is_orig", "true", "source_h", "10.0.0.1", "source_p", "50000",
		"destination_h", "10.0.0.2", "destination_p", "502", "tid", "18", "unit", "4",
		"func", "MASK_WRITE_REGISTER", "request_response", "REQUEST", "address", "10", "and_mask", "57005", "or_mask", "0")
	dissecttest.Want(t, "response", ml[1], "is_orig", "false", "source_h", "10.0.0.2", "source_p", "502",
		"destination_h", "10.0.0.1", "request_response", "RESPONSE", "address", "10", "and_mask", "57005")
	link := ml[0].Get("modbus_detailed_link_id")
	if len(link) != 16 || ml[1].Get("modbus_detailed_link_id") != link {
		t.Errorf("link ids %q / %q, want the same 16 characters", link, ml[1].Get("modbus_detailed_link_id"))
	}
	dl := c.Logs("modbus_detailed")
	if len(dl) != 1 {
		t.Fatalf("modbus_detailed.log: %d lines, want 1", len(dl))
	}
	dissecttest.Want(t, "detailed", dl[0], "func", "MASK_WRITE_REGISTER", "address", "10", "modbus_detailed_link_id", link, "matched", "true")
	ev := events(c, dissect.EvWrite)
	if len(ev) != 1 || ev[0].Src != dissect.Orig || ev[0].Detail != "MASK_WRITE_REGISTER unit=4 address=10 and_mask=57005 or_mask=0" {
		t.Errorf("write events %+v", ev)
	}
}

func TestReadWriteMultipleRegisters(t *testing.T) {
	c, _ := run(t, req(rwReq), resp(rwResp))
	rl := c.Logs("modbus_read_write_multiple_registers")
	if len(rl) != 2 {
		t.Fatalf("rw log: %d lines, want 2", len(rl))
	}
	dissecttest.Want(t, "request", rl[0], "request_response", "REQUEST", "write_start_address", "2", "write_registers", "[170,187,204]",
		"read_start_address", "1", "read_quantity", "4", "read_registers", "")
	dissecttest.Want(t, "response", rl[1], "request_response", "RESPONSE", "write_start_address", "", "read_registers", "[170,170,187,204]")
	dl := c.Logs("modbus_detailed")
	if len(dl) != 1 {
		t.Fatalf("modbus_detailed.log: %d lines, want 1", len(dl))
	}
	dissecttest.Want(t, "detailed", dl[0], "func", "READ_WRITE_MULTIPLE_REGISTERS", "address", "", "quantity", "",
		"request_values", "", "response_values", "", "matched", "true",
		"modbus_detailed_link_id", rl[0].Get("modbus_detailed_link_id"))
	ev := events(c, dissect.EvWrite)
	if len(ev) != 1 || ev[0].Detail != "READ_WRITE_MULTIPLE_REGISTERS unit=6 address=2 quantity=3" {
		t.Errorf("write events %+v", ev)
	}
}

func TestReadDeviceIdentification(t *testing.T) {
	c, _ := run(t, req(devIDReq), resp(devIDResp))
	dl := c.Logs("modbus_read_device_identification")
	if len(dl) != 4 {
		t.Fatalf("device id log: %d lines, want 4 (request + 3 objects)", len(dl))
	}
	dissecttest.Want(t, "request", dl[0], "request_response", "REQUEST", "mei_type", "READ-DEVICE-IDENTIFICATION",
		"device_id_code", "1", "object_id_code", "0x00", "object_id", "VendorName")
	dissecttest.Want(t, "object 0", dl[1], "request_response", "RESPONSE", "conformity_level_code", "0x83",
		"conformity_level", "Extended Identification (Stream, Individual)", "object_id_code", "0x00",
		"object_id", "VendorName", "object_value", "Zeek Modbus Test")
	dissecttest.Want(t, "object 1", dl[2], "object_id", "ProductCode", "object_value", "Protocol Parsing is fun!")
	dissecttest.Want(t, "object 2", dl[3], "object_id_code", "0x02", "object_id", "MajorMinorVersion", "object_value", "1.2.3.6")
	det := c.Logs("modbus_detailed")
	if len(det) != 1 {
		t.Fatalf("modbus_detailed.log: %d lines, want 1", len(det))
	}
	dissecttest.Want(t, "detailed", det[0], "func", "ENCAP_INTERFACE_TRANSPORT", "mei_type", "Read Device Identification",
		"matched", "true", "modbus_detailed_link_id", dl[0].Get("modbus_detailed_link_id"))
	for attr, v := range map[string]string{
		dissect.AttrVendor:      "Zeek Modbus Test",
		dissect.AttrProductCode: "Protocol Parsing is fun!",
		dissect.AttrFirmware:    "1.2.3.6",
	} {
		f := facts(c, attr)
		if len(f) != 1 || f[0].Value != v || f[0].Side != dissect.Resp {
			t.Errorf("%s facts %+v, want %q about the server", attr, f, v)
		}
	}
	if ev := events(c, dissect.EvScan); len(ev) != 1 || ev[0].Src != dissect.Orig ||
		ev[0].Detail != "ENCAP_INTERFACE_TRANSPORT Read Device Identification unit=1" {
		t.Errorf("scan events %+v", ev)
	}
	// The same identity polled again is not reported twice.
	c2, _ := run(t, req(devIDReq), resp(devIDResp), req(devIDReq), resp(devIDResp))
	if f := facts(c2, dissect.AttrVendor); len(f) != 1 {
		t.Errorf("polled identity: %d vendor facts, want 1", len(f))
	}
}

func TestReportServerID(t *testing.T) {
	// ICSNPP example: byte count 50, text, run indicator 0xFF at the end.
	data := append([]byte{50}, []byte("Zeek Modbus Test-Protocol Parsing is fun!-1.2.3.6")...)
	data = append(data, 0xff)
	c, _ := run(t, req(adu(15, 2, 0x11)), resp(adu(15, 2, 0x11, data...)))
	if f := facts(c, dissect.AttrSoftware); len(f) != 1 || f[0].Value != "Zeek Modbus Test-Protocol Parsing is fun!-1.2.3.6" {
		t.Errorf("software facts %+v", f)
	}
	if f := facts(c, dissect.AttrPLCMode); len(f) != 1 || f[0].Value != "run" {
		t.Errorf("run indicator facts %+v", f)
	}
	// Common layout: server id byte, run indicator OFF, additional data.
	c, _ = run(t, req(adu(1, 1, 0x11)), resp(adu(1, 1, 0x11, 8, 0x42, 0x00, 'M', '3', '4', '0', '-', 'X')))
	if f := facts(c, dissect.AttrPLCMode); len(f) != 1 || f[0].Value != "stop" {
		t.Errorf("run indicator facts %+v", f)
	}
	if f := facts(c, dissect.AttrSoftware); len(f) != 1 || f[0].Value != "M340-X" {
		t.Errorf("software facts %+v", f)
	}
	dl := c.Logs("modbus_detailed")
	if len(dl) != 1 {
		t.Fatalf("detailed: %d lines", len(dl))
	}
	dissecttest.Want(t, "detailed", dl[0], "func", "REPORT_SLAVE_ID", "response_data", `B\x00M340-X`, "matched", "true")
}

func TestWriteEvents(t *testing.T) {
	tests := []struct {
		name   string
		req    []byte
		kind   string
		detail string
	}{
		{"write single coil", []byte{
			0x00, 0x09, 0x00, 0x00, 0x00, 0x06, 0x06, // MBAP: tid 9, unit 6
			0x05,       // WRITE_SINGLE_COIL
			0x00, 0x01, // output address 1
			0xff, 0x00, // ON
		}, dissect.EvWrite, "WRITE_SINGLE_COIL unit=6 address=1 value=1"},
		{"write single register", []byte{
			0x00, 0x0a, 0x00, 0x00, 0x00, 0x06, 0x07, // MBAP: tid 10, unit 7
			0x06,       // WRITE_SINGLE_REGISTER
			0x00, 0x01, // register address 1
			0xab, 0xcd, // value 43981
		}, dissect.EvWrite, "WRITE_SINGLE_REGISTER unit=7 address=1 value=43981"},
		{"write multiple coils", []byte{
			0x00, 0x0d, 0x00, 0x00, 0x00, 0x08, 0x07, // MBAP: tid 13, unit 7
			0x0f,       // WRITE_MULTIPLE_COILS
			0x00, 0x01, // starting address 1
			0x00, 0x04, // quantity 4
			0x01, // byte count 1
			0x09, // 1,0,0,1
		}, dissect.EvWrite, "WRITE_MULTIPLE_COILS unit=7 address=1 quantity=4"},
		{"write multiple registers", []byte{
			0x00, 0x0e, 0x00, 0x00, 0x00, 0x0f, 0x07, // MBAP: tid 14, unit 7
			0x10,       // WRITE_MULTIPLE_REGISTERS
			0x00, 0x01, // starting address 1
			0x00, 0x04, // quantity 4
			0x08,                                           // byte count 8
			0x00, 0xaa, 0x00, 0xbb, 0x00, 0xcc, 0x00, 0xdd, // 170,187,204,221
		}, dissect.EvWrite, "WRITE_MULTIPLE_REGISTERS unit=7 address=1 quantity=4"},
		{"write file record", []byte{
			0x00, 0x11, 0x00, 0x00, 0x00, 0x0c, 0x08, // MBAP: tid 17, length 12, unit 8
			0x15,       // WRITE_FILE_RECORD
			0x09,       // request data length 9
			0x06,       // reference type 6
			0x00, 0x04, // file 4
			0x00, 0x07, // record 7
			0x00, 0x01, // record length 1
			0x06, 0xaf, // data
		}, dissect.EvWrite, "WRITE_FILE_RECORD unit=8 file=4 record=7 quantity=1 records=1"},
		{"restart communications", []byte{
			0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, // MBAP: tid 1, unit 1
			0x08,       // DIAGNOSTICS
			0x00, 0x01, // Restart Communications Option
			0xff, 0x00, // clear the event log
		}, dissect.EvRestart, "DIAGNOSTICS Restart Communications Option unit=1"},
		{"force listen only", []byte{
			0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, // MBAP: tid 1, unit 1
			0x08,       // DIAGNOSTICS
			0x00, 0x04, // Force Listen Only Mode
			0x00, 0x00,
		}, dissect.EvDiagnostic, "DIAGNOSTICS Force Listen Only Mode unit=1"},
		{"report server id", adu(3, 1, 0x11), dissect.EvScan, "REPORT_SLAVE_ID unit=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := run(t, req(tc.req))
			if len(c.Events) != 1 || c.Events[0].Kind != tc.kind || c.Events[0].Detail != tc.detail || c.Events[0].Src != dissect.Orig {
				t.Errorf("events %+v, want one %s %q from the client", c.Events, tc.kind, tc.detail)
			}
			if w := c.WeirdNames(); len(w) != 0 {
				t.Errorf("weirds %v", w)
			}
			dl := c.Logs("modbus_detailed")
			if len(dl) != 1 || dl[0].Get("matched") != "false" {
				t.Errorf("unanswered request: detailed %v, want one line with matched false", dl)
			}
		})
	}
}

func TestDetailedValues(t *testing.T) {
	tests := []struct {
		name string
		req  []byte
		resp []byte
		kv   []string
	}{
		{"write multiple coils", adu(13, 7, 0x0f, 0, 1, 0, 4, 1, 0x09), adu(13, 7, 0x0f, 0, 1, 0, 4),
			[]string{"address", "1", "quantity", "4", "request_values", "[1,0,0,1]", "response_values", "", "matched", "true"}},
		{"write single coil", adu(9, 6, 0x05, 0, 1, 0xff, 0), adu(9, 6, 0x05, 0, 1, 0xff, 0),
			[]string{"address", "1", "quantity", "1", "request_values", "[1]", "response_values", "[1]"}},
		{"diagnostics", adu(12, 2, 0x08, 0, 2, 0, 0), adu(12, 2, 0x08, 0, 2, 0, 0),
			[]string{"address", "", "request_subfunction_code", "Return Diagnostic Register",
				"response_subfunction_code", "Return Diagnostic Register", "request_data", `\x00\x00`, "response_data", `\x00\x00`}},
		{"read fifo queue", adu(22, 10, 0x18, 0, 0), adu(22, 10, 0x18, 0, 6, 0, 2, 0x12, 0x34, 0x56, 0x78),
			[]string{"address", "0", "quantity", "2", "response_values", "[4660,22136]"}},
		{"read file record", adu(16, 8, 0x14, 0), adu(16, 8, 0x14, 0),
			[]string{"address", "", "quantity", "0", "matched", "true"}},
		{"read exception status", adu(11, 2, 0x07), adu(11, 2, 0x07, 0x6d),
			[]string{"response_values", "[109]", "matched", "true"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := run(t, req(tc.req), resp(tc.resp))
			dl := c.Logs("modbus_detailed")
			if len(dl) != 1 {
				t.Fatalf("detailed: %d lines, want 1", len(dl))
			}
			dissecttest.Want(t, tc.name, dl[0], tc.kv...)
			if w := c.WeirdNames(); len(w) != 0 {
				t.Errorf("weirds %v", w)
			}
		})
	}
}

func TestAnomalies(t *testing.T) {
	tests := []struct {
		name    string
		steps   []step
		weird   string
		modbus  int // modbus.log lines expected
		comment string
	}{
		{"unmatched response", []step{req(adu(1, 1, 3, 0, 0, 0, 1)), resp(adu(1, 1, 3, 2, 0, 7)), resp(adu(9, 1, 3, 2, 0, 7))},
			weirdUnmatchedResponse, 3, ""},
		{"function mismatch", []step{req(adu(1, 1, 3, 0, 0, 0, 1)), resp(adu(1, 1, 4, 2, 0, 7))},
			weirdFunctionMismatch, 2, ""},
		{"reserved function", []step{req(adu(1, 1, 0x37, 1, 2))}, weirdUnknownFunction, 1, ""},
		{"exception bit in a request", []step{req(adu(1, 1, 0x83, 2))}, weirdExceptionRequest, 0, ""},
		{"invalid coil value", []step{req(adu(1, 1, 5, 0, 1, 0x12, 0x34))}, weirdInvalidCoilValue, 1, ""},
		{"quantity out of range", []step{req(adu(1, 1, 3, 0, 0, 0, 200))}, weirdQuantityOutOfRange, 1, ""},
		{"byte count mismatch", []step{req(adu(1, 1, 0x10, 0, 1, 0, 2, 3, 0, 1, 0))}, weirdMalformedPDU, 1, ""},
		{"truncated request", []step{req(adu(1, 1, 3, 0, 0))}, weirdMalformedPDU, 1, ""},
		{"odd register byte count", []step{req(adu(1, 1, 3, 0, 0, 0, 1)), resp(adu(1, 1, 3, 3, 0, 7, 0))}, weirdMalformedPDU, 2, ""},
		{"unknown diagnostics sub-function", []step{req(adu(1, 1, 8, 0, 0x30, 0, 0))}, weirdDiagUnknownSubfunc, 1, ""},
		{"invalid diagnostics data", []step{req(adu(1, 1, 8, 0, 0x0a, 0, 1))}, weirdDiagInvalidData, 1, ""},
		{"length too large", []step{req(cat([]byte{0, 1, 0, 0, 0x01, 0x00, 1, 3}, adu(2, 1, 3, 0, 0, 0, 1)))},
			weirdInvalidLength, 1, "resyncs on the valid ADU that follows"},
		{"length too small", []step{req(cat([]byte{0, 1, 0, 0, 0, 1, 1}, adu(2, 1, 3, 0, 0, 0, 1)))},
			weirdInvalidLength, 1, "resyncs on the valid ADU that follows"},
		{"protocol id", []step{req(adu(1, 1, 3, 0, 0, 0, 1)), req(cat([]byte{0, 2, 0, 7, 0, 6, 1, 3, 0, 0, 0, 1}, adu(3, 1, 3, 0, 0, 0, 1)))},
			weirdInvalidProtocolID, 2, "resyncs on the valid ADU that follows"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := run(t, tc.steps...)
			if n := c.WeirdCounts()[tc.weird]; n != 1 {
				t.Errorf("%d %s in %v, want 1", n, tc.weird, c.WeirdNames())
			}
			if n := len(c.Logs("modbus")); n != tc.modbus {
				t.Errorf("modbus.log: %d lines, want %d", n, tc.modbus)
			}
		})
	}
}

func TestUnmatchedLenientAtStartAndAfterGap(t *testing.T) {
	// A capture that starts mid-conversation: the first response has no visible request.
	c, _ := run(t, resp(adu(1, 1, 3, 2, 0, 7)), req(adu(2, 1, 3, 0, 0, 0, 1)), resp(adu(2, 1, 3, 2, 0, 7)))
	if n := c.WeirdCounts()[weirdUnmatchedResponse]; n != 0 {
		t.Errorf("%d unmatched-response weirds at flow start, want 0", n)
	}
	if dl := c.Logs("modbus_detailed"); len(dl) != 2 || dl[0].Get("matched") != "false" || dl[1].Get("matched") != "true" {
		t.Errorf("detailed %v", dl)
	}

	env, c := dissecttest.NewEnv("modbus", dissecttest.Flow(6, 502))
	s := &dissecttest.Stream{P: newParser(env)}
	s.Write(t, dissect.Orig, adu(1, 1, 3, 0, 0, 0, 1))
	s.Write(t, dissect.Resp, adu(1, 1, 3, 2, 0, 7))
	s.Gap(dissect.Orig, 100) // request 2 lost
	s.Write(t, dissect.Resp, adu(2, 1, 3, 2, 0, 7))
	if n := c.WeirdCounts()[weirdUnmatchedResponse]; n != 0 {
		t.Errorf("%d unmatched-response weirds after a gap, want 0", n)
	}
	s.Write(t, dissect.Orig, adu(3, 1, 3, 0, 0, 0, 1))
	s.Write(t, dissect.Resp, adu(3, 1, 3, 2, 0, 7))
	s.Write(t, dissect.Resp, adu(4, 1, 3, 2, 0, 7))
	if n := c.WeirdCounts()[weirdUnmatchedResponse]; n != 1 {
		t.Errorf("%d unmatched-response weirds once resynchronised, want 1", n)
	}
}

func TestRequestFlood(t *testing.T) {
	var steps []step
	for i := 0; i < maxPending+10; i++ {
		steps = append(steps, req(adu(uint16(i), 1, 3, 0, 0, 0, 1)))
	}
	env, c := dissecttest.NewEnv("modbus", dissecttest.Flow(6, 502))
	p := newParser(env).(*parser)
	s := &dissecttest.Stream{P: p}
	for _, st := range steps {
		s.Write(t, st.dir, st.b)
	}
	if len(p.pend) != maxPending {
		t.Errorf("%d pending, want the cap %d", len(p.pend), maxPending)
	}
	if n := c.WeirdCounts()[weirdRequestFlood]; n != 1 {
		t.Errorf("%d flood weirds, want 1", n)
	}
	if n := len(c.Logs("modbus_detailed")); n != 10 {
		t.Errorf("%d evicted requests logged, want 10", n)
	}
	// The newest request is still answerable.
	s.Write(t, dissect.Resp, adu(uint16(maxPending+9), 1, 3, 2, 0, 7))
	dl := c.Logs("modbus_detailed")
	if last := dl[len(dl)-1]; last.Get("matched") != "true" || last.Get("tid") != fmt.Sprint(maxPending+9) {
		t.Errorf("last detailed %s", last.Raw)
	}
	p.Close()
	if n := len(c.Logs("modbus_detailed")); n != 10+1+maxPending-1 {
		t.Errorf("%d detailed lines after Close, want %d", n, 10+1+maxPending-1)
	}
	if len(p.pend) != 0 {
		t.Errorf("%d pending after Close", len(p.pend))
	}
}

func TestTransactionIDReuse(t *testing.T) {
	// A client that reuses tid 0 and gets no answer to the first request: the old request is
	// logged unanswered, the response pairs with the newer one.
	c, _ := run(t,
		req(adu(0, 1, 3, 0, 0, 0, 1)),
		req(adu(0, 1, 3, 0, 9, 0, 1)),
		resp(adu(0, 1, 3, 2, 0, 7)))
	dl := c.Logs("modbus_detailed")
	if len(dl) != 2 {
		t.Fatalf("detailed: %d lines, want 2", len(dl))
	}
	dissecttest.Want(t, "first", dl[0], "address", "0", "matched", "false")
	dissecttest.Want(t, "second", dl[1], "address", "9", "matched", "true", "response_values", "[7]")
}

func TestServerOnOriginatorSide(t *testing.T) {
	// The engine saw the server's packet first (capture started mid-flow): the originator
	// is port 502, so its PDUs are responses.
	flow := dissecttest.Flow(6, 49226)
	flow.Orig.Port, flow.Resp.Port = 502, 49226
	env, c := dissecttest.NewEnv("modbus", flow)
	s := &dissecttest.Stream{P: newParser(env)}
	s.Write(t, dissect.Resp, adu(7, 1, 3, 0, 0, 0, 1))
	s.Write(t, dissect.Orig, adu(7, 1, 3, 2, 0, 7))
	ml := c.Logs("modbus")
	if len(ml) != 2 || ml[0].Get("pdu_type") != "REQ" || ml[1].Get("pdu_type") != "RESP" {
		t.Errorf("modbus.log %v", ml)
	}
	if roles := facts(c, dissect.AttrRole); len(roles) != 2 || roles[0].Side != dissect.Orig || roles[0].Value != "modbus_server" {
		t.Errorf("roles %+v", roles)
	}
}

func TestUnknownFunctionNames(t *testing.T) {
	// Zeek's build_func: unknown codes are "unknown-N" with N the whole byte, exception or not.
	c, _ := run(t, req(adu(0, 1, 0x1d, 0, 0, 0, 0)), resp(adu(0, 1, 0x9c, 0x01)))
	ml := c.Logs("modbus")
	if len(ml) != 2 {
		t.Fatalf("modbus.log: %d lines", len(ml))
	}
	dissecttest.Want(t, "request", ml[0], "func", "unknown-29", "pdu_type", "REQ")
	dissecttest.Want(t, "response", ml[1], "func", "unknown-156", "pdu_type", "RESP", "exception", "ILLEGAL_FUNCTION")
	if !strings.HasPrefix(funcNames[0x90], "WRITE_MULTIPLE_REGISTERS_EXCEPTION") || funcNames[0x80] != "unknown-128" {
		t.Errorf("names: %q %q", funcNames[0x90], funcNames[0x80])
	}
}
