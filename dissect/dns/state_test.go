package dns

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// TestTCPSegmentation is the segmentation matrix of DNS over TCP (RFC 1035 §4.2.2 framing).
func TestTCPSegmentation(t *testing.T) {
	q, r := tcpFrame(aQuery), tcpFrame(aReply)
	q2 := append([]byte(nil), q...)
	q2[3] = 0x99 // id 0x1299
	r2 := append([]byte(nil), r...)
	r2[3] = 0x99
	type write struct {
		dir dissect.Dir
		b   []byte
		gap int
	}
	cases := []struct {
		name   string
		writes []write
		want   int // dns records after Close
		paired int // records with both qtype and rcode
	}{
		{"one PDU over two segments", []write{{dir: 0, b: q[:7]}, {dir: 0, b: q[7:]}, {dir: 1, b: r[:20]}, {dir: 1, b: r[20:]}}, 1, 1},
		{"two PDUs in one segment", []write{{dir: 0, b: cat(q, q2)}, {dir: 1, b: cat(r, r2)}}, 2, 2},
		{"length prefix split", []write{{dir: 0, b: q[:1]}, {dir: 0, b: q[1:]}, {dir: 1, b: r}}, 1, 1},
		{"gap then resync", []write{{dir: 0, b: q[:10]}, {dir: 0, gap: 30}, {dir: 0, b: q2}, {dir: 1, b: r2}}, 1, 1},
		{"gap then resync mid-segment", []write{{dir: 0, gap: 5}, {dir: 0, b: cat(q[9:], q2)}, {dir: 1, b: r2}}, 1, 1},
	}
	bytewise := write{dir: 0}
	_ = bytewise
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			env, cap := dissecttest.NewEnv("dns", dissecttest.Flow(6, 53))
			s := &dissecttest.Stream{P: newParser(env)}
			for _, w := range c.writes {
				if w.gap > 0 {
					s.Gap(w.dir, w.gap)
					continue
				}
				if err := s.Write(t, w.dir, w.b); err != nil {
					t.Fatal(err)
				}
			}
			s.P.Close()
			recs := cap.Logs("dns")
			paired := 0
			for _, r := range recs {
				if r.Get("qtype") != "" && r.Get("rcode") != "" {
					paired++
				}
			}
			if len(recs) != c.want || paired != c.paired {
				t.Errorf("%d records (%d paired), want %d (%d): %+v", len(recs), paired, c.want, c.paired, recs)
			}
		})
	}
	t.Run("byte at a time", func(t *testing.T) {
		env, cap := dissecttest.NewEnv("dns", dissecttest.Flow(6, 53))
		s := &dissecttest.Stream{P: newParser(env)}
		for _, m := range []struct {
			dir dissect.Dir
			b   []byte
		}{{0, q}, {1, r}, {0, q2}, {1, r2}} {
			for i := range m.b {
				if err := s.Write(t, m.dir, m.b[i:i+1]); err != nil {
					t.Fatal(err)
				}
			}
		}
		if n := len(cap.Logs("dns")); n != 2 || s.Pending(0) != 0 || s.Pending(1) != 0 {
			t.Errorf("%d records, pending %d/%d", n, s.Pending(0), s.Pending(1))
		}
	})
	t.Run("impossible length stops the flow", func(t *testing.T) {
		env, cap := dissecttest.NewEnv("dns", dissecttest.Flow(6, 53))
		s := &dissecttest.Stream{P: newParser(env)}
		if err := s.Write(t, 0, []byte{0, 3, 1, 2, 3}); err == nil {
			t.Error("no error for a 3-byte message")
		}
		if w := cap.WeirdNames(); len(w) != 1 || w[0] != "dns_tcp_bad_length" {
			t.Errorf("weirds %v", w)
		}
	})
}

// TestNonDNSOnPort53: garbage on the DNS port is refused by the probe, so the engine never
// attaches the parser and nothing is logged.
func TestNonDNSOnPort53(t *testing.T) {
	for _, b := range [][]byte{
		[]byte("SSH-2.0-OpenSSH_9.6\r\n"),
		[]byte("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03randomrandomrandomrandom"),
		make([]byte, 64),
	} {
		if v := Probe(dissect.Orig, b); v != dissect.NoMatch {
			t.Errorf("Probe(%q) = %d, want NoMatch", b, v)
		}
	}
}
