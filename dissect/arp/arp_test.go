package arp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

const t0 = int64(1_600_000_000_000_000_000)

func TestParse(t *testing.T) {
	ipv6 := []byte{
		0x00, 0x01, 0x86, 0xdd, 0x06, 0x10, 0x00, 0x02, // Ethernet, IPv6, hln 6, pln 16, reply
		0x78, 0x31, 0xc1, 0xc6, 0x3f, 0xc2, // sha
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, // spa fe80::1
		0xf8, 0xed, 0xa5, 0xc0, 0xa4, 0xf1, // tha
		0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, // tpa fe80::2
	}
	tests := []struct {
		name  string
		in    []byte
		want  map[string]string // arp.log fields; nil: no record
		weird string            // weird name and addl expected
		addl  string
	}{
		{
			name: "who-has request (Zeek arp-who-has frame 1)",
			in:   arpv4(opRequest, macA, [4]byte{10, 0, 0, 2}, [6]byte{}, [4]byte{10, 0, 0, 1}),
			want: map[string]string{"operation": "request", "orig_h": "10.0.0.2", "orig_hw": "78:31:c1:c6:3f:c2",
				"resp_h": "10.0.0.1", "resp_hw": "00:00:00:00:00:00", "gratuitous": "false",
				"src_mac": "78:31:c1:c6:3f:c2", "dst_mac": "ff:ff:ff:ff:ff:ff"},
		},
		{
			name: "reply with Ethernet padding",
			in:   append(arpv4(opReply, macA, [4]byte{10, 0, 0, 1}, macB, [4]byte{10, 0, 0, 2}), make([]byte, 18)...),
			want: map[string]string{"operation": "reply", "orig_h": "10.0.0.1", "resp_hw": "f8:ed:a5:c0:a4:f1"},
		},
		{
			name: "gratuitous announcement",
			in:   arpv4(opRequest, macA, [4]byte{192, 168, 22, 81}, [6]byte{}, [4]byte{192, 168, 22, 81}),
			want: map[string]string{"operation": "request", "gratuitous": "true"},
		},
		{
			name: "ARP probe (sender 0.0.0.0) is not gratuitous",
			in:   arpv4(opRequest, macA, [4]byte{}, [6]byte{}, [4]byte{}),
			want: map[string]string{"orig_h": "0.0.0.0", "gratuitous": "false"},
		},
		{
			name: "IPv6 protocol addresses",
			in:   ipv6,
			want: map[string]string{"operation": "reply", "orig_h": "fe80::1", "resp_h": "fe80::2"},
		},
		{
			name: "RARP request",
			in:   arpv4(opRARPRequest, macA, [4]byte{}, macA, [4]byte{}),
			want: map[string]string{"operation": "rarp_request"},
		},
		{
			name:  "hln 255 (Zeek arp-leak)",
			in:    []byte{0x00, 0x01, 0x08, 0x00, 0xff, 0x04, 0x00, 0x01, 0x7e, 0x8e, 0x20, 0xd8, 0x23, 0xa7},
			weird: weirdCorruptHeader, addl: "corrupt-arp-header (hrd=1, hln=255)",
		},
		{
			name:  "pln 255 (Zeek arp-leak)",
			in:    []byte{0x00, 0x01, 0x08, 0x00, 0x06, 0xff, 0x00, 0x02},
			weird: weirdCorruptHeader, addl: "corrupt-arp-header (pro=2048, pln=255)",
		},
		{
			name:  "unknown hardware type",
			in:    []byte{0x00, 0x20, 0x08, 0x00, 0x14, 0x04, 0x00, 0x01},
			weird: weirdUnknownHwType, addl: "unknown-arp-hw-address (hrd=32)",
		},
		{
			name:  "unknown protocol type",
			in:    []byte{0x00, 0x01, 0x88, 0x47, 0x06, 0x04, 0x00, 0x01},
			weird: weirdUnknownProto, addl: "unknown-arp-proto-address (pro=34887)",
		},
		{
			name:  "invalid opcode",
			in:    arpv4(7, macA, [4]byte{10, 0, 0, 2}, [6]byte{}, [4]byte{10, 0, 0, 1}),
			weird: weirdInvalidOpcode, addl: "invalid-arp-opcode (opcode=7)",
		},
		{
			name:  "addresses cut short",
			in:    arpv4(opRequest, macA, [4]byte{10, 0, 0, 2}, [6]byte{}, [4]byte{10, 0, 0, 1})[:20],
			weird: weirdTruncated, addl: "truncated ARP packet (20 bytes)",
		},
		{
			name:  "shorter than the fixed header",
			in:    []byte{0x00, 0x01, 0x08},
			weird: weirdTruncated, addl: "truncated ARP packet (3 bytes)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resetBindings()
			f := newFeeder(t, macA, bcast).at(t0, tc.in)
			recs := f.c.Logs("arp")
			if tc.want == nil {
				if len(recs) != 0 {
					t.Fatalf("logged %s, want nothing", recs[0].Raw)
				}
				if f.env.PDUs != 0 {
					t.Errorf("PDUs = %d for a bad packet", f.env.PDUs)
				}
			} else {
				if len(recs) != 1 {
					t.Fatalf("%d arp records, want 1", len(recs))
				}
				for k, v := range tc.want {
					if g := recs[0].Get(k); g != v {
						t.Errorf("%s = %q, want %q (%s)", k, g, v, recs[0].Raw)
					}
				}
			}
			w := f.c.Logs("weird")
			if tc.weird == "" {
				if len(w) != 0 {
					t.Fatalf("unexpected weird %s", w[0].Raw)
				}
				return
			}
			if len(w) != 1 || w[0].Get("name") != tc.weird || w[0].Get("addl") != tc.addl {
				t.Fatalf("weirds %v, want one %s %q", w, tc.weird, tc.addl)
			}
		})
	}
}

