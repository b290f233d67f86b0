package iec104

import (
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

// TestAPDU decodes single APDUs and checks the iec104.log record, the commands log and the
// anomalies they raise.
func TestAPDU(t *testing.T) {
	tests := []struct {
		name   string
		dir    dissect.Dir
		in     []byte
		want   map[string]string // iec104.log fields ("" = must be absent)
		cmd    map[string]string // iec104_commands.log fields of the first record, nil = no record
		weirds []string
	}{
		{
			name: "STARTDT act",
			in: []byte{
				0x68, 0x04, // START, length 4
				0x07, 0x00, 0x00, 0x00, // U: STARTDT act
			},
			want: map[string]string{"is_orig": "true", "apdu_type": "U", "u_function": "STARTDT_ACT", "tx_seq": "", "type_id": ""},
		},
		{
			name: "TESTFR con from responder",
			dir:  dissect.Resp,
			in:   []byte{0x68, 0x04, 0x83, 0x00, 0x00, 0x00},
			want: map[string]string{"is_orig": "false", "apdu_type": "U", "u_function": "TESTFR_CON"},
		},
		{
			name: "S frame",
			in: []byte{
				0x68, 0x04,
				0x01, 0x00, // S format
				0x0a, 0x00, // N(R) = 5
			},
			want: map[string]string{"apdu_type": "S", "rx_seq": "5", "tx_seq": "", "u_function": ""},
		},
		{
			name: "I C_IC_NA_1 act",
			in: []byte{
				0x68, 0x0e,
				0x06, 0x00, 0x04, 0x00, // N(S)=3 N(R)=2
				0x64,       // type 100 C_IC_NA_1
				0x01,       // VSQ: SQ=0, 1 object
				0x06, 0x00, // COT act, originator 0
				0x0a, 0x00, // CA 10
				0x00, 0x00, 0x00, // IOA 0
				0x14, // QOI 20 station interrogation
			},
			want: map[string]string{"apdu_type": "I", "tx_seq": "3", "rx_seq": "2", "type_id": "100", "type_name": "C_IC_NA_1",
				"cot": "6", "cot_name": "ACT", "negative": "false", "test": "false", "originator_address": "0",
				"common_address": "10", "num_objects": "1", "ioas": "[0]"},
			cmd: map[string]string{"type_name": "C_IC_NA_1", "ioa": "0", "qoi": "20", "cot_name": "ACT", "se": ""},
		},
		{
			name: "I M_ME_NC_1 sequence of 3",
			dir:  dissect.Resp,
			in: []byte{
				0x68, 0x1c,
				0x00, 0x00, 0x00, 0x00,
				0x0d,       // M_ME_NC_1
				0x83,       // SQ=1, 3 objects
				0x03, 0x00, // spont
				0x01, 0x00, // CA 1
				0xe8, 0x03, 0x00, // IOA 1000, then 1001, 1002
				0x00, 0x00, 0x80, 0x3f, 0x00, // 1.0, QDS
				0x00, 0x00, 0x00, 0x40, 0x00, // 2.0
				0x00, 0x00, 0x40, 0x40, 0x00, // 3.0
			},
			want: map[string]string{"type_name": "M_ME_NC_1", "cot_name": "SPONT", "num_objects": "3", "ioas": "[1000,1001,1002]"},
		},
		{
			name: "I M_SP_NA_1 individual objects",
			dir:  dissect.Resp,
			in: []byte{
				0x68, 0x12,
				0x02, 0x00, 0x02, 0x00,
				0x01,       // M_SP_NA_1
				0x02,       // SQ=0, 2 objects
				0x14, 0x00, // inrogen
				0x01, 0x00,
				0x01, 0x00, 0x00, 0x01, // IOA 1, SIQ on
				0x00, 0x01, 0x02, 0x00, // IOA 0x020100 = 131328, SIQ off
			},
			want: map[string]string{"type_name": "M_SP_NA_1", "cot_name": "INROGEN", "ioas": "[1,131328]"},
		},
		{
			name: "C_SC_NA_1 select ON, short pulse",
			in: []byte{
				0x68, 0x0e, 0x00, 0x00, 0x00, 0x00,
				0x2d, 0x01, 0x06, 0x00, 0x01, 0x00, // C_SC_NA_1 act CA 1
				0x05, 0x00, 0x00, // IOA 5
				0x85, // SCO: S/E=1 QU=1 SCS=1
			},
			want: map[string]string{"type_name": "C_SC_NA_1", "ioas": "[5]"},
			cmd:  map[string]string{"ioa": "5", "state": "ON", "se": "SELECT", "qualifier": "1", "value": ""},
		},
		{
			name: "C_DC_NA_1 execute OFF",
			in: []byte{
				0x68, 0x0e, 0x00, 0x00, 0x00, 0x00,
				0x2e, 0x01, 0x06, 0x00, 0x01, 0x00,
				0x06, 0x00, 0x00,
				0x01, // DCO: S/E=0 QU=0 DCS=1 OFF
			},
			cmd: map[string]string{"state": "OFF", "se": "EXECUTE", "qualifier": "0"},
		},
		{
			name: "C_RC_NA_1 higher",
			in: []byte{
				0x68, 0x0e, 0x00, 0x00, 0x00, 0x00,
				0x2f, 0x01, 0x06, 0x00, 0x01, 0x00,
				0x07, 0x00, 0x00,
				0x02, // RCO: HIGHER
			},
			cmd: map[string]string{"state": "HIGHER", "se": "EXECUTE"},
		},
		{
			name: "C_SE_NC_1 float setpoint",
			in: []byte{
				0x68, 0x12, 0x00, 0x00, 0x00, 0x00,
				0x32, 0x01, 0x06, 0x00, 0x01, 0x00,
				0x10, 0x27, 0x00, // IOA 10000
				0xcd, 0xcc, 0x8c, 0x3f, // 1.1f
				0x00, // QOS: execute, QL 0
			},
			cmd: map[string]string{"ioa": "10000", "value": "1.1", "se": "EXECUTE", "qualifier": "0"},
		},
		{
			name: "C_SE_NA_1 normalized setpoint",
			in: []byte{
				0x68, 0x10, 0x00, 0x00, 0x00, 0x00,
				0x30, 0x01, 0x06, 0x00, 0x01, 0x00,
				0x01, 0x00, 0x00,
				0x00, 0xc0, // -16384 / 32768
				0x80, // QOS: select
			},
			cmd: map[string]string{"value": "-0.5", "se": "SELECT"},
		},
		{
			name: "C_SE_NB_1 scaled setpoint",
			in: []byte{
				0x68, 0x10, 0x00, 0x00, 0x00, 0x00,
				0x31, 0x01, 0x06, 0x00, 0x01, 0x00,
				0x01, 0x00, 0x00,
				0x2c, 0x01, // 300
				0x05, // QOS: QL 5
			},
			cmd: map[string]string{"value": "300", "qualifier": "5"},
		},
		{
			name: "C_BO_NA_1 bitstring",
			in: []byte{
				0x68, 0x11, 0x00, 0x00, 0x00, 0x00,
				0x33, 0x01, 0x06, 0x00, 0x01, 0x00,
				0x01, 0x00, 0x00,
				0x78, 0x56, 0x34, 0x12,
			},
			cmd: map[string]string{"bitstring": "0x12345678", "se": ""},
		},
		{
			name: "C_SC_TA_1 with time tag",
			in: []byte{
				0x68, 0x15, 0x00, 0x00, 0x00, 0x00,
				0x3a, 0x01, 0x06, 0x00, 0x01, 0x00,
				0x02, 0x00, 0x00,
				0x01,                   // SCO: execute ON
				0x9d, 0x42, 0x17, 0x09, // 17053 ms, min 23, hour 9
				0x84, 0x07, 0x0d, // day 4 (dow 4), July, 2013
			},
			cmd: map[string]string{"type_name": "C_SC_TA_1", "state": "ON", "time": "2013-07-04T09:23:17.053", "time_invalid": ""},
		},
		{
			name: "C_CS_NA_1 clock sync, invalid time",
			in: []byte{
				0x68, 0x14, 0x00, 0x00, 0x00, 0x00,
				0x67, 0x01, 0x06, 0x00, 0x01, 0x00,
				0x00, 0x00, 0x00,
				0x00, 0x00, 0x80, 0x00, 0x01, 0x01, 0x18, // IV set, 2024-01-01T00:00:00.000
			},
			cmd: map[string]string{"type_name": "C_CS_NA_1", "time": "2024-01-01T00:00:00.000", "time_invalid": "true"},
		},
		{
			name: "C_RP_NA_1 reset",
			in: []byte{
				0x68, 0x0e, 0x00, 0x00, 0x00, 0x00,
				0x69, 0x01, 0x06, 0x00, 0x01, 0x00,
				0x00, 0x00, 0x00,
				0x01, // QRP general reset
			},
			cmd: map[string]string{"type_name": "C_RP_NA_1", "qrp": "1"},
		},
		{
			name: "C_CI_NA_1 counter interrogation",
			in: []byte{
				0x68, 0x0e, 0x00, 0x00, 0x00, 0x00,
				0x65, 0x01, 0x06, 0x00, 0x01, 0x00,
				0x00, 0x00, 0x00,
				0x45, // QCC: RQT 5 general, FRZ 1 freeze
			},
			cmd: map[string]string{"type_name": "C_CI_NA_1", "qcc": "69"},
		},
		{
			name: "C_RD_NA_1 read has no element",
			in: []byte{
				0x68, 0x0d, 0x00, 0x00, 0x00, 0x00,
				0x66, 0x01, 0x05, 0x00, 0x01, 0x00,
				0x21, 0x00, 0x00, // IOA 33
			},
			want: map[string]string{"type_name": "C_RD_NA_1", "cot_name": "REQ", "ioas": "[33]"},
			cmd:  map[string]string{"type_name": "C_RD_NA_1", "ioa": "33", "state": ""},
		},
		{
			name: "unknown type id",
			dir:  dissect.Resp,
			in: []byte{
				0x68, 0x0d, 0x00, 0x00, 0x00, 0x00,
				0xc8, 0x01, 0x03, 0x00, 0x01, 0x00, // type 200
				0x01, 0x00, 0x00,
			},
			want:   map[string]string{"type_id": "200", "type_name": "", "num_objects": "1", "ioas": ""},
			weirds: []string{"iec104_unknown_type_id"},
		},
		{
			name: "objects do not fill the ASDU",
			dir:  dissect.Resp,
			in: []byte{
				0x68, 0x12, 0x00, 0x00, 0x00, 0x00,
				0x0d, 0x02, 0x03, 0x00, 0x01, 0x00, // M_ME_NC_1, 2 objects announced
				0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0x3f, 0x00, // only one
			},
			want:   map[string]string{"num_objects": "2", "ioas": "[1]"},
			weirds: []string{"iec104_asdu_length_mismatch"},
		},
		{
			name: "negative confirmation",
			dir:  dissect.Resp,
			in: []byte{
				0x68, 0x0e, 0x00, 0x00, 0x00, 0x00,
				0x2d, 0x01, 0x47, 0x00, 0x01, 0x00, // C_SC_NA_1, P/N=1 actcon
				0x05, 0x00, 0x00, 0x81,
			},
			want:   map[string]string{"negative": "true", "cot_name": "ACTCON"},
			cmd:    map[string]string{"negative": "true", "cot": "7"},
			weirds: []string{"iec104_negative_confirm", "iec104_unsolicited_confirmation"},
		},
		{
			name: "test flag",
			dir:  dissect.Resp,
			in: []byte{
				0x68, 0x0e, 0x00, 0x00, 0x00, 0x00,
				0x01, 0x01, 0x83, 0x00, 0x01, 0x00, // M_SP_NA_1, T=1 spont
				0x01, 0x00, 0x00, 0x01,
			},
			want:   map[string]string{"test": "true", "cot_name": "SPONT"},
			weirds: []string{"iec104_test_flag"},
		},
		{
			name: "common address 0 and unknown cause",
			dir:  dissect.Resp,
			in: []byte{
				0x68, 0x0e, 0x00, 0x00, 0x00, 0x00,
				0x01, 0x01, 0x00, 0x00, 0x00, 0x00, // COT 0, CA 0
				0x01, 0x00, 0x00, 0x01,
			},
			want:   map[string]string{"cot": "0", "cot_name": "", "common_address": "0"},
			weirds: []string{"iec104_unknown_cot", "iec104_invalid_common_address"},
		},
		{
			name:   "I frame without ASDU",
			in:     []byte{0x68, 0x06, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01},
			want:   map[string]string{"apdu_type": "I", "tx_seq": "0", "type_id": "", "negative": ""},
			weirds: []string{"iec104_asdu_truncated"},
		},
		{
			name:   "U frame with two function bits",
			in:     []byte{0x68, 0x04, 0x0f, 0x00, 0x00, 0x00},
			want:   map[string]string{"apdu_type": "U", "u_function": ""},
			weirds: []string{"iec104_invalid_u_function"},
		},
		{
			name:   "S frame with a body",
			in:     []byte{0x68, 0x05, 0x01, 0x00, 0x02, 0x00, 0xff},
			want:   map[string]string{"apdu_type": "S", "rx_seq": "1"},
			weirds: []string{"iec104_invalid_length"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := newTest()
			feed(t, p, tt.dir, tt.in)
			recs := c.Logs("iec104")
			if len(recs) != 1 {
				t.Fatalf("%d iec104 records, want 1: %v", len(recs), c.Records)
			}
			for k, v := range tt.want {
				if got := recs[0].Get(k); got != v {
					t.Errorf("%s = %q, want %q (%s)", k, got, v, recs[0].Raw)
				}
			}
			cmds := c.Logs("iec104_commands")
			if (tt.cmd != nil) != (len(cmds) > 0) {
				t.Fatalf("%d command records, want them: %v", len(cmds), tt.cmd != nil)
			}
			for k, v := range tt.cmd {
				if got := cmds[0].Get(k); got != v {
					t.Errorf("command %s = %q, want %q (%s)", k, got, v, cmds[0].Raw)
				}
			}
			if got := strings.Join(weirdNames(c), ","); got != strings.Join(tt.weirds, ",") {
				t.Errorf("weirds %q, want %q", got, strings.Join(tt.weirds, ","))
			}
			if env := p.env; env.PDUs != 1 {
				t.Errorf("PDUs = %d, want 1", env.PDUs)
			}
		})
	}
}

// TestFraming covers start-octet and length errors: each is reported once and the parser
// resynchronises on the next APDU.
func TestFraming(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		apdus  int
		weirds string
	}{
		{"garbage then APDU", cat([]byte{0x00, 0x11, 0x22, 0x33}, uFrame(uTestFRAct)), 1, "iec104_bad_start_byte"},
		{"length 2", cat([]byte{0x68, 0x02, 0x00, 0x00}, sFrame(3)), 1, "iec104_invalid_length"},
		{"length 254", cat([]byte{0x68, 0xfe, 0x01, 0x00}, uFrame(uTestFRCon), uFrame(uTestFRAct)), 2, "iec104_invalid_length"},
		{"invalid U then garbage", cat([]byte{0x68, 0x04, 0x9b, 0x98, 0x97, 0x96, 0x55}, sFrame(3)), 2,
			"iec104_invalid_u_function,iec104_bad_start_byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := newTest()
			feed(t, p, dissect.Orig, tt.in)
			if n := len(c.Logs("iec104")); n != tt.apdus {
				t.Errorf("%d APDUs logged, want %d", n, tt.apdus)
			}
			if got := strings.Join(weirdNames(c), ","); got != tt.weirds {
				t.Errorf("weirds %q, want %q", got, tt.weirds)
			}
		})
	}
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want dissect.Verdict
	}{
		{"empty", nil, dissect.NeedMore},
		{"start only", []byte{0x68}, dissect.NeedMore},
		{"header short", []byte{0x68, 0x04, 0x07}, dissect.NeedMore},
		{"STARTDT act", uFrame(uStartDTAct), dissect.Match},
		{"S frame", sFrame(7), dissect.Match},
		{"I frame", iFrame(0, 0, 0x64, 0x01, 0x06, 0x00, 0x01, 0x00, 0, 0, 0, 0x14), dissect.Match},
		{"I frame header only", iFrame(0, 0, 0x64, 0x01, 0x06, 0x00, 0x01, 0x00, 0, 0, 0, 0x14)[:8], dissect.NeedMore},
		{"two APDUs", cat(uFrame(uStartDTAct), uFrame(uTestFRAct)), dissect.Match},
		{"APDU then garbage", cat(uFrame(uStartDTAct), []byte{0x47}), dissect.NoMatch},
		{"HTTP", []byte("GET / HTTP/1.1\r\n"), dissect.NoMatch},
		{"TLS", []byte{0x16, 0x03, 0x01, 0x00, 0xa5, 0x01}, dissect.NoMatch},
		{"length 3", []byte{0x68, 0x03, 0x07, 0x00, 0x00}, dissect.NoMatch},
		{"U with body", []byte{0x68, 0x05, 0x07, 0x00, 0x00, 0x00, 0x00}, dissect.NoMatch},
		{"U two bits", []byte{0x68, 0x04, 0x0f, 0x00, 0x00, 0x00}, dissect.NoMatch},
		{"I unknown type", iFrame(0, 0, 0xc8, 0x01, 0x06, 0x00, 0x01, 0x00, 0, 0, 0, 0x14), dissect.NoMatch},
		{"I unknown cause", iFrame(0, 0, 0x64, 0x01, 0x3f, 0x00, 0x01, 0x00, 0, 0, 0, 0x14), dissect.NoMatch},
		{"I zero objects", iFrame(0, 0, 0x64, 0x00, 0x06, 0x00, 0x01, 0x00), dissect.NoMatch},
	}
	for _, tt := range tests {
		if got := probe(dissect.Orig, tt.in); got != tt.want {
			t.Errorf("%s: probe = %d, want %d", tt.name, got, tt.want)
		}
	}
}

