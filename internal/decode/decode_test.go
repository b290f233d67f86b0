package decode

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"

	"github.com/quietwire/quietwire/internal/testutil"
)

func ip(p *Packet, src bool) netip.Addr {
	b := p.DstIP
	if src {
		b = p.SrcIP
	}
	if p.IPVersion == 4 {
		return netip.AddrFrom4([4]byte(b[:4]))
	}
	return netip.AddrFrom16(b)
}

func TestDecodeFrames(t *testing.T) {
	cases := []struct {
		name  string
		f     testutil.Frame
		vlans int
	}{
		{"ipv4 tcp", testutil.Frame{Src: "10.0.0.1", Dst: "10.0.0.2", TCP: true, SrcPort: 1234, DstPort: 502, Seq: 7, Flags: "PA", Payload: []byte("hello")}, 0},
		{"ipv4 udp vlan", testutil.Frame{VLANs: []uint16{42}, Src: "10.0.0.1", Dst: "10.0.0.2", UDP: true, SrcPort: 47808, DstPort: 47808, Payload: []byte{0x81, 0x0b, 0, 4}}, 1},
		{"ipv6 tcp qinq", testutil.Frame{VLANs: []uint16{100, 200}, Src: "fe80::1", Dst: "fe80::2", TCP: true, SrcPort: 4840, DstPort: 50000, Flags: "S"}, 2},
	}
	d := New(Config{})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.f.Build(t)
			p, r := d.Decode(1, b, 5, len(b))
			if r != OK {
				t.Fatalf("reason %v", r)
			}
			if p.NVLAN != c.vlans || (c.vlans > 0 && p.VLANs[0] != c.f.VLANs[0]) {
				t.Fatalf("vlans %v (%d)", p.VLANs, p.NVLAN)
			}
			if ip(p, true).String() != c.f.Src || ip(p, false).String() != c.f.Dst {
				t.Fatalf("addresses %v %v", ip(p, true), ip(p, false))
			}
			if p.SrcPort != c.f.SrcPort || p.DstPort != c.f.DstPort || string(p.Payload) != string(c.f.Payload) {
				t.Fatalf("ports %d %d payload %q", p.SrcPort, p.DstPort, p.Payload)
			}
			if c.f.TCP && p.Seq != c.f.Seq {
				t.Fatalf("seq %d", p.Seq)
			}
		})
	}
}

func TestEthernetPaddingTrimmed(t *testing.T) {
	b := testutil.Frame{Src: "10.0.0.1", Dst: "10.0.0.2", UDP: true, SrcPort: 1, DstPort: 2, Payload: []byte{1, 2}}.Build(t)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0) // padding to the Ethernet minimum
	p, r := New(Config{}).Decode(1, b, 0, len(b))
	if r != OK || len(p.Payload) != 2 {
		t.Fatalf("reason %v payload %v", r, p.Payload)
	}
}

func TestDrops(t *testing.T) {
	good := testutil.Frame{Src: "10.0.0.1", Dst: "10.0.0.2", TCP: true, SrcPort: 1, DstPort: 2, Flags: "S"}.Build(t)
	badVer := append([]byte(nil), good...)
	badVer[14] = 0x55
	badOff := append([]byte(nil), good...)
	badOff[14+20+12] = 0x20 // data offset 8 bytes
	cases := []struct {
		name string
		lt   uint16
		b    []byte
		wire int // 0: the frame as captured is the whole frame
		want Reason
	}{
		{"short ethernet", 1, good[:10], 0, DropTruncL2},
		{"short ip", 1, good[:20], 0, DropTruncIP},
		{"bad version", 1, badVer, 0, DropBadIP},
		{"short tcp (snap length)", 1, good[:14+20+10], len(good), DropTruncL4},
		{"IP length past an uncut frame", 1, good[:14+20+10], 0, DropTruncIP},
		{"bad data offset", 1, badOff, 0, DropBadL4},
		{"unknown link", 999, good, 0, DropLinkType},
		{"short sll", 113, good[:8], 0, DropTruncL2},
	}
	d := New(Config{})
	for _, c := range cases {
		wire := c.wire
		if wire == 0 {
			wire = len(c.b)
		}
		if _, r := d.Decode(c.lt, c.b, 0, wire); r != c.want {
			t.Errorf("%s: got %v want %v", c.name, r, c.want)
		}
	}
}

