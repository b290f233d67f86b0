package lldp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// tlv builds one LLDP TLV: 7-bit type, 9-bit length, value.
func tlv(typ int, v ...byte) []byte {
	return append([]byte{byte(typ<<1 | len(v)>>8), byte(len(v))}, v...)
}

func str(typ int, s string) []byte { return tlv(typ, []byte(s)...) }

func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var (
	srcMAC        = [6]byte{0x00, 0x22, 0x2d, 0x81, 0xdb, 0x10}
	nearestBridge = [6]byte{0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e}
)

// switchPDU is the LLDPDU of Zeek's lldp.pcap (an SMC GS8P switch), TLV by TLV.
var switchPDU = cat(
	tlv(tlvChassisID, 0x04, 0x00, 0x22, 0x2d, 0x81, 0xdb, 0x10), // subtype 4 MAC address
	tlv(tlvPortID, 0x07, '1'),                                   // subtype 7 locally assigned "1"
	tlv(tlvTTL, 0x00, 0x78),                                     // 120 s
	str(tlvPortDesc, "Port #1"),
	str(tlvSysName, "SMCGS8P-Smart"),
	str(tlvSysDesc, "SMCGS8P-Smart - SMCGS8P-Smart v3.20"),
	tlv(tlvSysCaps, 0x00, 0x04, 0x00, 0x04), // bridge / bridge
	tlv(tlvMgmtAddr, 0x05, 0x01, 192, 168, 2, 10, // length 5, IPv4 192.168.2.10
		0x02, 0x00, 0x00, 0x00, 0x01, // ifIndex 1
		0x00), // no OID
	tlv(tlvEnd),
)

// orgPDU carries the IEEE 802.1/802.3 TLVs and two vendor TLVs.
var orgPDU = cat(
	tlv(tlvChassisID, 0x05, 0x01, 10, 1, 2, 3),                                              // network address 10.1.2.3
	str(tlvPortID, "\x05Gi1/0/7"),                                                           // interface name
	tlv(tlvTTL, 0x00, 0x00),                                                                 // shutdown LLDPDU
	tlv(tlvSysCaps, 0x00, 0x94, 0x00, 0x10),                                                 // bridge, router, station; router enabled
	tlv(tlvOrgSpecific, 0x00, 0x80, 0xc2, 0x01, 0x00, 0x0a),                                 // 802.1 PVID 10
	tlv(tlvOrgSpecific, 0x00, 0x80, 0xc2, 0x03, 0x00, 0x0a, 0x04, 'o', 't', '\x00', '\x00'), // VLAN 10 "ot"
	tlv(tlvOrgSpecific, 0x00, 0x80, 0xc2, 0x03, 0x00, 0x14, 0x03, 'i', 't', 's'),            // VLAN 20 "its"
	tlv(tlvOrgSpecific, 0x00, 0x12, 0x0f, 0x01, 0x03, 0x6c, 0x00, 0x00, 0x10),               // MAC/PHY autoneg on, MAU 16
	tlv(tlvOrgSpecific, 0x00, 0x12, 0x0f, 0x04, 0x05, 0xf2),                                 // max frame 1522
	tlv(tlvOrgSpecific, 0x00, 0x12, 0xbb, 0x01, 0x00, 0x0f, 0x04),                           // LLDP-MED capabilities
	tlv(tlvOrgSpecific, 0x00, 0x0e, 0xcf, 0x02, 0x00),                                       // PROFINET
	tlv(tlvEnd),
)

func flow() *dissect.FlowInfo {
	return &dissect.FlowInfo{UID: "CLLDP0000000000001", Orig: dissect.Endpoint{MAC: srcMAC}, Resp: dissect.Endpoint{MAC: nearestBridge}, EtherType: EtherType}
}