// TestNonProtocol: other traffic on port 2404 is not claimed, and if bytes reach the parser
// anyway no iec104 record comes out, only one anomaly.
func TestNonProtocol(t *testing.T) {
	inputs := [][]byte{
		[]byte("GET /index.html HTTP/1.1\r\nHost: plc\r\n\r\n"),
		[]byte("SSH-2.0-OpenSSH_9.6\r\n"),
		{0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03},
		{0x03, 0x00, 0x00, 0x16, 0x11, 0xe0, 0x00, 0x00, 0x00, 0x01, 0x00},       // TPKT/COTP CR
		{0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x0a}, // Modbus
	}
	for _, in := range inputs {
		if v := probe(dissect.Orig, in); v != dissect.NoMatch {
			t.Errorf("probe(%q) = %d, want NoMatch", in, v)
		}
		p, c := newTest()
		for _, d := range []dissect.Dir{dissect.Orig, dissect.Resp} {
			if n, err := p.Parse(d, in); err != nil || n > len(in) {
				t.Fatalf("Parse = %d, %v", n, err)
			}
		}
		if n := len(c.Logs("iec104")) + len(c.Logs("iec104_commands")); n != 0 {
			t.Errorf("%q: %d records logged", in, n)
		}
		if n := len(c.Logs("weird")); n > 2 {
			t.Errorf("%q: %d weirds, want at most one per direction", in, n)
		}
		if len(c.Facts) != 0 || len(c.Events) != 0 {
			t.Errorf("%q: facts %v events %v", in, c.Facts, c.Events)
		}
	}
}

func TestCP56(t *testing.T) {
	b := parseCP56([]byte{0x5f, 0xea, 0xbb, 0x97, 0x3f, 0x0c, 0x63})
	// 59999 ms, minute 59 + IV, hour 23 + SU, day 31 (dow 1), December, 2099
	if got := string(b.appendTime(nil)); got != "2099-12-31T23:59:59.999" || !b.invalid || !b.summer {
		t.Errorf("got %s invalid=%v summer=%v", got, b.invalid, b.summer)
	}
}

func TestSetpointNaN(t *testing.T) {
	if ok, _ := setpoint(2, []byte{0x00, 0x00, 0xc0, 0x7f}); ok {
		t.Error("NaN setpoint reported as a value")
	}
	if ok, _ := setpoint(2, []byte{0x00, 0x00, 0x80, 0x7f}); ok {
		t.Error("+Inf setpoint reported as a value")
	}
}