func TestSLLAndRaw(t *testing.T) {
	eth := testutil.Frame{Src: "192.168.1.1", Dst: "192.168.1.2", UDP: true, SrcPort: 5, DstPort: 6, Payload: []byte("x")}.Build(t)
	ipPart := eth[14:]
	sll := make([]byte, 16)
	binary.BigEndian.PutUint16(sll[4:], 6)
	copy(sll[6:], []byte{1, 2, 3, 4, 5, 6})
	binary.BigEndian.PutUint16(sll[14:], 0x0800)
	sll2 := make([]byte, 20)
	binary.BigEndian.PutUint16(sll2, 0x0800)
	sll2[11] = 6
	d := New(Config{})
	for _, c := range []struct {
		lt uint16
		b  []byte
	}{{113, append(sll, ipPart...)}, {276, append(sll2, ipPart...)}, {101, ipPart}, {228, ipPart}} {
		p, r := d.Decode(c.lt, c.b, 0, len(c.b))
		if r != OK || p.SrcPort != 5 || string(p.Payload) != "x" {
			t.Fatalf("link %d: %v %+v", c.lt, r, p)
		}
	}
}

func fragment(t *testing.T, v6 bool) [][]byte {
	payload := make([]byte, 3000)
	for i := range payload {
		payload[i] = byte(i)
	}
	src, dst := "10.1.1.1", "10.1.1.2"
	if v6 {
		src, dst = "2001:db8::1", "2001:db8::2"
	}
	full := testutil.Frame{Src: src, Dst: dst, UDP: true, SrcPort: 20000, DstPort: 20000, Payload: payload}.Build(t)
	var out [][]byte
	if !v6 {
		hdr, body := full[:34], full[34:] // eth + ip
		for off := 0; off < len(body); off += 1480 {
			end := min(off+1480, len(body))
			fr := append(append([]byte(nil), hdr...), body[off:end]...)
			binary.BigEndian.PutUint16(fr[16:], uint16(20+end-off))
			fo := uint16(off / 8)
			if end < len(body) {
				fo |= 0x2000
			}
			binary.BigEndian.PutUint16(fr[18:], 0x1234)
			binary.BigEndian.PutUint16(fr[20:], fo)
			out = append(out, fr)
		}
		return out
	}
	eth, ip6, body := full[:14], full[14:54], full[54:]
	for off := 0; off < len(body); off += 1448 {
		end := min(off+1448, len(body))
		h := append([]byte(nil), ip6...)
		h[6] = 44
		binary.BigEndian.PutUint16(h[4:], uint16(8+end-off))
		fh := []byte{17, 0, 0, 0, 0, 0, 0x55, 0x66}
		fo := uint16(off)
		if end < len(body) {
			fo |= 1
		}
		binary.BigEndian.PutUint16(fh[2:], fo)
		fr := append(append(append(append([]byte(nil), eth...), h...), fh...), body[off:end]...)
		out = append(out, fr)
	}
	return out
}

func TestFragmentReassembly(t *testing.T) {
	for _, v6 := range []bool{false, true} {
		frs := fragment(t, v6)
		if len(frs) < 3 {
			t.Fatalf("only %d fragments", len(frs))
		}
		// Deliver out of order: last first.
		order := []int{len(frs) - 1}
		for i := 0; i < len(frs)-1; i++ {
			order = append(order, i)
		}
		d := New(Config{})
		for n, i := range order {
			p, r := d.Decode(1, frs[i], int64(n), len(frs[i]))
			if n < len(order)-1 {
				if r != FragHeld {
					t.Fatalf("v6=%v fragment %d: %v", v6, i, r)
				}
				continue
			}
			if r != OK || !p.Frag || p.SrcPort != 20000 || len(p.Payload) != 3000 || p.Payload[2999] != byte(2999%256) {
				t.Fatalf("v6=%v reassembled: %v len %d", v6, r, len(p.Payload))
			}
		}
		if re, _ := d.FragStats(); re != 1 {
			t.Fatalf("reassembled %d", re)
		}
	}
}