func TestSenderFact(t *testing.T) {
	resetBindings()
	f := newFeeder(t, macA, bcast)
	req := arpv4(opRequest, macA, [4]byte{10, 0, 0, 2}, [6]byte{}, [4]byte{10, 0, 0, 1})
	f.at(t0, req).at(t0+1e9, req)
	if len(f.c.Facts) != 1 {
		t.Fatalf("%d facts, want 1 (facts only when the sender IP changes)", len(f.c.Facts))
	}
	fa := f.c.Facts[0]
	if fa.Side != dissect.Orig || fa.Attr != dissect.AttrIP || fa.Value != "10.0.0.2" || fa.Field != "arp.spa" {
		t.Errorf("fact %+v", fa)
	}
	// A probe (sender 0.0.0.0) binds nothing.
	f.at(t0+2e9, arpv4(opRequest, macA, [4]byte{}, [6]byte{}, [4]byte{10, 0, 0, 9}))
	if len(f.c.Facts) != 1 {
		t.Errorf("probe produced a fact")
	}
}

func TestSenderMACMismatch(t *testing.T) {
	resetBindings()
	// Frame from macX claiming to be macA: reported once per pseudo-flow, no fact about macX.
	f := newFeeder(t, macX, macB)
	reply := arpv4(opReply, macA, [4]byte{10, 0, 0, 1}, macB, [4]byte{10, 0, 0, 2})
	f.at(t0, reply).at(t0+1e9, reply)
	w := weirds(f.c, weirdSenderMismatch)
	if len(w) != 1 || w[0].Get("addl") != "sender 78:31:c1:c6:3f:c2 in a frame from 02:ba:d0:00:00:01" {
		t.Fatalf("mismatch weirds %v", w)
	}
	if len(f.c.Facts) != 0 {
		t.Errorf("fact about a spoofing frame's source: %+v", f.c.Facts)
	}
	if len(f.c.Logs("arp")) != 2 {
		t.Errorf("spoofed frames must still be logged")
	}
}

