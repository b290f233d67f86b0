package opcua

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

func TestProbe(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want dissect.Verdict
	}{
		{"hello", hello(), dissect.Match},
		{"ack", ack(), dissect.Match},
		{"opn", opnRequest(), dissect.Match},
		{"msg mid-stream", readRequest(3), dissect.Match},
		{"short prefix", []byte("HE"), dissect.NeedMore},
		{"header only HEL", hello()[:10], dissect.NeedMore},
		{"http", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), dissect.NoMatch},
		{"smtp HELO", []byte("HELO mail.example.org\r\n"), dissect.NoMatch},
		{"bad chunk type", cat([]byte("MSGX"), u32(100)), dissect.NoMatch},
		{"HEL chunked", cat([]byte("HELC"), u32(100)), dissect.NoMatch},
		{"size below minimum", cat([]byte("MSGF"), u32(12)), dissect.NoMatch},
		{"size huge", cat([]byte("MSGF"), u32(0x7fffffff)), dissect.NoMatch},
		{"HEL version 1", message("HEL", 'F', cat(u32(1), u32(65535), u32(65535), u32(0), u32(0), str(""))), dissect.NoMatch},
		{"HEL tiny buffers", message("HEL", 'F', cat(u32(0), u32(16), u32(16), u32(0), u32(0), str(""))), dissect.NoMatch},
	}
	for _, tc := range cases {
		if got := Probe(dissect.Orig, tc.in); got != tc.want {
			t.Errorf("%s: Probe = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestMessages decodes one message of each kind and checks the opcua_binary.log row and the
// service log rows it produces.
func TestMessages(t *testing.T) {
	cases := []struct {
		name string
		dir  dissect.Dir
		in   []byte
		want map[string]map[string]string // log -> field -> value (first row of that log)
	}{
		{"HEL", dissect.Orig, hello(), map[string]map[string]string{
			logMain: {"msg_type": "HEL", "is_final": "F", "msg_size": "50", "version": "0",
				"rcv_buf_size": "65535", "endpoint_url": "opc.tcp://plc:4840", "is_orig": "true",
				"source_p": "50000", "destination_p": "4840"},
		}},
		{"ACK", dissect.Resp, ack(), map[string]map[string]string{
			logMain: {"msg_type": "ACK", "snd_buf_size": "65535", "max_chunk_cnt": "0", "is_orig": "false",
				"source_p": "4840", "endpoint_url": ""},
		}},
		{"ERR", dissect.Resp, message("ERR", 'F', cat(u32(0x80830000), str("too large"))), map[string]map[string]string{
			logMain: {"msg_type": "ERR", "error": "2156068864", "reason": "too large"},
			"weird": {"name": "opcua_error_message", "addl": `BadTcpMessageTooLarge "too large"`},
		}},
		{"OPN request", dissect.Orig, opnRequest(), map[string]map[string]string{
			logMain: {"msg_type": "OPN", "sec_channel_id": "0", "sec_policy_uri_len": "47",
				"sec_policy_uri": policyNone, "snd_cert_len": "-1", "rcv_cert_len": "-1",
				"seq_number": "1", "request_id": "1", "encoding_mask": "1", "namespace_idx": "0",
				"identifier": "446", "identifier_str": "OpenSecureChannelRequest",
				"req_hdr_node_id_type": "0x00", "req_hdr_node_id_numeric": "0",
				"req_hdr_node_id_namespace_idx": "", "req_hdr_timestamp": "1579702060",
				"req_hdr_timeout_hint": "10000", "req_hdr_audit_entry_id": "", "sec_token_id": ""},
			logOpenSecureChannel: {"client_proto_ver": "0", "sec_token_request_type": "0",
				"message_security_mode": "1", "client_nonce": "", "req_lifetime": "600000"},
			"weird": {"name": "opcua_security_none"},
		}},
		{"OPN response", dissect.Resp, opnResponse(), map[string]map[string]string{
			logMain: {"identifier_str": "OpenSecureChannelResponse", "res_hdr_request_handle": "0",
				"res_hdr_service_diag_encoding": "0", "sec_channel_id": "5"},
			logOpenSecureChannel: {"server_proto_ver": "0", "sec_token_sec_channel_id": "5",
				"sec_token_id": "7", "sec_token_revised_time": "600000", "sec_token_created_at": "1579702060"},
			logStatusCode: {"source": "0", "source_str": "ResponseHeader", "status_code": "0x00000000",
				"severity_str": "Severity_Good", "sub_code_str": "Good", "structure_changed": "false"},
		}},
		{"Read request", dissect.Orig, readRequest(9), map[string]map[string]string{
			logMain: {"msg_type": "MSG", "sec_channel_id": "5", "sec_token_id": "7", "seq_number": "9",
				"request_id": "9", "identifier": "631", "identifier_str": "ReadRequest",
				"req_hdr_request_handle": "9"},
			logRead: {"max_age": "0", "timestamps_to_return": "0", "timestamps_to_return_str": "Source"},
			logReadNodes: {"node_id_encoding_mask": "0x03", "node_id_namespace_idx": "1",
				"node_id_string": "the.answer", "attribute_id": "13", "attribute_id_str": "Value",
				"data_encoding_name_idx": "0", "index_range": ""},
		}},
		{"Read response", dissect.Resp, readResponse(9), map[string]map[string]string{
			logMain:        {"identifier_str": "ReadResponse", "res_hdr_request_handle": "9"},
			logReadResults: {"level": "0", "data_value_encoding_mask": "0x03", "data_variant_encoding_mask": "0x06"},
		}},
		{"Write request", dissect.Orig, writeRequest(4), map[string]map[string]string{
			logWrite: {"node_id_string": "the.answer", "attribute_id_str": "Value", "data_value_encoding_mask": "0x01"},
		}},
		{"ActivateSession username", dissect.Orig, activateUserName(3), map[string]map[string]string{
			logActivateSession: {"ext_obj_type_id_encoding_mask": "0x01", "ext_obj_type_id_numeric": "324",
				"ext_obj_type_id_str": "UserNameIdentityToken", "ext_obj_encoding": "0x01",
				"ext_obj_policy_id": "username-policy", "ext_obj_user_name": "operator",
				"ext_obj_password": "<redacted>"},
			"weird": {"name": "opcua_cleartext_password", "addl": "user=operator"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, c := newTest(t)
			feed(t, p, tc.dir, tc.in)
			for log, fields := range tc.want {
				rows := c.Logs(log)
				if len(rows) == 0 {
					t.Fatalf("no %s record; got %v", log, c.Records)
				}
				for k, v := range fields {
					got := rows[0].Get(k)
					if k == "req_hdr_timestamp" || k == "sec_token_created_at" {
						if len(got) >= len(v) {
							got = got[:len(v)]
						}
					}
					if got != v {
						t.Errorf("%s.%s = %q, want %q (%s)", log, k, got, v, rows[0].Raw)
					}
				}
			}
		})
	}
}

func TestEvents(t *testing.T) {
	p, c := newTest(t)
	feed(t, p, dissect.Orig, writeRequest(2), activateUserName(3), callRequest(4))
	want := map[string]string{
		dissect.EvWrite:   "WriteRequest ns=1;s=the.answer attr=Value",
		dissect.EvLogin:   "UserNameIdentityToken user=operator password in clear",
		dissect.EvCommand: "CallRequest object=i=85 method=ns=1;i=62541",
	}
	if len(c.Events) != len(want) {
		t.Fatalf("events %+v", c.Events)
	}
	for _, e := range c.Events {
		if want[e.Kind] != e.Detail || e.Src != dissect.Orig {
			t.Errorf("event %s %q from %v, want %q", e.Kind, e.Detail, e.Src, want[e.Kind])
		}
	}
}

func TestFactsAndRoles(t *testing.T) {
	p, c := newTest(t)
	feed(t, p, dissect.Orig, hello())
	token := cat(i32(1), str("anon"), u32(0), str("\x00null"), str("\x00null"), str("\x00null"))
	ep := cat(str("opc.tcp://plc:4840"),
		str("urn:plc:server"), str("http://vendor.example/ua"), u8(3), str("en"), str("Line 3 PLC"), u32(0),
		str("\x00null"), str("\x00null"), i32(-1), // gateway, discovery profile, discovery urls
		i32(-1), u32(1), str(policyNone), token,
		str("http://opcfoundation.org/UA-Profile/Transport/uatcp-uasc-uabinary"), u8(0))
	res := secure("MSG", 'F', 2, 2, cat(fourByteID(idGetEndpointsRes), resHdrBytes(2, 0), i32(1), ep))
	feed(t, p, dissect.Resp, res)
	got := map[string]string{}
	for _, f := range c.Facts {
		got[f.Attr+"/"+f.Side.String()+"/"+f.Value] = f.Field
	}
	for _, k := range []string{"role/resp/opcua_server", "role/orig/opcua_client", "model/resp/urn:plc:server",
		"software/resp/http://vendor.example/ua", "name/resp/Line 3 PLC"} {
		if _, ok := got[k]; !ok {
			t.Errorf("missing fact %s in %v", k, got)
		}
	}
	if w := c.WeirdCounts(); w[weirdAnonymousToken] != 1 {
		t.Errorf("weirds %v", w)
	}
	if d := c.Logs(logGetEndpointsDesc); len(d) != 1 || d[0].Get("text") != "Line 3 PLC" || d[0].Get("cert_size") != "" {
		t.Errorf("description %v", d)
	}
	if u := c.Logs(logGetEndpointsToken); len(u) != 1 || u[0].Get("user_token_policy_id") != "anon" ||
		u[0].Get("user_token_link_id") != c.Logs(logGetEndpointsDesc)[0].Get("user_token_link_id") {
		t.Errorf("user tokens %v", u)
	}
}

func TestNodeIDEncodings(t *testing.T) {
	guid := []byte{0x15, 0x16, 0x12, 0x39, 0xf3, 0x46, 0x6d, 0x34, 0xfe, 0xcf, 0xfc, 0xbf, 0xba, 0xcb, 0x4c, 0x14}
	cases := []struct {
		name string
		in   []byte
		want string // text form
	}{
		{"two byte", []byte{0x00, 0x55}, "i=85"},
		{"four byte", []byte{0x01, 0x02, 0x35, 0x08}, "ns=2;i=2101"},
		{"numeric", cat(u8(2), u16(3), u32(70000)), "ns=3;i=70000"},
		{"string", cat(u8(3), u16(1), str("a.b")), "ns=1;s=a.b"},
		{"guid", cat(u8(4), u16(1), guid), "ns=1;g=39121615-46f3-346d-fecf-fcbfbacb4c14"},
		{"opaque", cat(u8(5), u16(1), str("\x01\x02")), "ns=1;b=0x0102"},
	}
	for _, tc := range cases {
		r := wireReader(tc.in)
		var n nodeID
		readNodeID(&r, &n, false)
		if r.Err() != nil || r.Len() != 0 {
			t.Errorf("%s: err %v, %d left", tc.name, r.Err(), r.Len())
			continue
		}
		if got := string(appendNodeText(nil, &n)); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
	// Expanded flags are rejected in a plain NodeId and decoded in an ExpandedNodeId.
	in := cat(u8(0x80|0x40|1), u8(0), u16(5), str("urn:x"), u32(2))
	r := wireReader(in)
	var n nodeID
	readNodeID(&r, &n, false)
	if r.Err() == nil {
		t.Error("expanded flags accepted in a NodeId")
	}
	r = wireReader(in)
	readNodeID(&r, &n, true)
	if r.Err() != nil || string(n.nsURI) != "urn:x" || n.server != 2 || n.num != 5 {
		t.Errorf("expanded: %+v %v", n, r.Err())
	}
}
