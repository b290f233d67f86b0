package testutil

import (
	"net"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"
)

// Frame describes a test frame; Build serialises it with gopacket (an encoder independent of
// our decoder) and fixes lengths and checksums.
type Frame struct {
	SrcMAC, DstMAC string // default 00:00:00:00:00:01 / :02
	VLANs          []uint16
	Src, Dst       string // IPv4 or IPv6 addresses
	TCP            bool
	UDP            bool
	SrcPort        uint16
	DstPort        uint16
	Seq, Ack       uint32
	Flags          string // any of "SAFRP"
	Payload        []byte
}

// Build returns the Ethernet frame.
func (f Frame) Build(t testing.TB) []byte {
	t.Helper()
	src, dst := f.SrcMAC, f.DstMAC
	if src == "" {
		src = "00:00:00:00:00:01"
	}
	if dst == "" {
		dst = "00:00:00:00:00:02"
	}
	sm, _ := net.ParseMAC(src)
	dm, _ := net.ParseMAC(dst)
	sip, dip := net.ParseIP(f.Src), net.ParseIP(f.Dst)
	v6 := sip.To4() == nil
	eth := &layers.Ethernet{SrcMAC: sm, DstMAC: dm, EthernetType: layers.EthernetTypeIPv4}
	if v6 {
		eth.EthernetType = layers.EthernetTypeIPv6
	}
	var ls []gopacket.SerializableLayer
	ls = append(ls, eth)
	if len(f.VLANs) > 0 {
		inner := eth.EthernetType
		eth.EthernetType = layers.EthernetTypeDot1Q
		if len(f.VLANs) > 1 {
			eth.EthernetType = layers.EthernetTypeQinQ
		}
		for i, v := range f.VLANs {
			next := inner
			if i < len(f.VLANs)-1 {
				next = layers.EthernetTypeDot1Q
			}
			ls = append(ls, &layers.Dot1Q{VLANIdentifier: v, Type: next})
		}
	}
	var nl gopacket.NetworkLayer
	proto := layers.IPProtocolTCP
	if f.UDP {
		proto = layers.IPProtocolUDP
	}
	if v6 {
		ip := &layers.IPv6{Version: 6, SrcIP: sip, DstIP: dip, NextHeader: proto, HopLimit: 64}
		ls = append(ls, ip)
		nl = ip
	} else {
		ip := &layers.IPv4{Version: 4, IHL: 5, TTL: 64, SrcIP: sip.To4(), DstIP: dip.To4(), Protocol: proto}
		ls = append(ls, ip)
		nl = ip
	}
	if f.UDP {
		u := &layers.UDP{SrcPort: layers.UDPPort(f.SrcPort), DstPort: layers.UDPPort(f.DstPort)}
		u.SetNetworkLayerForChecksum(nl)
		ls = append(ls, u)
	} else {
		tc := &layers.TCP{SrcPort: layers.TCPPort(f.SrcPort), DstPort: layers.TCPPort(f.DstPort), Seq: f.Seq, Ack: f.Ack, Window: 8192}
		for _, c := range f.Flags {
			switch c {
			case 'S':
				tc.SYN = true
			case 'A':
				tc.ACK = true
			case 'F':
				tc.FIN = true
			case 'R':
				tc.RST = true
			case 'P':
				tc.PSH = true
			}
		}
		tc.SetNetworkLayerForChecksum(nl)
		ls = append(ls, tc)
	}
	ls = append(ls, gopacket.Payload(f.Payload))
	buf := gopacket.NewSerializeBuffer()
	if err := gopacket.SerializeLayers(buf, gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}, ls...); err != nil {
		t.Fatalf("building frame: %v", err)
	}
	return append([]byte(nil), buf.Bytes()...)
}
