package pndcp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// blk builds a DCP block (padded to even length).
func blk(opt, sub byte, v ...byte) []byte {
	b := cat([]byte{opt, sub, byte(len(v) >> 8), byte(len(v))}, v)
	if len(v)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

// dcpFrame builds a DCP payload: FrameID, ServiceID, ServiceType, Xid, delay, length, blocks.
func dcpFrame(fid uint16, svc, typ byte, xid uint32, blocks ...[]byte) []byte {
	data := cat(blocks...)
	return cat([]byte{byte(fid >> 8), byte(fid), svc, typ,
		byte(xid >> 24), byte(xid >> 16), byte(xid >> 8), byte(xid), 0, 1, byte(len(data) >> 8), byte(len(data))}, data)
}

func flow() *dissect.FlowInfo {
	return &dissect.FlowInfo{UID: "CPN0000000000001", EtherType: EtherType,
		Orig: dissect.Endpoint{MAC: [6]byte{0x08, 0x00, 0x06, 0x93, 0xcf, 0x32}},
		Resp: dissect.Endpoint{MAC: [6]byte{0x00, 0x0c, 0x29, 0xba, 0x09, 0xea}}}
}

func run(t testing.TB, frames ...[]byte) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("pndcp", flow())
	p := newParser(env)
	dissecttest.ParseFrames(t, env, p, 1e6, frames...)
	p.Close()
	return c
}

// identifyResponse is an annotated Identify response of an IO device.
var identifyResponse = []byte{
	0xfe, 0xff, // FrameID: Identify response
	0x05, 0x01, // ServiceID Identify, ServiceType response success
	0x01, 0x00, 0x00, 0x01, // Xid
	0x00, 0x00, // reserved
	0x00, 0x34, // DCPDataLength 52
	0x02, 0x02, 0x00, 0x0b, 0x00, 0x00, 'x', '2', '0', '8', '-', 'b', 'o', 'r', 'd', 0x00, // NameOfStation (BlockInfo 0) + pad
	0x02, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x2a, 0x0a, 0x01, // DeviceID: vendor 0x002a, device 0x0a01
	0x02, 0x04, 0x00, 0x04, 0x00, 0x00, 0x01, 0x00, // DeviceRole: IO-Device
	0x01, 0x02, 0x00, 0x0e, 0x00, 0x01, // IP parameter, BlockInfo "IP set"
	192, 168, 0, 6, 255, 255, 255, 0, 192, 168, 0, 1, // IP, mask, gateway
}

func TestIdentifyResponse(t *testing.T) {
	if Probe(dissect.Orig, identifyResponse) != dissect.Match {
		t.Fatal("Probe refused an Identify response")
	}
	c := run(t, identifyResponse, identifyResponse)
	recs := c.Logs(logDCP)
	if len(recs) != 2 {
		t.Fatalf("%d records", len(recs))
	}
	want := map[string]string{"frame_id": "0xfeff", "service_id": "IDENTIFY", "service_type": "RESPONSE_SUCCESS",
		"xid": "0x01000001", "name_of_station": "x208-bord", "vendor_id": "0x002a", "device_id": "0x0a01",
		"device_role": "IO-Device", "ip": "192.168.0.6", "subnet_mask": "255.255.255.0", "gateway": "192.168.0.1",
		"options": `["NAME_OF_STATION","DEVICE_ID","DEVICE_ROLE","IP_PARAMETER"]`}
	for k, v := range want {
		if g := recs[0].Get(k); g != v {
			t.Errorf("%s = %q, want %q", k, g, v)
		}
	}
	facts := map[string]string{}
	for _, f := range c.Facts {
		if f.Side != dissect.Orig {
			t.Errorf("fact about %v", f.Side)
		}
		facts[f.Attr] = f.Value
	}
	for k, v := range map[string]string{dissect.AttrName: "x208-bord", dissect.AttrVendorID: "42",
		dissect.AttrProductCode: "2561", dissect.AttrIP: "192.168.0.6", dissect.AttrRole: "profinet_io_device"} {
		if facts[k] != v {
			t.Errorf("fact %s = %q, want %q", k, facts[k], v)
		}
	}
	if len(c.Facts) != 6 { // no type of station; the second, identical response adds nothing
		t.Errorf("%d facts, want 6: %+v", len(c.Facts), c.Facts)
	}
}

