package fins

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func TestFrames(t *testing.T) {
	tests := []struct {
		name string
		dir  dissect.Dir
		in   []byte
		want []string // field, value pairs of the fins.log record
	}{
		{"memory area read", dissect.Orig, memReadCmd, []string{
			"is_orig", "true", "icf_data_type", "command", "response_required", "true", "gateway_count", "2",
			"destination_node_number", "200", "source_node_number", "239", "service_id", "5",
			"command_code", "0x0101", "command", "MEMORY_AREA_READ",
			"memory_area_code", "0x82", "beginning_address", "100", "beginning_bit", "0", "number_of_items", "10",
			"response_code", ""}},
		{"memory area read response", dissect.Resp, memReadResp, []string{
			"is_orig", "false", "icf_data_type", "response", "destination_node_number", "239",
			"source_node_number", "200", "command", "MEMORY_AREA_READ", "response_code", "0x0000",
			"memory_area_code", ""}},
		{"memory area write", dissect.Orig, memWriteCmd, []string{
			"command", "MEMORY_AREA_WRITE", "memory_area_code", "0xb0", "beginning_address", "10", "number_of_items", "1"}},
		{"run", dissect.Orig, runCmd, []string{"command_code", "0x0401", "command", "RUN"}},
		{"unknown command keeps its code", dissect.Orig,
			[]byte{0x80, 0x00, 0x02, 0x00, 0xc8, 0x00, 0x00, 0xef, 0x00, 0x01, 0x7f, 0x7f},
			[]string{"command_code", "0x7f7f", "command", ""}},
		{"response not required", dissect.Orig,
			[]byte{0x81, 0x00, 0x07, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x01, 0x07, 0x01},
			[]string{"response_required", "false", "gateway_count", "7", "destination_network_address", "1",
				"destination_unit_address", "3", "source_network_address", "4", "source_unit_address", "6", "command", "CLOCK_READ"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := runUDP(t, step{tc.dir, tc.in})
			logs := c.Logs(logFINS)
			if len(logs) != 1 {
				t.Fatalf("%d records, want 1", len(logs))
			}
			dissecttest.Want(t, tc.name, logs[0], tc.want...)
		})
	}
}

func TestMalformed(t *testing.T) {
	tests := []struct {
		name  string
		in    []byte
		weird string
	}{
		{"short frame", []byte{0x80, 0x00, 0x02, 0x00}, weirdTruncated},
		{"reserved ICF bits", []byte{0x84, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01}, weirdBadHeader},
		{"RSV set", []byte{0x80, 0x01, 0x02, 0, 0, 0, 0, 0, 0, 0, 0x01, 0x01}, weirdBadHeader},
		{"unknown command", []byte{0x80, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0, 0x99, 0x99}, weirdUnknownCmd},
	}
	for _, tc := range tests {
		c, _ := runUDP(t, req(tc.in))
		if w := c.WeirdNames(); len(w) != 1 || w[0] != tc.weird {
			t.Errorf("%s: weirds %v, want [%s]", tc.name, w, tc.weird)
		}
	}
}

func TestEventsAndFacts(t *testing.T) {
	c, _ := runUDP(t, req(memWriteCmd), req(runCmd), req(stopCmd), req(ctrlDataCmd), resp(ctrlDataResp(0x09)),
		req([]byte{0x80, 0x00, 0x02, 0x00, 0xc8, 0x00, 0x00, 0xef, 0x00, 0x0a, 0x03, 0x07, 0xff, 0xff, 0, 0, 0, 0, 0, 0}),
		req([]byte{0x80, 0x00, 0x02, 0x00, 0xc8, 0x00, 0x00, 0xef, 0x00, 0x0b, 0x06, 0x01}),
		resp([]byte{0xc0, 0x00, 0x02, 0x00, 0xef, 0x00, 0x00, 0xc8, 0x00, 0x0b, 0x06, 0x01, 0x00, 0x00, 0x01, 0x04}))
	kinds := map[string]string{}
	for _, e := range c.Events {
		kinds[e.Kind] = e.Detail
		if e.Src != dissect.Orig {
			t.Errorf("event %s from %s, want the commanding side", e.Kind, e.Src)
		}
	}
	for kind, detail := range map[string]string{
		dissect.EvWrite: "MEMORY_AREA_WRITE", dissect.EvPLCStart: "RUN", dissect.EvPLCStop: "STOP",
		dissect.EvScan: "CONTROLLER_DATA_READ", dissect.EvProgramDownload: "PROGRAM_AREA_WRITE",
	} {
		if kinds[kind] != detail {
			t.Errorf("event %s = %q, want %q (events %+v)", kind, kinds[kind], detail, c.Events)
		}
	}
	facts := map[string]dissect.Fact{}
	for _, f := range c.Facts {
		facts[f.Attr+"/"+f.Value] = f
	}
	for _, k := range []string{"model/CJ2M-CPU33", "firmware/02.01", "plc_mode/run", "role/fins_server", "role/fins_client"} {
		if _, ok := facts[k]; !ok {
			t.Errorf("missing fact %s in %+v", k, c.Facts)
		}
	}
	if f := facts["model/CJ2M-CPU33"]; f.Side != dissect.Resp || f.Field != "fins.controller_model" {
		t.Errorf("model fact %+v", f)
	}
	if f := facts["role/fins_client"]; f.Side != dissect.Orig {
		t.Errorf("client role about %s", f.Side)
	}
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
}

