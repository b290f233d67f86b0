package cdp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// tlv builds one CDP TLV: type (2), length including the 4-byte header (2), value.
func tlv(typ int, v ...byte) []byte {
	n := len(v) + 4
	return append([]byte{byte(typ >> 8), byte(typ), byte(n >> 8), byte(n)}, v...)
}

func str(typ int, s string) []byte { return tlv(typ, []byte(s)...) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// router is the advertisement of Zeek's cdp-v1.pcap (a Cisco 1601), TLV by TLV.
var router = cat(
	[]byte{0x01, 0xb4, 0xdf, 0xf0}, // version 1, TTL 180, checksum
	str(tlvDeviceID, "R1"),
	tlv(tlvAddresses, 0x00, 0x00, 0x00, 0x01, // one address
		0x01, 0x01, 0xcc, // NLPID, length 1, IP
		0x00, 0x04, 192, 168, 10, 1),
	str(tlvPortID, "Ethernet0"),
	tlv(tlvCapabilities, 0x00, 0x00, 0x00, 0x01), // router
	str(tlvSoftware, "Cisco Internetwork Operating System Software \nIOS (tm) 1600 Software (C1600-NY-L), Version 11.2(12)P, RELEASE SOFTWARE (fc1)\nCopyright (c) 1986-1998 by cisco Systems, Inc."),
	str(tlvPlatform, "cisco 1601"),
)

// sw is a CDPv2 switch advertisement with the v2 TLVs, an IPv6 and a CLNS address.
var sw = cat(
	[]byte{0x02, 0xb4, 0x00, 0x00},
	str(tlvDeviceID, "sw1.plant.local"),
	tlv(tlvAddresses, 0x00, 0x00, 0x00, 0x03,
		0x01, 0x01, 0xcc, 0x00, 0x04, 10, 0, 0, 254, // IPv4
		0x02, 0x08, 0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x86, 0xdd, 0x00, 0x10, // 802.2, IPv6
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x01, 0x01, 0x81, 0x00, 0x02, 0x49, 0x00), // NLPID CLNS
	str(tlvPortID, "GigabitEthernet1/0/24"),
	tlv(tlvCapabilities, 0x00, 0x00, 0x00, 0x28), // switch, IGMP
	str(tlvSoftware, "Cisco IOS Software, C2960 Software (C2960-LANBASEK9-M), Version 15.0(2)SE5, RELEASE SOFTWARE (fc1)"),
	str(tlvPlatform, "cisco WS-C2960-24TT-L"),
	str(tlvVTPDomain, "PLANT"),
	tlv(tlvNativeVLAN, 0x00, 0x0a),
	tlv(tlvDuplex, 0x01),
	tlv(tlvMgmtAddrs, 0x00, 0x00, 0x00, 0x01, 0x01, 0x01, 0xcc, 0x00, 0x04, 10, 0, 0, 254),
)

var (
	srcMAC = [6]byte{0x00, 0xe0, 0x1e, 0xd5, 0xd5, 0x15}
	cdpMAC = [6]byte{0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc}
)

func flow() *dissect.FlowInfo {
	return &dissect.FlowInfo{UID: "CCDP00000000000001", Orig: dissect.Endpoint{MAC: srcMAC}, Resp: dissect.Endpoint{MAC: cdpMAC}, EtherType: 0x2000}
}

func run(t testing.TB, frames ...[]byte) (*dissecttest.Capture, *dissect.Env) {
	t.Helper()
	env, c := dissecttest.NewEnv("cdp", flow())
	dissecttest.ParseFrames(t, env, newParser(env), 0, frames...)
	return c, env
}

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		in    []byte
		want  map[string]string
		weird string
	}{
		{"router v1", router, map[string]string{
			"version": "1", "ttl": "180", "device_id": "R1", "addresses": `["192.168.10.1"]`, "port_id": "Ethernet0",
			"capabilities": `["router"]`, "platform": "cisco 1601", "src_mac": "00:e0:1e:d5:d5:15", "dst_mac": "01:00:0c:cc:cc:cc",
		}, ""},
		{"switch v2", sw, map[string]string{
			"version": "2", "device_id": "sw1.plant.local", "addresses": `["10.0.0.254","fe80::1"]`, "other_addresses": "1",
			"capabilities": `["switch","igmp"]`, "vtp_domain": "PLANT", "native_vlan": "10", "duplex": "full",
			"mgmt_addresses": `["10.0.0.254"]`, "port_id": "GigabitEthernet1/0/24",
		}, ""},
		{"TLV beyond the frame", cat(router, []byte{0x00, 0x05, 0x00, 0x40, 'x'}), map[string]string{"device_id": "R1"}, weirdTruncated},
		{"TLV length below 4", cat(router[:4], []byte{0x00, 0x01, 0x00, 0x02}, str(tlvDeviceID, "R1")), map[string]string{"device_id": ""}, weirdBadTLV},
		{"capabilities of 2 bytes", cat(router[:4], tlv(tlvCapabilities, 0, 1)), map[string]string{"capabilities": ""}, weirdBadTLV},
		{"address count lies", cat(router[:4], tlv(tlvAddresses, 0, 0, 0, 9, 0x01, 0x01, 0xcc, 0x00, 0x04, 1, 2, 3, 4)),
			map[string]string{"addresses": `["1.2.3.4"]`}, weirdBadTLV},
		{"version 3", cat([]byte{0x03, 0xb4, 0, 0}, str(tlvDeviceID, "R1")), nil, weirdBadVersion},
		{"header cut", []byte{0x02, 0xb4}, nil, weirdTruncated},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, env := run(t, tc.in)
			recs := c.Logs("cdp")
			if tc.want == nil {
				if len(recs) != 0 || env.PDUs != 0 {
					t.Fatalf("logged %v", recs)
				}
			} else {
				if len(recs) != 1 {
					t.Fatalf("%d records", len(recs))
				}
				for k, v := range tc.want {
					if g := recs[0].Get(k); g != v {
						t.Errorf("%s = %q, want %q", k, g, v)
					}
				}
			}
			w := c.Logs("weird")
			if tc.weird == "" && len(w) != 0 || tc.weird != "" && (len(w) != 1 || w[0].Get("name") != tc.weird) {
				t.Errorf("weirds %v, want %q", w, tc.weird)
			}
		})
	}
}

