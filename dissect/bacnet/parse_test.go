package bacnet

import (
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

// TestParse feeds annotated datagrams in order and checks every record they produce.
func TestParse(t *testing.T) {
	type want struct {
		log    string
		fields map[string]string
	}
	cases := []struct {
		name string
		dir  dissect.Dir
		in   []byte
		want []want
	}{
		{"read property request", dissect.Orig, rpReq, []want{
			{"bacnet", map[string]string{"is_orig": "true", "source_h": "10.0.0.1", "destination_p": "47808", "bvlc_function": "Original_Unicast_NPDU", "pdu_type": "CONFIRMED_REQUEST", "pdu_service": "read_property", "invoke_id": "1"}},
			{"bacnet_property", map[string]string{"invoke_id": "1", "pdu_service": "read-property-request", "object_type": "analog-output", "instance_number": "101", "property": "present-value", "array_index": "", "value": ""}},
		}},
		{"read property ack", dissect.Resp, rpAck, []want{
			{"bacnet", map[string]string{"is_orig": "false", "source_h": "10.0.0.2", "pdu_type": "COMPLEX_ACK", "pdu_service": "read_property", "invoke_id": "1"}},
			{"bacnet_property", map[string]string{"pdu_service": "read-property-ack", "object_type": "analog-output", "value": "10.000000"}},
		}},
		{"write property", dissect.Orig, wpReq, []want{
			{"bacnet", map[string]string{"pdu_service": "write_property", "invoke_id": "3"}},
			{"bacnet_property", map[string]string{"pdu_service": "write-property", "property": "present-value", "value": "5.000000", "priority": "8"}},
		}},
		{"simple ack", dissect.Resp, wpAck, []want{
			{"bacnet", map[string]string{"pdu_type": "SIMPLE_ACK", "pdu_service": "write_property", "invoke_id": "3"}},
		}},
		{"who-is", dissect.Orig, whoIs, []want{
			{"bacnet", map[string]string{"bvlc_function": "Original_Broadcast_NPDU", "pdu_type": "UNCONFIRMED_REQUEST", "pdu_service": "who_is", "invoke_id": ""}},
			{"bacnet_discovery", map[string]string{"pdu_service": "who-is", "range": "108-108"}},
		}},
		{"i-am", dissect.Resp, iAm, []want{
			{"bacnet", map[string]string{"pdu_service": "i_am"}},
			{"bacnet_discovery", map[string]string{"pdu_service": "i-am", "object_type": "device", "instance_number": "108", "vendor": "Acuity Brands Lighting Inc."}},
		}},
		{"reinitialize device", dissect.Orig, reinitReq, []want{
			{"bacnet", map[string]string{"pdu_service": "reinitialize_device", "invoke_id": "4"}},
			{"bacnet_device_control", map[string]string{"pdu_service": "reinitialize_device", "device_state": "warmstart", "password": "<redacted>"}},
		}},
		{"error pdu", dissect.Resp, reinitErr, []want{
			{"bacnet", map[string]string{"pdu_type": "ERROR_PDU", "pdu_service": "reinitialize_device", "result_code": "password-failure"}},
			{"bacnet_device_control", map[string]string{"result": "ERROR", "result_code": "password-failure"}},
		}},
		{"read property multiple request", dissect.Orig, unicast(0x00, 0x05, 0x07, 0x0e,
			0x0c, 0x00, 0x00, 0x00, 0x01, // [0] analog-input 1
			0x1e, 0x09, 0x55, 0x09, 0x4d, 0x1f, // [1] { present-value, object-name }
		), []want{
			{"bacnet", map[string]string{"pdu_service": "read_property_multiple", "invoke_id": "7"}},
			{"bacnet_property", map[string]string{"pdu_service": "read-property-multiple-request", "object_type": "analog-input", "property": "present-value"}},
			{"bacnet_property", map[string]string{"pdu_service": "read-property-multiple-request", "property": "object-name"}},
		}},
		{"read property multiple ack", dissect.Resp, unicast(0x30, 0x07, 0x0e,
			0x0c, 0x00, 0x00, 0x00, 0x01, 0x1e, // [0] analog-input 1, [1] {
			0x29, 0x55, 0x4e, 0x44, 0x41, 0x20, 0, 0, 0x4f, // [2] present-value [4] { 10.0 }
			0x29, 0x4d, 0x5e, 0x91, 0x02, 0x91, 0x20, 0x5f, // [2] object-name [5] { error property, unknown-property }
			0x1f, // }
		), []want{
			{"bacnet", map[string]string{"pdu_type": "COMPLEX_ACK", "pdu_service": "read_property_multiple"}},
			{"bacnet_property", map[string]string{"pdu_service": "read-property-multiple-ack", "property": "present-value", "value": "10.000000"}},
			{"bacnet_property", map[string]string{"property": "object-name", "value": "PropertyError"}},
		}},
		{"write property multiple", dissect.Orig, unicast(0x00, 0x05, 0x08, 0x10,
			0x0c, 0x00, 0x40, 0x00, 0x01, 0x1e, // [0] analog-output 1, [1] {
			0x09, 0x55, 0x2e, 0x44, 0x41, 0x20, 0, 0, 0x2f, 0x39, 0x08, // [0] present-value [2] { 10.0 } [3] priority 8
			0x1f, // }
		), []want{
			{"bacnet", map[string]string{"pdu_service": "write_property_multiple"}},
			{"bacnet_property", map[string]string{"pdu_service": "write-property-multiple", "object_type": "analog-output", "value": "10.000000", "priority": "8"}},
		}},
		{"bvlc result", dissect.Resp, []byte{
			0x81, 0x00, 0x00, 0x06, // BVLC-Result, length 6
			0x00, 0x30, // Register-Foreign-Device NAK
		}, []want{
			{"bacnet", map[string]string{"bvlc_function": "BVLC_Result", "result_code": "Register-Foreign-Device_NAK", "pdu_type": ""}},
		}},
		{"register foreign device", dissect.Orig, []byte{0x81, 0x05, 0x00, 0x06, 0x00, 0x3c}, []want{
			{"bacnet", map[string]string{"bvlc_function": "Register_Foreign_Device"}},
		}},
		{"forwarded npdu", dissect.Resp, []byte{
			0x81, 0x04, 0x00, 0x12, // Forwarded-NPDU, length 18
			0xc0, 0xa8, 0x00, 0x05, 0xba, 0xc0, // originating device 192.168.0.5:47808
			0x01, 0x08, 0x00, 0x03, 0x01, 0x6c, // NPDU: source specifier SNET 3, SLEN 1, SADR 6c
			0x10, 0x08, // unconfirmed who-is, no range
		}, []want{
			{"bacnet", map[string]string{"bvlc_function": "Forwarded_NPDU", "pdu_service": "who_is", "fwd_ip": "192.168.0.5", "fwd_port": "47808", "snet": "3", "slen": "1", "sadr": "6c"}},
			{"bacnet_discovery", map[string]string{"range": "All", "fwd_ip": "192.168.0.5"}},
		}},
		{"network layer message", dissect.Orig, bvll(0x0b,
			0x01, 0x80, // NPDU: network layer message
			0x01, 0x00, 0x03, // I-Am-Router-To-Network, network 3
		), []want{
			{"bacnet", map[string]string{"pdu_type": "NPDU", "pdu_service": "i_am_router_to_network"}},
		}},
		{"reject", dissect.Resp, unicast(0x60, 0x09, 0x04), []want{
			{"bacnet", map[string]string{"pdu_type": "REJECT_PDU", "pdu_service": "reject", "invoke_id": "9", "result_code": "invalid-tag"}},
		}},
		{"abort", dissect.Resp, unicast(0x71, 0x0a, 0x04), []want{
			{"bacnet", map[string]string{"pdu_type": "ABORT_PDU", "pdu_service": "abort", "result_code": "segmentation-not-supported"}},
		}},
	}
	p, c := newTest()
	for _, tc := range cases {
		before := len(c.Records)
		feed(t, p, tc.dir, tc.in)
		got := c.Records[before:]
		var recs []string
		for _, r := range got {
			if r.Log != "weird" {
				recs = append(recs, r.Log)
			}
		}
		if len(recs) != len(tc.want) {
			t.Errorf("%s: records %v, want %d", tc.name, recs, len(tc.want))
			continue
		}
		i := 0
		for _, r := range got {
			if r.Log == "weird" {
				continue
			}
			if r.Log != tc.want[i].log {
				t.Errorf("%s: record %d in %s, want %s", tc.name, i, r.Log, tc.want[i].log)
			}
			check(t, tc.name, r, tc.want[i].fields)
			i++
		}
	}
	// The reject and abort answer requests that were never seen: unsolicited.
	if w := strings.Join(c.WeirdNames(), ","); w != "bacnet_unsolicited_response,bacnet_unsolicited_response" {
		t.Errorf("weirds = %s", w)
	}
	if p.env.PDUs != uint64(len(cases)) {
		t.Errorf("PDUs = %d, want %d", p.env.PDUs, len(cases))
	}
}

// TestMalformed checks that each broken datagram is reported by name and logs no APDU.
func TestMalformed(t *testing.T) {
	cases := []struct {
		name  string
		in    []byte
		weird string
	}{
		{"short", []byte{0x81, 0x0a}, "bacnet_truncated_bvlc"},
		{"bvlc type", []byte{0x82, 0x0a, 0x00, 0x06, 0x01, 0x00}, "bacnet_bad_bvlc_type"},
		{"bvlc length below 4", []byte{0x81, 0x0a, 0x00, 0x02, 0x01, 0x00}, "bacnet_bad_bvlc_length"},
		{"unknown function", []byte{0x81, 0x20, 0x00, 0x04}, "bacnet_unknown_bvlc_function"},
		{"npdu version", bvll(0x0a, 0x02, 0x00, 0x10, 0x08), "bacnet_bad_npdu_version"},
		{"npdu truncated dadr", bvll(0x0a, 0x01, 0x20, 0x00, 0x03, 0x06, 0x01), "bacnet_truncated_npdu"},
		{"apdu truncated", unicast(0x00, 0x05), "bacnet_truncated_apdu"},
		{"apdu type 9", unicast(0x90, 0x01, 0x02), "bacnet_unknown_apdu_type"},
		{"truncated tag", unicast(0x00, 0x05, 0x01, 0x0c, 0x0c, 0x00, 0x40), "bacnet_truncated_tag"},
	}
	for _, tc := range cases {
		p, c := newTest()
		feed(t, p, dissect.Orig, tc.in)
		w := c.WeirdNames()
		if len(w) == 0 || w[len(w)-1] != tc.weird {
			t.Errorf("%s: weirds %v, want %s", tc.name, w, tc.weird)
		}
		if tc.weird != "bacnet_truncated_tag" && len(c.Logs("bacnet")) != 0 {
			t.Errorf("%s: logged %d bacnet records", tc.name, len(c.Logs("bacnet")))
		}
	}
	// A BVLC length that disagrees with the datagram is reported, the message still parsed.
	p, c := newTest()
	b := append([]byte(nil), whoIs...)
	b[3] = 0x11
	feed(t, p, dissect.Orig, b)
	if w := c.WeirdNames(); len(w) != 1 || w[0] != "bacnet_bad_bvlc_length" || len(c.Logs("bacnet_discovery")) != 1 {
		t.Errorf("length mismatch: weirds %v, discovery %d", w, len(c.Logs("bacnet_discovery")))
	}
}

// TestTags checks tag decoding and value rendering against hand-encoded values.
func TestTags(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		prop uint32
		want string // "" = no value
		n    int
	}{
		{"null", []byte{0x00}, 85, "", 1},
		{"boolean true", []byte{0x11}, 81, "true", 1},
		{"unsigned 2 octets", []byte{0x22, 0x01, 0xe0}, 62, "480", 3},
		{"signed -480", []byte{0x32, 0xfe, 0x20}, 119, "-480", 3},
		{"signed 3 octets", []byte{0x33, 0xff, 0xff, 0xfe}, 0, "-2", 4},
		{"real 60.092587", []byte{0x44, 0x42, 0x70, 0x5e, 0xcf}, 85, "60.092587", 5},
		{"double 1.5", []byte{0x55, 0x08, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0}, 85, "1.500000", 10},
		{"octet string", []byte{0x63, 0x0a, 0x00, 0x01}, 0, "0a0001", 4},
		{"char string latin-1", []byte{0x73, 0x05, 'a', 0xe9}, 77, "aé", 4},
		{"char string UCS-2", []byte{0x75, 0x05, 0x04, 0x00, 'o', 0x00, 'k'}, 77, "ok", 7},
		{"char string unsupported set", []byte{0x72, 0x03, 'x'}, 77, "", 3},
		{"bit string status-flags", []byte{0x82, 0x04, 0x40}, 111, "FTFF", 3},
		{"enumerated units", []byte{0x91, 0x62}, 117, "percent", 2},
		{"enumerated event-state", []byte{0x91, 0x01}, 36, "fault", 2},
		{"enumerated unknown reliability", []byte{0x91, 0xc8}, 103, "Vendor Specific (200)", 2},
		{"enumerated other property", []byte{0x91, 0x02}, 85, "2", 2},
		{"date", []byte{0xa4, 0x69, 0x05, 0x14, 0x05}, 56, "5/20/2005", 5},
		{"time", []byte{0xb4, 0x08, 0x1b, 0x0e, 0x00}, 57, "8:27:14.0", 5},
		{"object id", []byte{0xc4, 0x00, 0xc0, 0x4e, 0x21}, 76, "binary-input: 20001", 5},
		{"object id proprietary", []byte{0xc4, 0x20, 0x00, 0x00, 0x01}, 76, "Unknown Object Type-0x80: 1", 5},
		{"extended length 254", append([]byte{0x65, 0xfe, 0x00, 0x02}, 0xab, 0xcd), 0, "abcd", 6},
		{"extended tag number", []byte{0xf9, 0x20, 0x07}, 0, "", 3},
	}
	for _, tc := range cases {
		tg, n, ok := readTag(tc.in)
		if !ok || n != tc.n {
			t.Errorf("%s: readTag = %d, %v; want %d, true", tc.name, n, ok, tc.n)
			continue
		}
		got, has := appendValue(nil, tg, tc.prop)
		if string(got) != tc.want || has != (tc.want != "") {
			t.Errorf("%s: value %q (%v), want %q", tc.name, got, has, tc.want)
		}
	}
	// Context tags: opening, closing, and extended tag number 32.
	if tg, n, ok := readTag([]byte{0xfe, 0x20}); !ok || n != 2 || !tg.isOpen(32) {
		t.Errorf("opening tag 32: %+v %d %v", tg, n, ok)
	}
	for _, bad := range [][]byte{
		{0x44, 0x00, 0x00},       // real with 2 of 4 octets
		{0x65, 0xff, 0x00},       // 4-octet extended length cut short
		{0x66},                   // application tag with LVT 6
		{0x12},                   // boolean with LVT 2
		{0x65, 0xfe, 0xff, 0xff}, // length 65535 past the end
	} {
		if _, _, ok := readTag(bad); ok {
			t.Errorf("readTag(% x) ok, want malformed", bad)
		}
	}
}