func TestPairing(t *testing.T) {
	// A response nobody asked for, then a command answered with an error code.
	errResp := []byte{0xc0, 0x00, 0x02, 0x00, 0xef, 0x00, 0x00, 0xc8, 0x00, 0x06, 0x01, 0x02, 0x21, 0x01}
	c, _ := runUDP(t, resp(memReadResp), req(memWriteCmd), resp(errResp))
	if w := c.WeirdNames(); len(w) != 1 || w[0] != weirdUnmatched {
		t.Errorf("weirds %v, want one %s", w, weirdUnmatched)
	}
	var exc int
	for _, e := range c.Events {
		if e.Kind == dissect.EvException && e.Src == dissect.Orig && e.Detail == "MEMORY_AREA_WRITE" {
			exc++
		}
	}
	if exc != 1 {
		t.Errorf("%d exception events, want 1 about the writer: %+v", exc, c.Events)
	}
	dissecttest.Want(t, "error response", c.Logs(logFINS)[2], "response_code", "0x2101")
}

func TestPendingCap(t *testing.T) {
	env, c := dissecttest.NewEnv("fins", dissecttest.Flow(17, Port))
	p := newParser(env).(*parser)
	for i := 0; i < maxPending+10; i++ {
		cmd := append([]byte(nil), memReadCmd...)
		cmd[9] = byte(i)
		cmd[8] = byte(i >> 8) // SA2 varies too, the key is SID + command
		p.Parse(dissect.Orig, cmd)
	}
	if p.pending.Len() != maxPending {
		t.Errorf("%d pending, want the cap %d", p.pending.Len(), maxPending)
	}
	if n := c.WeirdCounts()[weirdTooMany]; n != 1 {
		t.Errorf("%d flood weirds, want 1", n)
	}
}

func TestTCPNodeAddressExchange(t *testing.T) {
	c := runTCP(t, req(tcpCmd(tcpClientNodeSend, []byte{0, 0, 0, 0})), // client asks for a node
		resp(tcpCmd(tcpServerNodeSend, []byte{0, 0, 0, 0xef, 0, 0, 0, 0xc8})))
	logs := c.Logs(logFINS)
	if len(logs) != 2 {
		t.Fatalf("%d records", len(logs))
	}
	dissecttest.Want(t, "client node", logs[0], "tcp_command", "CLIENT_NODE_ADDRESS_DATA_SEND", "client_node", "0", "is_orig", "true")
	dissecttest.Want(t, "server node", logs[1], "tcp_command", "SERVER_NODE_ADDRESS_DATA_SEND", "client_node", "239", "server_node", "200")
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"FINS/TCP node address request", tcpCmd(tcpClientNodeSend, []byte{0, 0, 0, 0}), dissect.Match},
		{"FINS/TCP frame", tcp(memReadCmd), dissect.Match},
		{"FINS/TCP partial", tcp(memReadCmd)[:10], dissect.NeedMore},
		{"FINS/TCP huge length", []byte{'F', 'I', 'N', 'S', 0x7f, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0}, dissect.NoMatch},
		{"FINS/TCP unknown command", []byte{'F', 'I', 'N', 'S', 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0, 0}, dissect.NoMatch},
		{"UDP command", memReadCmd, dissect.Match},
		{"UDP response", memReadResp, dissect.Match},
		{"UDP response without code", memReadResp[:12], dissect.NoMatch},
		{"HTTP", []byte("GET / HTTP/1.1\r\n\r\n"), dissect.NoMatch},
		{"TLS", []byte{0x16, 0x03, 0x01, 0x00, 0x85, 0x01, 0x00, 0x00, 0x81, 0x03, 0x03, 0x00}, dissect.NoMatch},
		{"zeros", make([]byte, 32), dissect.NoMatch},
		{"short", []byte{0x80}, dissect.NeedMore},
	}
	for _, tc := range tests {
		if got := Probe(dissect.Orig, tc.b); got != tc.want {
			t.Errorf("%s: Probe = %d, want %d", tc.name, got, tc.want)
		}
	}
}