func TestFragmentTimeoutAndCap(t *testing.T) {
	frs := fragment(t, false)
	d := New(Config{MaxFragDatagrams: 1, FragTimeout: 10})
	if _, r := d.Decode(1, frs[0], 0, 0); r != FragHeld {
		t.Fatal(r)
	}
	// A second datagram (other id) while the only slot is busy: overflow.
	other := append([]byte(nil), frs[0]...)
	binary.BigEndian.PutUint16(other[18:], 0x9999)
	if _, r := d.Decode(1, other, 1, 0); r != DropFragOverflow {
		t.Fatalf("want overflow, got %v", r)
	}
	// After the timeout the slot is reclaimed.
	if _, r := d.Decode(1, other, 100, 0); r != FragHeld {
		t.Fatalf("want held after expiry, got %v", r)
	}
	if _, ex := d.FragStats(); ex != 1 {
		t.Fatalf("expired %d", ex)
	}
}

func TestIPv6ExtensionHeaders(t *testing.T) {
	b := testutil.Frame{Src: "2001:db8::1", Dst: "2001:db8::2", TCP: true, SrcPort: 1, DstPort: 102, Flags: "S"}.Build(t)
	// Insert a hop-by-hop header (8 bytes) before TCP.
	hbh := []byte{6, 0, 1, 4, 0, 0, 0, 0}
	nb := append(append(append([]byte(nil), b[:54]...), hbh...), b[54:]...)
	nb[14+6] = 0
	binary.BigEndian.PutUint16(nb[14+4:], binary.BigEndian.Uint16(b[14+4:])+8)
	p, r := New(Config{}).Decode(1, nb, 0, len(nb))
	if r != OK || p.Proto != 6 || p.DstPort != 102 {
		t.Fatalf("%v proto %d port %d", r, p.Proto, p.DstPort)
	}
	// A chain that runs past the packet.
	nb[14+40+1] = 200
	if _, r := New(Config{}).Decode(1, nb, 0, len(nb)); r != DropIPv6ExtChain {
		t.Fatalf("got %v", r)
	}
}

func TestDecodeAllocs(t *testing.T) {
	b := testutil.Frame{VLANs: []uint16{5}, Src: "10.0.0.1", Dst: "10.0.0.2", TCP: true, SrcPort: 1234, DstPort: 502, Flags: "PA", Payload: make([]byte, 12)}.Build(t)
	d := New(Config{})
	if n := testing.AllocsPerRun(1000, func() { d.Decode(1, b, 1, len(b)) }); n != 0 {
		t.Fatalf("%v allocs per decode", n)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(uint16(1), []byte{})
	for _, fr := range fragment(&testing.T{}, false) {
		f.Add(uint16(1), fr)
	}
	d := New(Config{})
	f.Fuzz(func(t *testing.T, lt uint16, b []byte) {
		p, r := d.Decode(lt, b, 0, len(b))
		if r == OK && len(p.Payload) > len(b) && !p.Frag {
			t.Fatalf("payload longer than frame")
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	fr := testutil.Frame{Src: "10.0.0.1", Dst: "10.0.0.2", TCP: true, SrcPort: 1234, DstPort: 502, Flags: "PA", Payload: make([]byte, 12)}.Build(b)
	d := New(Config{})
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		d.Decode(1, fr, int64(i), len(fr))
	}
}

func TestVerifyChecksums(t *testing.T) {
	for _, src := range []string{"10.0.0.1", "2001:db8::1"} {
		dst := "10.0.0.2"
		if src != "10.0.0.1" {
			dst = "2001:db8::2"
		}
		for _, udp := range []bool{false, true} {
			f := testutil.Frame{Src: src, Dst: dst, TCP: !udp, UDP: udp, SrcPort: 1, DstPort: 53, Flags: "PA", Payload: []byte("hello, checksum")}
			b := f.Build(t)
			d := New(Config{VerifyChecksums: true})
			if _, r := d.Decode(1, b, 0, len(b)); r != OK {
				t.Fatalf("%s udp=%v: good checksum rejected: %v", src, udp, r)
			}
			b[bytes.Index(b, []byte("hello"))] ^= 0xff // not the last byte: it may be Ethernet padding
			if _, r := d.Decode(1, b, 0, len(b)); r != DropBadChecksum {
				t.Fatalf("%s udp=%v: bad checksum: %v", src, udp, r)
			}
			if _, r := New(Config{}).Decode(1, b, 0, len(b)); r != OK {
				t.Fatalf("verification is off by default, got %v", r)
			}
		}
	}
}