func TestRequestsAndEvents(t *testing.T) {
	c := run(t,
		dcpFrame(fidIdentifyReq, svcIdentify, 0, 1, blk(0xff, 0xff)),                               // Identify All
		dcpFrame(fidIdentifyReq, svcIdentify, 0, 2, blk(2, 2, []byte("plc1")...)),                  // Identify by name
		dcpFrame(fidGetSet, svcSet, 0, 3, blk(1, 2, 0, 1, 10, 0, 0, 9, 255, 0, 0, 0, 10, 0, 0, 1)), // Set IP
		dcpFrame(fidGetSet, svcSet, 0, 4, blk(2, 2, cat([]byte{0, 1}, []byte("evil"))...)),         // Set name
		dcpFrame(fidGetSet, svcSet, 0, 5, blk(5, 3, 0, 0, 1, 0)),                                   // Signal
		dcpFrame(fidGetSet, svcSet, 0, 6, blk(5, 6, 0, 0)),                                         // Reset to factory
		dcpFrame(fidGetSet, svcSet, 1, 6, blk(5, 4, 5, 6, 3)),                                      // Set.res, error 3
		dcpFrame(fidGetSet, svcGet, 0, 7, []byte{2, 2, 1, 2}),                                      // Get name, IP
		dcpFrame(fidGetSet, 9, 0, 8),                                                               // unknown service
		dcpFrame(fidIdentifyRes, svcIdentify, 1, 9, blk(2, 2, 0, 0, 'a'), []byte{2, 2, 0, 40, 0}),  // block overruns the PDU
	)
	var got []string
	for _, e := range c.Events {
		got = append(got, e.Kind+": "+e.Detail)
	}
	want := []string{
		"scan: DCP Identify All",
		"config_write: DCP Set IP 10.0.0.9 mask 255.0.0.0 gateway 10.0.0.1",
		`config_write: DCP Set NameOfStation "evil"`,
		"command: DCP Set CONTROL_SIGNAL",
		"config_write: DCP Set CONTROL_RESET_TO_FACTORY",
	}
	if len(got) != len(want) {
		t.Fatalf("events %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %q, want %q", i, got[i], want[i])
		}
	}
	recs := c.Logs(logDCP)
	if len(recs) != 10 {
		t.Fatalf("%d records", len(recs))
	}
	if recs[1].Get("name_of_station") != "plc1" || recs[1].Get("response_delay") != "1" {
		t.Errorf("identify by name: %s", recs[1].Raw)
	}
	if recs[6].Get("block_error") != "3" || recs[7].Get("options") != `["NAME_OF_STATION","IP_PARAMETER"]` {
		t.Errorf("set.res/get.req: %s | %s", recs[6].Raw, recs[7].Raw)
	}
	w := c.WeirdCounts()
	if w[weirdSetError] != 1 || w[weirdUnknownService] != 1 || w[weirdMalformed] != 1 {
		t.Errorf("weirds %v", w)
	}
}

// rtFrame is a cyclic RT_CLASS_1 frame: 36 bytes of IO data then the APDU status.
func rtFrame(fid uint16, cycle uint16, status byte) []byte {
	return cat([]byte{byte(fid >> 8), byte(fid)}, make([]byte, 36), []byte{byte(cycle >> 8), byte(cycle), status, 0})
}

func TestRTSummary(t *testing.T) {
	env, c := dissecttest.NewEnv("pndcp", flow())
	p := newParser(env)
	for i := 0; i < 1000; i++ { // 1000 frames, 100 ms apart: 100 s
		st := byte(0x35) // primary, valid, run, no problem
		if i >= 990 {
			st = 0x25 // provider STOP
		}
		p.Parse(dissect.Orig, rtFrame(0x8001, uint16(i*32), st))
		env.TS += 100e6
	}
	p.Close()
	recs := c.Logs(logRT)
	if len(recs) != 2 {
		t.Fatalf("%d summaries, want 2", len(recs))
	}
	if recs[0].Get("frames") != "600" || recs[1].Get("frames") != "400" || recs[1].Get("provider_stop") != "10" ||
		recs[0].Get("rt_class") != "RT_CLASS_1" || recs[1].Get("data_status") != "0x25" || recs[0].Get("frame_id") != "0x8001" {
		t.Errorf("summaries:\n%s\n%s", recs[0].Raw, recs[1].Raw)
	}
	if len(c.Logs(logDCP)) != 0 {
		t.Error("RT frames logged as DCP")
	}
}