func TestIPConflict(t *testing.T) {
	resetBindings()
	a := newFeeder(t, macA, bcast)
	x := newFeeder(t, macX, bcast)
	a.at(t0, arpv4(opRequest, macA, [4]byte{10, 0, 0, 5}, [6]byte{}, [4]byte{10, 0, 0, 1}))
	x.at(t0+1e9, arpv4(opRequest, macX, [4]byte{10, 0, 0, 5}, [6]byte{}, [4]byte{10, 0, 0, 1}))
	w := weirds(x.c, weirdIPConflict)
	if len(w) != 1 || w[0].Get("addl") != "10.0.0.5 claimed by 78:31:c1:c6:3f:c2 and 02:ba:d0:00:00:01" {
		t.Fatalf("conflict weirds %v", x.c.Logs("weird"))
	}
	// Flip-flopping within reportEvery is not reported again.
	a.at(t0+2e9, arpv4(opRequest, macA, [4]byte{10, 0, 0, 5}, [6]byte{}, [4]byte{10, 0, 0, 1}))
	x.at(t0+3e9, arpv4(opRequest, macX, [4]byte{10, 0, 0, 5}, [6]byte{}, [4]byte{10, 0, 0, 1}))
	if n := len(weirds(a.c, weirdIPConflict)) + len(weirds(x.c, weirdIPConflict)); n != 1 {
		t.Errorf("%d conflict reports within a minute, want 1", n)
	}
	// After a minute it is reported again.
	a.at(t0+70e9, arpv4(opRequest, macA, [4]byte{10, 0, 0, 5}, [6]byte{}, [4]byte{10, 0, 0, 1}))
	if len(weirds(a.c, weirdIPConflict)) != 1 {
		t.Errorf("conflict not reported again after reportEvery")
	}
	// The same IP on another VLAN is another address.
	v := newFeeder(t, macB, bcast)
	v.env.Flow.VLAN = 20
	v.at(t0+71e9, arpv4(opRequest, macB, [4]byte{10, 0, 0, 5}, [6]byte{}, [4]byte{10, 0, 0, 1}))
	if len(v.c.Logs("weird")) != 0 {
		t.Errorf("VLAN 20 claim reported as a conflict: %v", v.c.Logs("weird"))
	}
}

func TestStaleBindingIsNoConflict(t *testing.T) {
	resetBindings()
	a := newFeeder(t, macA, bcast)
	x := newFeeder(t, macX, bcast)
	a.at(t0, arpv4(opRequest, macA, [4]byte{10, 0, 0, 5}, [6]byte{}, [4]byte{10, 0, 0, 1}))
	x.at(t0+bindingMaxAge+1, arpv4(opRequest, macX, [4]byte{10, 0, 0, 5}, [6]byte{}, [4]byte{10, 0, 0, 1}))
	// Time going backwards (another capture replayed in the same process).
	a.at(t0-1e9, arpv4(opRequest, macA, [4]byte{10, 0, 0, 5}, [6]byte{}, [4]byte{10, 0, 0, 1}))
	if n := len(a.c.Logs("weird")) + len(x.c.Logs("weird")); n != 0 {
		t.Errorf("%d weirds for an aged binding", n)
	}
}

func TestGratuitousBindingChange(t *testing.T) {
	resetBindings()
	b := newFeeder(t, macB, macA)
	b.at(t0, arpv4(opReply, macB, [4]byte{10, 0, 0, 1}, macA, [4]byte{10, 0, 0, 2}))
	x := newFeeder(t, macX, bcast)
	x.at(t0+5e9, arpv4(opReply, macX, [4]byte{10, 0, 0, 1}, bcast, [4]byte{10, 0, 0, 1}))
	w := weirds(x.c, weirdGratuitousMove)
	if len(w) != 1 || w[0].Get("addl") != "10.0.0.1 moved by gratuitous ARP from f8:ed:a5:c0:a4:f1 and 02:ba:d0:00:00:01" {
		t.Fatalf("weirds %v", x.c.Logs("weird"))
	}
	if r := x.c.Logs("arp")[0]; r.Get("gratuitous") != "true" {
		t.Errorf("gratuitous = %s", r.Get("gratuitous"))
	}
}

func TestReplyStorm(t *testing.T) {
	resetBindings()
	x := newFeeder(t, macX, macA)
	reply := arpv4(opReply, macX, [4]byte{10, 0, 0, 1}, macA, [4]byte{10, 0, 0, 2})
	for i := 0; i < stormReplies; i++ {
		x.at(t0+int64(i)*1e6, reply)
	}
	if len(weirds(x.c, weirdReplyStorm)) != 0 {
		t.Fatalf("storm reported at %d replies per second", stormReplies)
	}
	for i := 0; i < 200; i++ {
		x.at(t0+int64(stormReplies+i)*1e6, reply)
	}
	if n := len(weirds(x.c, weirdReplyStorm)); n != 1 {
		t.Fatalf("%d storm reports, want 1", n)
	}
	// A steady one reply per second (arpspoof's pace) is no storm.
	y := newFeeder(t, macB, macA)
	for i := 0; i < 300; i++ {
		y.at(t0+int64(i)*1e9, arpv4(opReply, macB, [4]byte{10, 0, 0, 3}, macA, [4]byte{10, 0, 0, 2}))
	}
	if len(weirds(y.c, weirdReplyStorm)) != 0 {
		t.Errorf("storm reported at one reply per second")
	}
}

