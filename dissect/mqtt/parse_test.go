package mqtt

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

func TestParseHeader(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		res  int
		typ  uint8
		rem  int
		hlen int
	}{
		{"pingreq", []byte{0xc0, 0x00}, hdrOK, typePingreq, 0, 2},
		{"two-octet length 321", []byte{0x30, 0xc1, 0x02}, hdrOK, typePublish, 321, 3},
		{"max length 268435455", []byte{0x30, 0xff, 0xff, 0xff, 0x7f}, hdrOK, typePublish, 268435455, 5},
		{"five-octet length", []byte{0x30, 0xff, 0xff, 0xff, 0xff, 0x01}, hdrBadVarint, 0, 0, 0},
		{"length cut", []byte{0x30, 0xff}, hdrShort, 0, 0, 0},
		{"reserved type 0", []byte{0x00, 0x00}, hdrBadType, 0, 0, 0},
		{"PUBREL flags must be 2", []byte{0x60, 0x02}, hdrBadType, 0, 0, 0},
		{"QoS 3", []byte{0x36, 0x02}, hdrBadType, 0, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h, res := parseHeader(tc.in)
			if res != tc.res {
				t.Fatalf("res %d, want %d", res, tc.res)
			}
			if res == hdrOK && (h.typ != tc.typ || h.rem != tc.rem || h.hlen != tc.hlen) {
				t.Errorf("got %+v", h)
			}
		})
	}
}

func TestParseConnect(t *testing.T) {
	c, err := parseConnect(connect311[2:])
	if err != nil {
		t.Fatal(err)
	}
	if string(c.name) != "MQTT" || c.level != 4 || string(c.clientID) != "plc-7" || string(c.willTopic) != "plant/status" ||
		string(c.willPayload) != "offline" || string(c.user) != "operator" || !c.hasPass {
		t.Errorf("%+v", c)
	}
	if _, err := parseConnect(connect311[2:20]); err == nil {
		t.Error("truncated CONNECT accepted")
	}
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want dissect.Verdict
	}{
		{"CONNECT 3.1.1", connect311, dissect.Match},
		{"CONNECT 3.1", connect31, dissect.Match},
		{"CONNECT 5.0", connect5, dissect.Match},
		{"CONNECT cut in the name", connect311[:6], dissect.NeedMore},
		{"first octet only", connect311[:1], dissect.NeedMore},
		{"CONNACK (the other side decides)", connack, dissect.NeedMore},
		{"other protocol name", pkt(0x10, s("MQTX"), []byte{4, 0}, u16(1), s("x")), dissect.NoMatch},
		{"wrong level", pkt(0x10, s("MQTT"), []byte{3, 0}, u16(1), s("x")), dissect.NoMatch},
		{"HTTP", []byte("GET / HTTP/1.1\r\n"), dissect.NoMatch},
		{"TLS", []byte{0x16, 0x03, 0x01, 0x00, 0x10}, dissect.NoMatch},
		{"0x10 then garbage", []byte{0x10, 0x05, 0x00, 0x09, 'a', 'b', 'c'}, dissect.NoMatch},
		{"PUBLISH mid-stream", pub0, dissect.NoMatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Probe(dissect.Orig, tc.in); got != tc.want {
				t.Errorf("Probe = %d, want %d", got, tc.want)
			}
		})
	}
}

// Non-MQTT bytes on port 1883: the probe refuses them and the parser logs nothing.
func TestNonMQTTOnPort1883(t *testing.T) {
	for _, b := range [][]byte{[]byte("SSH-2.0-OpenSSH_8.9\r\n"), {0x16, 0x03, 0x01, 0x02, 0x00, 0x01}} {
		if v := Probe(dissect.Orig, b); v != dissect.NoMatch {
			t.Errorf("Probe(%q) = %d", b, v)
		}
		c := run(t, c2s(b))
		for _, l := range []string{logConnect, logPublish, logSubscribe} {
			if n := len(c.Logs(l)); n != 0 {
				t.Errorf("%d %s lines from %q", n, l, b)
			}
		}
	}
}