func TestFacts(t *testing.T) {
	c, _ := run(t, router, router)
	want := map[string]string{
		dissect.AttrHostname:   "R1",
		dissect.AttrModel:      "cisco 1601",
		dissect.AttrSoftware:   "IOS (tm) 1600 Software (C1600-NY-L), Version 11.2(12)P, RELEASE SOFTWARE (fc1)",
		dissect.AttrFirmware:   "11.2(12)P",
		dissect.AttrVendor:     "Cisco",
		dissect.AttrDeviceType: "router",
		dissect.AttrIP:         "192.168.10.1",
		"switch_port":          "Ethernet0",
	}
	if len(c.Facts) != len(want) {
		t.Fatalf("%d facts for a repeated advertisement, want %d: %+v", len(c.Facts), len(want), c.Facts)
	}
	for _, f := range c.Facts {
		if f.Side != dissect.Orig || want[f.Attr] != f.Value {
			t.Errorf("fact %s=%q side %v", f.Attr, f.Value, f.Side)
		}
	}
	c, _ = run(t, sw)
	n := 0
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrIP {
			n++
		}
		if f.Attr == dissect.AttrDeviceType && f.Value != "switch" {
			t.Errorf("device type %q", f.Value)
		}
	}
	if n != 3 {
		t.Errorf("%d IP facts, want 3", n)
	}
}

func TestWeirdOncePerFlow(t *testing.T) {
	bad := cat(router[:4], tlv(tlvCapabilities, 0, 1))
	c, _ := run(t, bad, bad, bad)
	if n := len(c.Logs("weird")); n != 1 {
		t.Errorf("%d weirds, want 1", n)
	}
}

// TestDatagramSemantics is the segmentation matrix for a frame protocol: nothing is ever
// pending, a split advertisement is two bad frames, Gap is a no-op.
func TestDatagramSemantics(t *testing.T) {
	env, c := dissecttest.NewEnv("cdp", flow())
	s := &dissecttest.Stream{P: newParser(env)}
	s.Write(t, dissect.Orig, router[:30])
	s.Write(t, dissect.Orig, router[30:])
	if s.Pending(dissect.Orig) != 0 {
		t.Fatal("bytes pending")
	}
	if recs := c.Logs("cdp"); len(recs) != 1 || recs[0].Get("device_id") != "R1" || recs[0].Get("platform") != "" {
		t.Fatalf("split: %v", recs) // the first half logs what it holds; the second is no CDP header
	}
	s.Write(t, dissect.Orig, cat(router, sw))
	if recs := c.Logs("cdp"); len(recs) != 2 {
		t.Fatalf("glued: %d records", len(recs))
	}
	for i := range router {
		s.Write(t, dissect.Orig, router[i:i+1])
	}
	if s.Pending(dissect.Orig) != 0 {
		t.Fatal("bytes pending")
	}
	s.Gap(dissect.Orig, 10)
	s.Write(t, dissect.Orig, sw)
	recs := c.Logs("cdp")
	if last := recs[len(recs)-1]; last.Get("device_id") != "sw1.plant.local" {
		t.Fatalf("after gap: %v", last.Raw)
	}
}

func TestProbe(t *testing.T) {
	if Probe(dissect.Orig, router) != dissect.Match || Probe(dissect.Orig, sw) != dissect.Match {
		t.Fatal("Probe refused CDP")
	}
	for _, junk := range [][]byte{
		[]byte("GET / HTTP/1.1\r\n"),
		{0x01, 0xb4, 0, 0, 0x00, 0x01, 0x00, 0x40}, // first TLV beyond the frame
		{0x01, 0xb4, 0, 0, 0x00, 0x01, 0x00, 0x02}, // length below 4
		{0x01, 0xb4},
	} {
		if Probe(dissect.Orig, junk) != dissect.NoMatch {
			t.Errorf("Probe(%x) matched", junk)
		}
	}
}

// TestNonCDPNotLogged: an STP BPDU-like payload on the Cisco SNAP id is refused by the probe
// and, fed to the parser anyway, gives no cdp.log line.
func TestNonCDPNotLogged(t *testing.T) {
	junk := []byte{0x00, 0x00, 0x02, 0x02, 0x3c, 0x80, 0x00, 0x00, 0x1e, 0x13, 0x7a, 0x0b, 0x00}
	if Probe(dissect.Orig, junk) != dissect.NoMatch {
		t.Fatal("probe matched")
	}
	c, env := run(t, junk)
	if len(c.Logs("cdp")) != 0 || env.PDUs != 0 {
		t.Errorf("junk logged: %v", c.Records)
	}
}