func TestTableFull(t *testing.T) {
	resetBindings()
	defer resetBindings()
	f := newFeeder(t, macA, bcast)
	for i := 0; i < maxBindings+2; i++ {
		f.at(t0, arpv4(opRequest, macA, [4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}, [6]byte{}, [4]byte{10, 0, 0, 1}))
	}
	if n := len(weirds(f.c, weirdTableFull)); n != 1 {
		t.Fatalf("%d table-full reports, want 1", n)
	}
	bindings := testRuns.Get("arp.bindings", newBindingTable).(*bindingTable)
	bindings.Lock()
	n := len(bindings.m)
	bindings.Unlock()
	if n != maxBindings {
		t.Errorf("table holds %d, cap %d", n, maxBindings)
	}
}

// TestDatagramSemantics is the segmentation matrix for a frame protocol: every Parse call is
// one whole frame, so nothing is ever pending; a frame split in two is two bad frames, two
// frames glued together are one frame with trailing bytes (padding), and Gap changes nothing.
func TestDatagramSemantics(t *testing.T) {
	resetBindings()
	req := arpv4(opRequest, macA, [4]byte{10, 0, 0, 2}, [6]byte{}, [4]byte{10, 0, 0, 1})
	rep := arpv4(opReply, macA, [4]byte{10, 0, 0, 2}, macB, [4]byte{10, 0, 0, 1})
	env, c := dissecttest.NewEnv("arp", l2flow(macA, bcast))
	s := &dissecttest.Stream{P: newParser(env)}
	// One PDU over two frames: both halves are truncated packets.
	s.Write(t, dissect.Orig, req[:12])
	s.Write(t, dissect.Orig, req[12:])
	if s.Pending(dissect.Orig) != 0 || len(c.Logs("arp")) != 0 || len(weirds(c, weirdTruncated)) != 1 {
		t.Fatalf("split frame: pending %d, %d records, weirds %v", s.Pending(dissect.Orig), len(c.Logs("arp")), c.Logs("weird"))
	}
	// Two PDUs in one frame: the first is the packet, the rest is padding.
	s.Write(t, dissect.Orig, append(append([]byte{}, req...), rep...))
	if recs := c.Logs("arp"); len(recs) != 1 || recs[0].Get("operation") != "request" {
		t.Fatalf("glued frames: %v", recs)
	}
	// Byte at a time: never pending, never a record.
	for i := range req {
		s.Write(t, dissect.Orig, req[i:i+1])
		if s.Pending(dissect.Orig) != 0 {
			t.Fatalf("byte %d left pending", i)
		}
	}
	if len(c.Logs("arp")) != 1 {
		t.Fatalf("single bytes produced records")
	}
	// A gap, then the next whole frame parses.
	s.Gap(dissect.Orig, 100)
	s.Write(t, dissect.Orig, rep)
	if recs := c.Logs("arp"); len(recs) != 2 || recs[1].Get("operation") != "reply" {
		t.Fatalf("after gap: %v", recs)
	}
}

func TestProbe(t *testing.T) {
	good := arpv4(opRequest, macA, [4]byte{10, 0, 0, 2}, [6]byte{}, [4]byte{10, 0, 0, 1})
	if v := Probe(dissect.Orig, good); v != dissect.Match {
		t.Errorf("Probe(request) = %v", v)
	}
	for _, junk := range [][]byte{
		[]byte("GET / HTTP/1.1\r\n"),
		{0x45, 0x00, 0x00, 0x54, 0x12, 0x34, 0x40, 0x00, 0x40, 0x01}, // an IPv4 header
		{0x00, 0x01, 0x08},
		{},
	} {
		if v := Probe(dissect.Orig, junk); v != dissect.NoMatch {
			t.Errorf("Probe(%x) = %v, want NoMatch", junk, v)
		}
	}
}

// TestNonARPNotLogged: junk on the ARP Ethertype is refused by the probe, and were it fed to
// a parser it would only produce an anomaly, never an arp.log line.
func TestNonARPNotLogged(t *testing.T) {
	junk := []byte("\x45\x00\x00\x54\x12\x34\x40\x00\x40\x01\xde\xad\xc0\xa8\x00\x01\xc0\xa8\x00\x02\x08\x00\xf7\xff\x00\x00\x00\x00")
	if Probe(dissect.Orig, junk) != dissect.NoMatch {
		t.Fatal("probe accepted an IPv4 packet")
	}
	f := newFeeder(t, macA, bcast).at(t0, junk)
	if len(f.c.Logs("arp")) != 0 || f.env.PDUs != 0 {
		t.Errorf("junk logged: %v", f.c.Records)
	}
}
