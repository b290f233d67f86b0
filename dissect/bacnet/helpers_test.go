package bacnet

import (
	"path/filepath"
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// bvll wraps an NPDU+APDU in a BVLC header with function fn and the right length.
func bvll(fn byte, npduAPDU ...byte) []byte {
	n := 4 + len(npduAPDU)
	return append([]byte{0x81, fn, byte(n >> 8), byte(n)}, npduAPDU...)
}

// local prefixes an APDU with a local NPDU header (version 1, control 0x04 expecting reply).
func local(apdu ...byte) []byte { return append([]byte{0x01, 0x04}, apdu...) }

// unicast is an Original-Unicast-NPDU carrying apdu on the local network.
func unicast(apdu ...byte) []byte { return bvll(0x0a, local(apdu...)...) }

// broadcast is an Original-Broadcast-NPDU carrying apdu.
func broadcast(apdu ...byte) []byte { return bvll(0x0b, append([]byte{0x01, 0x00}, apdu...)...) }

// Handmade PDUs, annotated.
var (
	// ReadProperty request, invoke 1: analog-output 101 present-value.
	rpReq = unicast(
		0x00, 0x05, 0x01, 0x0c, // confirmed request, max resp 1476, invoke 1, service 12
		0x0c, 0x00, 0x40, 0x00, 0x65, // [0] object id: type 1 (analog-output), instance 101
		0x19, 0x55, // [1] property 85 present-value
	)
	// ReadProperty ACK, invoke 1: real 10.0.
	rpAck = unicast(
		0x30, 0x01, 0x0c, // complex ACK, invoke 1, service 12
		0x0c, 0x00, 0x40, 0x00, 0x65, // [0] analog-output 101
		0x19, 0x55, // [1] present-value
		0x3e, 0x44, 0x41, 0x20, 0x00, 0x00, 0x3f, // [3] { real 10.0 }
	)
	// ReadProperty of the device object's model-name, and its ACK "SYSC MLX".
	rpModelReq = unicast(0x00, 0x05, 0x02, 0x0c, 0x0c, 0x02, 0x00, 0x00, 0x1d, 0x19, 0x46)
	rpModelAck = unicast(0x30, 0x02, 0x0c, 0x0c, 0x02, 0x00, 0x00, 0x1d, 0x19, 0x46,
		0x3e, 0x75, 0x09, 0x00, 'S', 'Y', 'S', 'C', ' ', 'M', 'L', 'X', 0x3f) // charstring, UTF-8
	// WriteProperty, invoke 3: analog-output 101 present-value := real 5.0, priority 8.
	wpReq = unicast(0x00, 0x05, 0x03, 0x0f,
		0x0c, 0x00, 0x40, 0x00, 0x65, 0x19, 0x55,
		0x3e, 0x44, 0x40, 0xa0, 0x00, 0x00, 0x3f, // [3] { real 5.0 }
		0x49, 0x08) // [4] priority 8
	wpAck = unicast(0x20, 0x03, 0x0f) // simple ACK, invoke 3, write_property
	// Who-Is 108-108 and an I-Am of device 108, vendor 42.
	whoIs = broadcast(0x10, 0x08, 0x09, 0x6c, 0x19, 0x6c)
	iAm   = broadcast(0x10, 0x00,
		0xc4, 0x02, 0x00, 0x00, 0x6c, // object id device 108
		0x22, 0x05, 0xc4, // max APDU 1476
		0x91, 0x00, // segmentation segmented-both
		0x21, 0x2a) // vendor 42
	// ReinitializeDevice warmstart with password "filister", and an Error password-failure.
	reinitReq = unicast(0x00, 0x05, 0x04, 0x14, 0x09, 0x01,
		0x1d, 0x09, 0x00, 'f', 'i', 'l', 'i', 's', 't', 'e', 'r')
	reinitErr = unicast(0x50, 0x04, 0x14, 0x91, 0x05, 0x91, 0x1a) // error class services, code 26
)

// newTest returns a parser on a UDP flow 10.0.0.1:50000 -> 10.0.0.2:47808 and its capture.
func newTest() (*parser, *dissecttest.Capture) {
	env, c := dissecttest.NewEnv("bacnet", dissecttest.Flow(17, 47808))
	return newParser(env).(*parser), c
}

func feed(t *testing.T, p *parser, dir dissect.Dir, b []byte) {
	t.Helper()
	if n, err := p.Parse(dir, b); n != len(b) || err != nil {
		t.Fatalf("Parse = %d, %v; want %d, nil", n, err, len(b))
	}
}

// weirds returns the names of the weird records.
// check compares fields of rec with want.
func check(t *testing.T, what string, rec dissecttest.Rec, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := rec.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q (%s)", what, k, got, v, rec.Raw)
		}
	}
}

func filepathGlob(pat string) ([]string, error) { return filepath.Glob(pat) }
