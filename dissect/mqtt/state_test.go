package mqtt

import (
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func TestSessionLogs(t *testing.T) {
	c := run(t, session...)
	conn := c.Logs(logConnect)
	if len(conn) != 1 {
		t.Fatalf("%d connect lines", len(conn))
	}
	dissecttest.Want(t, "connect", conn[0], "proto_name", "MQTT", "proto_version", "3.1.1", "client_id", "plc-7",
		"connect_status", "Connection Accepted", "will_topic", "plant/status", "will_payload", "offline")
	pubs := c.Logs(logPublish)
	if len(pubs) != 4 {
		t.Fatalf("%d publish lines, want 4", len(pubs))
	}
	dissecttest.Want(t, "qos0", pubs[0], "from_client", "true", "qos", "at most once", "status", "ok", "topic", "plant/temp", "payload", "21.5", "payload_len", "4")
	dissecttest.Want(t, "qos1", pubs[1], "qos", "at least once", "status", "ok", "topic", "plant/cmd", "payload", "open")
	dissecttest.Want(t, "qos2", pubs[2], "qos", "exactly once", "status", "ok", "topic", "plant/setp")
	dissecttest.Want(t, "to client", pubs[3], "from_client", "false", "retain", "true", "topic", "plant/mode")
	subs := c.Logs(logSubscribe)
	if len(subs) != 2 {
		t.Fatalf("%d subscribe lines, want 2", len(subs))
	}
	dissecttest.Want(t, "subscribe", subs[0], "action", "MQTT::SUBSCRIBE", "topics", `["plant/#","alarms"]`, "qos_levels", "[1,0]",
		"granted_qos_level", "1", "ack", "true")
	dissecttest.Want(t, "unsubscribe", subs[1], "action", "MQTT::UNSUBSCRIBE", "topics", `["alarms"]`, "qos_levels", "", "ack", "true")
	if w := c.WeirdNames(); len(w) != 1 || w[0] != WeirdCleartextPassword {
		t.Errorf("weirds %v, want only the cleartext password", w)
	}
	var login []dissect.Event
	for _, e := range c.Events {
		if e.Kind == dissect.EvLogin {
			login = append(login, e)
		}
		if strings.Contains(e.Detail, "hunter2") {
			t.Errorf("password in event %+v", e)
		}
	}
	if len(login) != 1 || login[0].Detail != "user operator" || login[0].Src != dissect.Orig {
		t.Errorf("login events %+v", login)
	}
	for _, r := range c.Records {
		if strings.Contains(r.Raw, "hunter2") {
			t.Errorf("password in %s", r.Raw)
		}
	}
	facts := map[string]dissect.Dir{}
	for _, f := range c.Facts {
		facts[f.Attr+"="+f.Value] = f.Side
	}
	if d, ok := facts["name=plc-7"]; !ok || d != dissect.Orig {
		t.Errorf("client id fact %v", facts)
	}
	if d, ok := facts["role=mqtt_broker"]; !ok || d != dissect.Resp {
		t.Errorf("broker role %v", facts)
	}
}

func TestVersions(t *testing.T) {
	c := run(t, c2s(connect31), s2c(connackNA))
	dissecttest.Want(t, "3.1", c.Logs(logConnect)[0], "proto_name", "MQIsdp", "proto_version", "3.1",
		"connect_status", "Refused: not authorized", "will_topic", "")
	// 5.0: properties in CONNECT, CONNACK, PUBLISH, SUBSCRIBE and SUBACK are skipped.
	pub5 := pkt(0x32, s("t5"), u16(9), []byte{0x02, 0x01, 0x01}, []byte("v"))
	sub5 := pkt(0x82, u16(5), []byte{0x00}, s("a/+"), []byte{0x02})
	suback5 := pkt(0x90, u16(5), []byte{0x00}, []byte{0x02})
	puback5 := pkt(0x40, u16(9), []byte{0x00, 0x00})
	c = run(t, c2s(connect5), s2c(connack5), c2s(pub5), s2c(puback5), c2s(sub5), s2c(suback5))
	dissecttest.Want(t, "5.0", c.Logs(logConnect)[0], "proto_version", "5.0", "client_id", "dev5",
		"connect_status", "Refused: not authorized", "will_topic", "will/t", "will_payload", "bye")
	dissecttest.Want(t, "5.0 publish", c.Logs(logPublish)[0], "topic", "t5", "payload", "v", "payload_len", "1", "status", "ok")
	dissecttest.Want(t, "5.0 subscribe", c.Logs(logSubscribe)[0], "topics", `["a/+"]`, "qos_levels", "[2]", "granted_qos_level", "2")
	if w := c.WeirdNames(); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
}

func TestIncompleteAndAnomalies(t *testing.T) {
	// A QoS 1 publish never acknowledged is logged at Close as incomplete_qos; a QoS 2 one
	// that lacks PUBREL stays incomplete too; an ack for nothing is an anomaly.
	c := run(t, c2s(connect31), s2c(connack), c2s(pub1), c2s(pub2), s2c(pubrec2), s2c(pubcomp2), s2c(pkt(0x40, u16(99))))
	pubs := c.Logs(logPublish)
	if len(pubs) != 2 {
		t.Fatalf("%d publish lines", len(pubs))
	}
	for _, r := range pubs {
		dissecttest.Want(t, "incomplete", r, "status", "incomplete_qos")
	}
	if w := c.WeirdNames(); len(w) != 1 || w[0] != WeirdUnmatchedAck {
		t.Errorf("weirds %v", w)
	}
	// Zeek's 5 s expiry: a later packet flushes the stale publish.
	env, cap2 := newTestEnv()
	p := newParser(env)
	p.Parse(dissect.Orig, pub1)
	env.TS += 6_000_000_000
	p.Parse(dissect.Orig, pingreq)
	if n := len(cap2.Logs(logPublish)); n != 1 {
		t.Errorf("%d publish lines after the timeout, want 1", n)
	}
	// Truncated payload: Zeek's 100-octet cap, payload_len keeps the real size.
	long := strings.Repeat("x", 250)
	c = run(t, c2s(pkt(0x30, s("big"), []byte(long))))
	dissecttest.Want(t, "long", c.Logs(logPublish)[0], "payload", long[:100], "payload_len", "250")
	// A subscription never acknowledged is logged at Close with ack false.
	c = run(t, c2s(sub))
	dissecttest.Want(t, "unacked", c.Logs(logSubscribe)[0], "ack", "false", "granted_qos_level", "")
	// Bad fixed headers: reserved type 0, QoS 3, SUBSCRIBE with flags 0, 5-octet length.
	for _, b := range [][]byte{{0x00, 0x00}, {0x36, 0x00}, {0x80, 0x02, 0, 1}, {0x30, 0xff, 0xff, 0xff, 0xff, 0x01}} {
		c = run(t, c2s(b))
		if len(c.WeirdNames()) == 0 {
			t.Errorf("%x: no weird", b)
		}
	}
	// An unknown protocol name in a CONNECT is reported.
	c = run(t, c2s(pkt(0x10, s("MQTX"), []byte{4, 0}, u16(1), s("x"))))
	if w := c.WeirdNames(); len(w) != 1 || w[0] != WeirdUnknownProtocol {
		t.Errorf("weirds %v", w)
	}
}

func TestPendingFlood(t *testing.T) {
	var steps []step
	for i := 0; i < MaxPending+5; i++ {
		steps = append(steps, c2s(pkt(0x32, s("t"), u16(uint16(i+1)), []byte("v"))))
	}
	c := run(t, steps...)
	n := 0
	for _, w := range c.WeirdNames() {
		if w == WeirdPendingFlood {
			n++
		}
	}
	if n != 1 || len(c.Logs(logPublish)) != MaxPending+5 {
		t.Errorf("flood weirds %d, %d publish lines", n, len(c.Logs(logPublish)))
	}
}

// A publish larger than MaxPacket is logged from its first bytes and the rest is skipped.
func TestOversizedPublish(t *testing.T) {
	big := pkt(0x30, s("fw/image"), make([]byte, MaxPacket+1000))
	c := run(t, c2s(big[:5000]), c2s(big[5000:40000]), c2s(big[40000:]), c2s(pub0))
	pubs := c.Logs(logPublish)
	if len(pubs) != 2 {
		t.Fatalf("%d publish lines, want 2", len(pubs))
	}
	dissecttest.Want(t, "big", pubs[0], "topic", "fw/image", "payload_len", "62440")
	dissecttest.Want(t, "next", pubs[1], "topic", "plant/temp")
}
