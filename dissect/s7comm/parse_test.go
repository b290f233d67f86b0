package s7comm

import (
	"bytes"
	"testing"
)

func TestParseTPKT(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    int
		wantErr error
	}{
		{"short", []byte{0x03, 0x00, 0x00}, 0, nil},
		{"dt", []byte{
			0x03,       // version
			0x00,       // reserved
			0x00, 0x1f, // length 31
		}, 31, nil},
		{"version 2", []byte{0x02, 0x00, 0x00, 0x1f}, 0, ErrTPKTVersion},
		{"length below COTP minimum", []byte{0x03, 0x00, 0x00, 0x05}, 5, ErrTPKTLength},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseTPKT(tt.in)
			if n != tt.want || err != tt.wantErr {
				t.Errorf("ParseTPKT = %d, %v; want %d, %v", n, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestParseCOTP(t *testing.T) {
	tests := []struct {
		name    string
		in      []byte
		want    COTP
		wantErr error
	}{
		{"dt eot", []byte{
			0x02,       // LI
			0xf0,       // DT
			0x80,       // EOT, TPDU nr 0
			0x32, 0x01, // user data
		}, COTP{LI: 2, Code: COTPDT, EOT: true, Data: []byte{0x32, 0x01}}, nil},
		{"dt fragment", []byte{0x02, 0xf0, 0x05, 0xaa}, COTP{LI: 2, Code: COTPDT, TPDUNr: 5, Data: []byte{0xaa}}, nil},
		{"cr", []byte{
			0x0a,       // LI
			0xe0,       // CR, CDT 0
			0x00, 0x00, // dst ref
			0x00, 0x07, // src ref
			0x00,                   // class 0
			0xc2, 0x02, 0x01, 0x02, // called TSAP
		}, COTP{LI: 10, Code: COTPCR, SrcRef: 7, Params: []byte{0xc2, 0x02, 0x01, 0x02}}, nil},
		{"dr", []byte{0x06, 0x80, 0x00, 0x01, 0x00, 0x02, 0x80}, COTP{LI: 6, Code: COTPDR, DstRef: 1, SrcRef: 2, Reason: 0x80}, nil},
		{"li past end", []byte{0x09, 0xf0, 0x80}, COTP{}, ErrCOTPLength},
		{"li 255 reserved", []byte{0xff, 0xf0, 0x80}, COTP{}, ErrCOTPLength},
		{"cr too short for its fixed part", []byte{0x03, 0xe0, 0x00, 0x00}, COTP{}, ErrCOTPShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseCOTP(tt.in)
			if err != tt.wantErr {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if c.LI != tt.want.LI || c.Code != tt.want.Code || c.EOT != tt.want.EOT || c.TPDUNr != tt.want.TPDUNr ||
				c.DstRef != tt.want.DstRef || c.SrcRef != tt.want.SrcRef || c.Reason != tt.want.Reason ||
				!bytes.Equal(c.Params, tt.want.Params) || !bytes.Equal(c.Data, tt.want.Data) {
				t.Errorf("ParseCOTP = %+v, want %+v", c, tt.want)
			}
		})
	}
}

func TestCOTPParam(t *testing.T) {
	params := []byte{0xc0, 0x01, 0x0a, 0xc1, 0x02, 0x01, 0x00, 0xc2, 0x02, 0x01, 0x02}
	if got := COTPParam(params, COTPParamCalledTSAP); !bytes.Equal(got, []byte{0x01, 0x02}) {
		t.Errorf("called TSAP = %x", got)
	}
	if got := COTPParam(params[:9], COTPParamCalledTSAP); got != nil {
		t.Errorf("truncated parameter returned %x", got)
	}
}

func TestTSDUReassembly(t *testing.T) {
	var r TSDU
	r.Max = 8
	if _, done, _ := r.Add(&COTP{Data: []byte{1, 2, 3}}); done {
		t.Fatal("fragment without EOT completed the TSDU")
	}
	got, done, _ := r.Add(&COTP{Data: []byte{4}, EOT: true})
	if !done || !bytes.Equal(got, []byte{1, 2, 3, 4}) {
		t.Fatalf("TSDU = %x, %v", got, done)
	}
	// Past Max: overflow reported once, the TSDU dropped up to its EOT, the next one fine.
	_, _, ov1 := r.Add(&COTP{Data: make([]byte, 6)})
	_, _, ov2 := r.Add(&COTP{Data: make([]byte, 6)})
	_, done, ov3 := r.Add(&COTP{Data: []byte{1}, EOT: true})
	if !ov2 || ov1 || ov3 || done {
		t.Fatalf("overflow flags %v %v %v, done %v", ov1, ov2, ov3, done)
	}
	if got, done, _ := r.Add(&COTP{Data: []byte{9}, EOT: true}); !done || !bytes.Equal(got, []byte{9}) {
		t.Fatalf("after overflow: %x %v", got, done)
	}
}

func TestResyncTPKT(t *testing.T) {
	junk := []byte{0x03, 0x00, 0x00, 0x02, 0xff, 0x03, 0x00} // a TPKT-looking prefix with length 2
	b := cat(junk, readJob, readAck)
	if got := ResyncTPKT(b); got != len(junk) {
		t.Errorf("ResyncTPKT = %d, want %d", got, len(junk))
	}
	if got := ResyncTPKT([]byte("GET / HTTP/1.1\r\n")); got != -1 {
		t.Errorf("ResyncTPKT(http) = %d", got)
	}
}

func TestParseHeader(t *testing.T) {
	in := []byte{
		0x32,       // protocol id
		0x03,       // ROSCTR ACK-Data
		0x00, 0x00, // redundancy id
		0x01, 0x00, // PDU reference
		0x00, 0x02, // parameter length
		0x00, 0x05, // data length (one byte more than present)
		0x00, 0x00, // error class, code
		0x04, 0x01, // parameter: Read Var, 1 item
		0xff, 0x04, 0x00, 0x08, // data (4 of 5)
	}
	h, err := ParseHeader(in)
	if err != nil {
		t.Fatal(err)
	}
	if h.ROSCTR != RosAckData || h.Ref != 0x0100 || !h.HasError || len(h.Param) != 2 || len(h.Data) != 4 || !h.Truncated {
		t.Errorf("ParseHeader = %+v", h)
	}
	if _, err := ParseHeader(in[:11]); err != ErrS7Short {
		t.Errorf("11-byte ACK-Data: err = %v", err)
	}
}

func TestParseUserData(t *testing.T) {
	u, ok := ParseUserData([]byte{
		0x00, 0x01, 0x12, // parameter head
		0x08,       // parameter length
		0x12,       // method: response
		0x84,       // type 8 (response), group 4 (CPU functions)
		0x01,       // sub-function Read SZL
		0x02,       // sequence
		0xd5,       // data unit reference
		0x01,       // last data unit: no
		0xd2, 0x09, // error code
	})
	if !ok || u.Type != UDResponse || u.Group != GrpCPU || u.Sub != 1 || !u.HasError || u.DataRef != 0xd5 ||
		u.LastUnit != 1 || u.ErrCode != 0xd209 || u.TypeGroup() != 0x84 {
		t.Errorf("ParseUserData = %+v, %v", u, ok)
	}
}

func TestParseUpDown(t *testing.T) {
	job := append([]byte{
		0x1a,       // Request Download
		0x00,       // status
		0x01, 0x00, // reserved
		0x00, 0x00, 0x00, 0x00, // session id
		0x09, // file name length
	}, "_0800001P"...)
	job = append(job, 0x0d, '1') // part 2 length, '1'
	job = append(job, "000264000096"...)
	u := ParseUpDown(job, true)
	if string(u.Filename) != "_0800001P" || !u.HasLength || u.BlockLen != 264 || !u.HasSession {
		t.Errorf("Request Download = %+v", u)
	}
	ack := append([]byte{0x1d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x07, 0x07}, "0000216"...)
	u = ParseUpDown(ack, false)
	if u.Session != 7 || u.BlockLen != 216 || !u.HasLength {
		t.Errorf("Start Upload ACK = %+v", u)
	}
}

func TestParsePIService(t *testing.T) {
	p := append([]byte{
		0x28,                                     // PLC Control
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd, // unknown
		0x00, 0x02, // parameter block length
		'E', 'P', // parameter block
		0x05, // service name length
	}, "_MODU"...)
	s, ok := ParsePIService(p)
	if !ok || string(s.Service) != "_MODU" || string(s.Block) != "EP" {
		t.Errorf("ParsePIService = %q %q %v", s.Service, s.Block, ok)
	}
	if _, ok := ParsePIService(p[:len(p)-1]); ok {
		t.Error("truncated service name accepted")
	}
}

func TestParsePlus(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		want   Plus
		hasErr bool
	}{
		{"v3 request", plusFrame(3, []byte{0x31, 0x00, 0x00, 0x05, 0x4c, 0x00}),
			Plus{Version: 3, Length: 39, Opcode: 0x31, HasFn: true, Fn: 0x054c, Trailer: true}, false},
		{"v2 response without trailer", []byte{
			0x72, 0x02, // protocol id, version
			0x00, 0x05, // length
			0x32, 0x00, 0x00, 0x04, 0xbb, // opcode, reserved, function Explore
		}, Plus{Version: 2, Length: 5, Opcode: 0x32, HasFn: true, Fn: 0x04bb}, false},
		{"v1 notification", plusFrame(1, []byte{0x33, 0x00}), Plus{Version: 1, Length: 2, Opcode: 0x33, Trailer: true}, false},
		{"digest past end", []byte{0x72, 0x03, 0x00, 0x21, 0x20, 0x00}, Plus{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := ParsePlus(tt.in)
			if (err != nil) != tt.hasErr {
				t.Fatalf("err = %v", err)
			}
			if err == nil && h != tt.want {
				t.Errorf("ParsePlus = %+v, want %+v", h, tt.want)
			}
		})
	}
}