func run(t testing.TB, frames ...[]byte) (*dissecttest.Capture, *dissect.Env) {
	t.Helper()
	env, c := dissecttest.NewEnv("lldp", flow())
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
		{"switch", switchPDU, map[string]string{
			"src_mac": "00:22:2d:81:db:10", "chassis_id_subtype": "mac_address", "chassis_id": "00:22:2d:81:db:10",
			"port_id_subtype": "locally_assigned", "port_id": "1", "ttl": "120", "port_description": "Port #1",
			"system_name": "SMCGS8P-Smart", "system_description": "SMCGS8P-Smart - SMCGS8P-Smart v3.20",
			"capabilities": `["bridge"]`, "enabled_capabilities": `["bridge"]`, "mgmt_addresses": `["192.168.2.10"]`,
		}, ""},
		{"802.1, 802.3 and vendor TLVs", orgPDU, map[string]string{
			"chassis_id_subtype": "network_address", "chassis_id": "10.1.2.3", "port_id_subtype": "interface_name",
			"port_id": "Gi1/0/7", "ttl": "0", "capabilities": `["bridge","router","station_only"]`,
			"enabled_capabilities": `["router"]`, "port_vlan_id": "10", "vlan_ids": "[10,20]",
			"vlan_names": `["ot","its"]`, "autoneg_supported": "true", "autoneg_enabled": "true", "mau_type": "16",
			"max_frame_size": "1522", "vendor_tlvs": "2",
		}, ""},
		{"TLV longer than the frame", cat(tlv(tlvChassisID, 0x07, 'a'), tlv(tlvPortID, 0x07, 'b'), []byte{0x06, 0x02, 0x00}),
			map[string]string{"chassis_id": "a", "port_id": "b", "ttl": ""}, weirdTruncated},
		{"TTL missing", cat(tlv(tlvChassisID, 0x07, 'a'), tlv(tlvPortID, 0x07, 'b'), tlv(tlvEnd)),
			map[string]string{"chassis_id": "a"}, weirdMandatory},
		{"port before chassis", cat(tlv(tlvPortID, 0x07, 'b'), tlv(tlvChassisID, 0x07, 'a'), tlv(tlvTTL, 0, 1)),
			map[string]string{"chassis_id": "a", "port_id": "b"}, weirdMandatory},
		{"empty chassis id", cat(tlv(tlvChassisID, 0x07), tlv(tlvPortID, 0x07, 'b'), tlv(tlvTTL, 0, 1)),
			map[string]string{"chassis_id": "", "port_id": "b"}, weirdBadTLV},
		{"capabilities of 3 bytes", cat(tlv(tlvChassisID, 0x07, 'a'), tlv(tlvPortID, 0x07, 'b'), tlv(tlvTTL, 0, 1), tlv(tlvSysCaps, 0, 4, 0)),
			map[string]string{"capabilities": ""}, weirdBadTLV},
		{"second TTL (Wireshark lldp.minimal)", cat(tlv(tlvChassisID, 0x07, 'a'), tlv(tlvPortID, 0x07, 'b'), tlv(tlvTTL, 0, 120), tlv(tlvTTL, 0, 1)),
			map[string]string{"ttl": "120"}, weirdDuplicate},
		{"no identity at all", cat(tlv(tlvTTL, 0, 1), tlv(tlvEnd)), nil, weirdMandatory},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, env := run(t, tc.in)
			recs := c.Logs("lldp")
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
			found := false
			for _, r := range w {
				found = found || r.Get("name") == tc.weird
			}
			if tc.weird == "" && len(w) != 0 || tc.weird != "" && !found {
				t.Errorf("weirds %v, want %q", w, tc.weird)
			}
		})
	}
}

func TestFacts(t *testing.T) {
	c, _ := run(t, switchPDU, switchPDU, switchPDU)
	want := map[string]string{
		dissect.AttrHostname:   "SMCGS8P-Smart",
		dissect.AttrSoftware:   "SMCGS8P-Smart - SMCGS8P-Smart v3.20",
		dissect.AttrDeviceType: "switch",
		dissect.AttrIP:         "192.168.2.10",
		dissect.AttrMAC:        "00:22:2d:81:db:10",
		"switch_port":          "1",
	}
	if len(c.Facts) != len(want) {
		t.Fatalf("%d facts for a repeated LLDPDU, want %d (once): %+v", len(c.Facts), len(want), c.Facts)
	}
	for _, f := range c.Facts {
		if f.Side != dissect.Orig || want[f.Attr] != f.Value {
			t.Errorf("fact %s=%q side %v", f.Attr, f.Value, f.Side)
		}
	}
	if len(c.Logs("lldp")) != 3 {
		t.Errorf("every LLDPDU is logged")
	}
	// A changed LLDPDU sends its facts again; enabled router beats system capabilities.
	c, _ = run(t, switchPDU, orgPDU)
	var dt []string
	for _, f := range c.Facts {
		if f.Attr == dissect.AttrDeviceType {
			dt = append(dt, f.Value)
		}
	}
	if len(dt) != 2 || dt[1] != "router" {
		t.Errorf("device types %v", dt)
	}
}

