package mqtt

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// pkt builds a control packet: first octet, remaining length (variable byte integer), body.
func pkt(first byte, body ...[]byte) []byte {
	var b []byte
	for _, p := range body {
		b = append(b, p...)
	}
	out := []byte{first}
	n := len(b)
	for {
		c := byte(n & 0x7f)
		n >>= 7
		if n > 0 {
			c |= 0x80
		}
		out = append(out, c)
		if n == 0 {
			break
		}
	}
	return append(out, b...)
}

// s is a two-octet length prefixed string.
func s(v string) []byte { return append([]byte{byte(len(v) >> 8), byte(len(v))}, v...) }

func u16(v uint16) []byte { return []byte{byte(v >> 8), byte(v)} }

var (
	// CONNECT 3.1.1: "MQTT" level 4, flags user+password+will(QoS0)+clean, keepalive 60.
	connect311 = pkt(0x10, s("MQTT"), []byte{4, 0xc6}, u16(60), s("plc-7"), s("plant/status"), s("offline"),
		s("operator"), s("hunter2"))
	// CONNECT 3.1: "MQIsdp" level 3, clean session only.
	connect31 = pkt(0x10, s("MQIsdp"), []byte{3, 0x02}, u16(60), s("paho/1"))
	// CONNECT 5.0 with an empty property block (and empty will properties).
	connect5 = pkt(0x10, s("MQTT"), []byte{5, 0x06}, u16(60), []byte{0x00}, s("dev5"), []byte{0x00},
		s("will/t"), s("bye"))
	connack   = pkt(0x20, []byte{0x00, 0x00})
	connackNA = pkt(0x20, []byte{0x00, 0x05})
	connack5  = pkt(0x20, []byte{0x00, 0x87, 0x00})
	pub0      = pkt(0x30, s("plant/temp"), []byte("21.5"))
	pub0Ret   = pkt(0x31, s("plant/mode"), []byte("auto"))
	pub1      = pkt(0x32, s("plant/cmd"), u16(7), []byte("open"))
	puback1   = pkt(0x40, u16(7))
	pub2      = pkt(0x34, s("plant/setp"), u16(8), []byte("42"))
	pubrec2   = pkt(0x50, u16(8))
	pubrel2   = pkt(0x62, u16(8))
	pubcomp2  = pkt(0x70, u16(8))
	sub       = pkt(0x82, u16(3), s("plant/#"), []byte{1}, s("alarms"), []byte{0})
	suback    = pkt(0x90, u16(3), []byte{1, 0})
	unsub     = pkt(0xa2, u16(4), s("alarms"))
	unsuback  = pkt(0xb0, u16(4))
	pingreq   = []byte{0xc0, 0x00}
	pingresp  = []byte{0xd0, 0x00}
	disc      = []byte{0xe0, 0x00}
)

type step struct {
	dir dissect.Dir
	b   []byte
}

func c2s(b []byte) step { return step{dissect.Orig, b} }
func s2c(b []byte) step { return step{dissect.Resp, b} }

var session = []step{
	c2s(connect311), s2c(connack), c2s(sub), s2c(suback), c2s(pub0), c2s(pub1), s2c(puback1),
	c2s(pub2), s2c(pubrec2), c2s(pubrel2), s2c(pubcomp2), s2c(pub0Ret), c2s(pingreq), s2c(pingresp),
	c2s(unsub), s2c(unsuback), c2s(disc),
}

func run(t testing.TB, steps ...step) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("mqtt", dissecttest.Flow(6, 1883))
	st := &dissecttest.Stream{P: newParser(env)}
	for _, x := range steps {
		if err := st.Write(t, x.dir, x.b); err != nil {
			t.Fatalf("Parse: %v", err)
		}
	}
	st.P.Close()
	return c
}

func newTestEnv() (*dissect.Env, *dissecttest.Capture) {
	return dissecttest.NewEnv("mqtt", dissecttest.Flow(6, 1883))
}
