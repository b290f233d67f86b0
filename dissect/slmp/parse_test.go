package slmp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func TestFrames(t *testing.T) {
	c := run(t, 6, req(readD100), resp(readD100Resp), req(writeM0), resp(writeResp), req(remoteStop4E), resp(remoteStop4EResp))
	logs := c.Logs(logSLMP)
	if len(logs) != 6 {
		t.Fatalf("%d records, want 6", len(logs))
	}
	dissecttest.Want(t, "read", logs[0], "is_orig", "true", "frame", "3E", "pdu_type", "request", "network_number", "0",
		"pc_number", "255", "io_number", "0x03ff", "station_number", "0", "data_length", "12", "monitoring_timer", "16",
		"command_code", "0x0401", "command", "DEVICE_READ", "subcommand", "0x0000",
		"device_code", "0xa8", "device", "D", "head_device_number", "100", "number_of_points", "3")
	dissecttest.Want(t, "read response", logs[1], "is_orig", "false", "pdu_type", "response", "command", "DEVICE_READ", "end_code", "0x0000")
	dissecttest.Want(t, "write", logs[2], "command", "DEVICE_WRITE", "subcommand", "0x0001", "device", "M", "head_device_number", "0", "number_of_points", "1")
	dissecttest.Want(t, "stop", logs[4], "frame", "4E", "serial_number", "4660", "command", "REMOTE_STOP")
	dissecttest.Want(t, "stop response", logs[5], "frame", "4E", "serial_number", "4660", "command", "REMOTE_STOP", "end_code", "0x0000")
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
	kinds := map[string]string{}
	for _, e := range c.Events {
		kinds[e.Kind] = e.Detail
	}
	if kinds[dissect.EvWrite] != "DEVICE_WRITE" || kinds[dissect.EvPLCStop] != "REMOTE_STOP" {
		t.Errorf("events %+v", c.Events)
	}
}

func TestTypeNameFact(t *testing.T) {
	c := run(t, 17, req(typeName), resp(typeNameResp))
	var model string
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrModel {
			model = f.Value
			if f.Side != dissect.Resp {
				t.Errorf("model about %s", f.Side)
			}
		}
	}
	if model != "Q03UDVCPU" {
		t.Errorf("model %q, facts %+v", model, c.Facts)
	}
}

func TestPairing(t *testing.T) {
	errResp := []byte{0xd0, 0x00, 0x00, 0xff, 0xff, 0x03, 0x00, 0x02, 0x00, 0x51, 0xc0} // end code 0xc051
	c := run(t, 6, resp(writeResp), req(writeM0), resp(errResp))
	if w := c.WeirdNames(); len(w) != 1 || w[0] != weirdUnmatched {
		t.Errorf("weirds %v", w)
	}
	logs := c.Logs(logSLMP)
	dissecttest.Want(t, "unmatched", logs[0], "command", "", "end_code", "0x0000")
	dissecttest.Want(t, "error", logs[2], "command", "DEVICE_WRITE", "end_code", "0xc051")
	var exc int
	for _, e := range c.Events {
		if e.Kind == dissect.EvException && e.Src == dissect.Orig {
			exc++
		}
	}
	if exc != 1 {
		t.Errorf("%d exceptions", exc)
	}
}

func TestPendingCap(t *testing.T) {
	env, c := dissecttest.NewEnv("slmp", dissecttest.Flow(6, 5007))
	p := newParser(env).(*parser)
	for i := 0; i < maxPending+5; i++ {
		p.Parse(dissect.Orig, readD100)
	}
	if p.pending.Len() != maxPending || c.WeirdCounts()[weirdTooMany] != 1 {
		t.Errorf("pending %d, weirds %v", p.pending.Len(), c.WeirdNames())
	}
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"3E request", readD100, dissect.Match},
		{"3E response", readD100Resp, dissect.Match},
		{"4E request", remoteStop4E, dissect.Match},
		{"partial header", readD100[:5], dissect.NeedMore},
		{"header without command yet", readD100[:11], dissect.NeedMore},
		{"unknown command", []byte{0x50, 0x00, 0x00, 0xff, 0xff, 0x03, 0x00, 0x06, 0x00, 0x10, 0x00, 0x99, 0x99, 0x00, 0x00}, dissect.NoMatch},
		{"4E reserved set", []byte{0x54, 0x00, 0x34, 0x12, 0x01, 0x00, 0x00, 0xff, 0xff, 0x03, 0x00, 0x08, 0x00}, dissect.NoMatch},
		{"length too large", []byte{0x50, 0x00, 0x00, 0xff, 0xff, 0x03, 0x00, 0xff, 0xff}, dissect.NoMatch},
		{"ASCII 3E", []byte("500000FF03FF000018001004010000D*0001000003"), dissect.NoMatch},
		{"HTTP on 5000", []byte("GET / HTTP/1.1\r\n\r\n"), dissect.NoMatch},
		{"SSDP-like", []byte("M-SEARCH * HTTP/1.1\r\n"), dissect.NoMatch},
	}
	for _, tc := range tests {
		if got := Probe(dissect.Orig, tc.b); got != tc.want {
			t.Errorf("%s: Probe = %d, want %d", tc.name, got, tc.want)
		}
	}
}
