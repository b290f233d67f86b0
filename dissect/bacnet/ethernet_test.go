package bacnet

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// BACnet/Ethernet: the engine hands the bytes after the LLC header (SAP 0x82): an NPDU with no
// BVLC in front.
func TestBACnetEthernet(t *testing.T) {
	whoIs := []byte{
		0x01, 0x20, // NPDU version 1, control: DNET present
		0xff, 0xff, 0x00, // DNET 65535 (global broadcast), DLEN 0
		0xff,       // hop count
		0x10, 0x08, // APDU: unconfirmed request, Who-Is
	}
	if v := Probe(dissect.Orig, whoIs); v != dissect.Match {
		t.Fatalf("Probe = %v", v)
	}
	fl := &dissect.FlowInfo{UID: "CL2", Orig: dissect.Endpoint{MAC: [6]byte{0, 1, 2, 3, 4, 5}}, Resp: dissect.Endpoint{MAC: [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}}}
	env, c := dissecttest.NewEnv("bacnet", fl)
	p := newParser(env)
	if _, err := p.Parse(dissect.Orig, whoIs); err != nil {
		t.Fatal(err)
	}
	recs := c.Logs(logBacnet)
	if len(recs) != 1 {
		t.Fatalf("%d bacnet records", len(recs))
	}
	r := recs[0]
	if r.Get("pdu_service") != "who_is" || r.Get("bvlc_function") != "" || r.Get("source_mac") != "00:01:02:03:04:05" {
		t.Fatalf("record %s", r.Raw)
	}
	if v := Probe(dissect.Orig, []byte{0x01, 0x00, 0x77}); v != dissect.NoMatch {
		t.Fatalf("a broken NPDU matched: %v", v)
	}
}
