package dns

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// typical is a resolver's traffic: A, AAAA with a CNAME chain, TXT and a PTR lookup, each
// answered.
var typical = func() [][]byte {
	aaaaQ := cat(hdr(0x2222, flagsQuery, 1, 0, 0, 1), question("hist.example.com", typeAAAA, 1),
		record(name(""), typeOPT, 1232, 0, nil))
	aaaaR := cat(hdr(0x2222, flagsResponse, 1, 2, 0, 0), question("hist.example.com", typeAAAA, 1),
		record(ptr(12), typeCNAME, 1, 60, cat([]byte{3, 'h', 'i', 'b'}, ptr(17))),
		record(ptr(46), typeAAAA, 1, 60, []byte{0x20, 1, 0xd, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}))
	txtQ := cat(hdr(0x3333, flagsQuery, 1, 0, 0, 0), question("example.com", typeTXT, 1))
	txtR := cat(hdr(0x3333, flagsResponse, 1, 1, 0, 0), question("example.com", typeTXT, 1),
		record(ptr(12), typeTXT, 1, 300, cat(cs("v=spf1 -all"), cs("x"))))
	ptrQ := cat(hdr(0x4444, flagsQuery, 1, 0, 0, 0), question("10.2.0.192.in-addr.arpa", typePTR, 1))
	ptrR := cat(hdr(0x4444, flagsResponse, 1, 1, 0, 0), question("10.2.0.192.in-addr.arpa", typePTR, 1),
		record(ptr(12), typePTR, 1, 300, name("plc1.example.com")))
	return [][]byte{aQuery, aReply, aaaaQ, aaaaR, txtQ, txtR, ptrQ, ptrR}
}()

func newBenchParser() *parser {
	env := &dissect.Env{Flow: dissecttest.Flow(17, 53), Name: "dns", TS: 1, Out: dissecttest.Discard{}}
	return newParser(env).(*parser)
}

func TestSteadyStateAllocs(t *testing.T) {
	p := newBenchParser()
	cycle := func() {
		for i, m := range typical {
			p.env.TS += 1000
			p.Parse(dissect.Dir(i&1), m)
		}
	}
	cycle()
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per cycle of %d messages, want 0", a, len(typical))
	}
	tcp := newParser(&dissect.Env{Flow: dissecttest.Flow(6, 53), Name: "dns", TS: 1, Out: dissecttest.Discard{}}).(*parser)
	framed := [][]byte{tcpFrame(aQuery), tcpFrame(aReply)}
	tcycle := func() {
		tcp.Parse(dissect.Orig, framed[0])
		tcp.Parse(dissect.Resp, framed[1])
		tcp.Parse(dissect.Orig, framed[0][:9])
	}
	tcycle()
	if a := testing.AllocsPerRun(200, tcycle); a != 0 {
		t.Errorf("TCP: %.1f allocs per cycle, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p := newBenchParser()
	n := 0
	for _, m := range typical {
		n += len(m)
	}
	b.SetBytes(int64(n))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j, m := range typical {
			p.Parse(dissect.Dir(j&1), m)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(typical)), "ns/PDU")
}