func TestDeviceType(t *testing.T) {
	for caps, want := range map[uint16]string{1 << 2: "switch", 1<<2 | 1<<4: "router", 1 << 5: "telephone", 1 << 7: "station", 1 << 3: "wireless_access_point", 1: ""} {
		if g := deviceType(caps); g != want {
			t.Errorf("deviceType(%#x) = %q, want %q", caps, g, want)
		}
	}
}

func TestWeirdOncePerFlow(t *testing.T) {
	bad := cat(tlv(tlvChassisID, 0x07, 'a'), tlv(tlvPortID, 0x07, 'b'), tlv(tlvTTL, 0, 120), tlv(tlvTTL, 0, 1))
	c, _ := run(t, bad, bad, bad)
	if n := len(c.Logs("weird")); n != 1 {
		t.Errorf("%d weirds for a repeated bad LLDPDU, want 1", n)
	}
}

// TestDatagramSemantics is the segmentation matrix for a frame protocol: nothing is ever
// pending; a split LLDPDU is two bad frames; glued LLDPDUs stop at the first End TLV; Gap is
// a no-op.
func TestDatagramSemantics(t *testing.T) {
	env, c := dissecttest.NewEnv("lldp", flow())
	s := &dissecttest.Stream{P: newParser(env)}
	s.Write(t, dissect.Orig, switchPDU[:20])
	s.Write(t, dissect.Orig, switchPDU[20:])
	if s.Pending(dissect.Orig) != 0 {
		t.Fatal("bytes pending")
	}
	if recs := c.Logs("lldp"); len(recs) != 1 || recs[0].Get("system_name") != "" {
		t.Fatalf("first half: %v", recs) // chassis + port + TTL fit in 20 bytes; the rest is lost
	}
	s.Write(t, dissect.Orig, cat(switchPDU, orgPDU))
	if recs := c.Logs("lldp"); len(recs) != 2 || recs[1].Get("vendor_tlvs") != "" || recs[1].Get("system_name") != "SMCGS8P-Smart" {
		t.Fatalf("glued: %v", recs[len(recs)-1].Raw)
	}
	for i := range switchPDU {
		s.Write(t, dissect.Orig, switchPDU[i:i+1])
	}
	if s.Pending(dissect.Orig) != 0 || len(c.Logs("lldp")) != 2 {
		t.Fatalf("byte at a time logged %d", len(c.Logs("lldp")))
	}
	s.Gap(dissect.Orig, 10)
	s.Write(t, dissect.Orig, orgPDU)
	if recs := c.Logs("lldp"); len(recs) != 3 || recs[2].Get("port_id") != "Gi1/0/7" {
		t.Fatalf("after gap: %v", recs)
	}
}

func TestProbe(t *testing.T) {
	if Probe(dissect.Orig, switchPDU) != dissect.Match || Probe(dissect.Orig, orgPDU) != dissect.Match {
		t.Fatal("Probe refused an LLDPDU")
	}
	for _, junk := range [][]byte{
		[]byte("GET / HTTP/1.1\r\n"),
		tlv(tlvPortID, 0x07, 'b'),
		{0x02, 0xff, 0x04, 0x00}, // chassis id longer than the frame
		{0x02, 0x01, 0x04},
	} {
		if Probe(dissect.Orig, junk) != dissect.NoMatch {
			t.Errorf("Probe(%x) matched", junk)
		}
	}
}

// TestNonLLDPNotLogged: bytes that are not an LLDPDU are refused by the probe and, fed to the
// parser anyway, produce no lldp.log line.
func TestNonLLDPNotLogged(t *testing.T) {
	junk := []byte("\x45\x00\x00\x54\x12\x34\x40\x00\x40\x01\xde\xad\xc0\xa8\x00\x01")
	if Probe(dissect.Orig, junk) != dissect.NoMatch {
		t.Fatal("probe matched")
	}
	c, env := run(t, junk)
	if len(c.Logs("lldp")) != 0 || env.PDUs != 0 {
		t.Errorf("junk logged: %v", c.Records)
	}
}