func TestAlarmEvent(t *testing.T) {
	a := cat([]byte{0xfc, 0x01}, // FrameID alarm high
		[]byte{0, 1, 0, 2, 0x11, 0, 0, 1, 0xff, 0xff, 0, 26}, // RTA header: DATA PDU, VarPartLen 26
		[]byte{0, 1, 0, 22, 1, 0},                            // AlarmNotificationHigh block header
		[]byte{0, 3, 0, 0, 0, 0, 0, 2, 0, 1},                 // AlarmType Pull, API 0, slot 2, subslot 1
		make([]byte, 10))
	c := run(t, a)
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvDeviceFlag || c.Events[0].Detail != "PROFINET alarm Pull slot 2 subslot 0x1" {
		t.Errorf("events %+v", c.Events)
	}
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"identify response", identifyResponse, dissect.Match},
		{"cyclic", rtFrame(0xc000, 1, 0x35), dissect.Match},
		{"short cyclic", rtFrame(0xc000, 1, 0x35)[:20], dissect.NoMatch},
		{"DCP unknown service", dcpFrame(fidGetSet, 9, 0, 1), dissect.NoMatch},
		{"DCP bad type", dcpFrame(fidGetSet, svcGet, 7, 1), dissect.NoMatch},
		{"DCP length beyond frame", identifyResponse[:30], dissect.NoMatch},
		{"reserved frame id", cat([]byte{0xfd, 0x00}, make([]byte, 60)), dissect.NoMatch},
		{"one byte", []byte{0xfe}, dissect.NoMatch},
	}
	for _, tc := range tests {
		if g := Probe(dissect.Orig, tc.b); g != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, g, tc.want)
		}
	}
}

// TestStreamSemantics: one frame per Parse; a frame split in two is a short DCP PDU and an
// RT frame of an unknown id, glued frames are one frame with trailing bytes, Gap is a no-op.
func TestStreamSemantics(t *testing.T) {
	env, c := dissecttest.NewEnv("pndcp", flow())
	s := &dissecttest.Stream{P: newParser(env)}
	for _, chunk := range [][]byte{identifyResponse[:8], cat(identifyResponse, identifyResponse)} {
		if err := s.Write(t, dissect.Orig, chunk); err != nil || s.Pending(dissect.Orig) != 0 {
			t.Fatalf("err %v pending %d", err, s.Pending(dissect.Orig))
		}
	}
	s.Gap(dissect.Orig, 5)
	s.P.Close()
	if c.WeirdCounts()[weirdShort] != 1 || len(c.Logs(logDCP)) != 1 {
		t.Errorf("weirds %v, dcp records %d", c.WeirdCounts(), len(c.Logs(logDCP)))
	}
}

func TestNoAllocs(t *testing.T) {
	env, _ := dissecttest.NewEnv("pndcp", flow())
	env.Out = dissecttest.Discard{}
	p := newParser(env)
	rt := rtFrame(0x8001, 1, 0x35)
	p.Parse(dissect.Orig, identifyResponse)
	p.Parse(dissect.Orig, rt)
	allocs := testing.AllocsPerRun(1000, func() {
		p.Parse(dissect.Orig, identifyResponse)
		p.Parse(dissect.Orig, rt)
		env.TS += 1e6
	})
	if allocs != 0 {
		t.Errorf("%v allocs, want 0", allocs)
	}
}

func BenchmarkParse(b *testing.B) {
	env, _ := dissecttest.NewEnv("pndcp", flow())
	env.Out = dissecttest.Discard{}
	p := newParser(env)
	rt := rtFrame(0x8001, 1, 0x35)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if i%16 == 0 {
			p.Parse(dissect.Orig, identifyResponse)
		} else {
			p.Parse(dissect.Orig, rt)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/PDU")
}