// TestTables spot-checks the sparse name tables against the standard's numbering.
func TestTables(t *testing.T) {
	for id, want := range map[uint32]string{85: "present-value", 117: "units", 222: "state-description", 226: "door-alarm-state", 244: "absentee-limit", 311: "user-information-reference", 317: "user-name", 326: "verification-time", 351: "event-message-texts"} {
		if got := name(propertyNames[:], id); got != want {
			t.Errorf("property %d = %q, want %q", id, got, want)
		}
	}
	for id, want := range map[int]string{0: "ASHRAE", 42: "Acuity Brands Lighting Inc.", 154: "Unitec Corporation", 212: "TSC21 Association of Japan", 251: "WILO SE", 299: "Creative Electronic GmbH"} {
		if vendorNames[id] != want {
			t.Errorf("vendor %d = %q, want %q", id, vendorNames[id], want)
		}
	}
	if unitNames[98] != "percent" || unitNames[254] != "million-standard-cubic-feet-per-minute" {
		t.Errorf("units table misaligned")
	}
	if errorCodeName(26) != "password-failure" || errorCodeName(73) != "invalid-event-state" || errorCodeName(136) != "abort-security-error" {
		t.Errorf("error code table misaligned")
	}
	if confirmedNames[svcReinitializeDevice] != "reinitialize_device" || objectTypeNames[56] != "network-port" {
		t.Errorf("service/object tables misaligned")
	}
}
