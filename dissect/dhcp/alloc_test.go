package dhcp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func TestSteadyStateAllocs(t *testing.T) {
	tab := newTable()
	env := &dissect.Env{Flow: clientFlow("C1"), Name: "dhcp", TS: 1, Out: dissecttest.Discard{}}
	p := newParserTable(env, tab)
	cycle := func() {
		for _, b := range [][]byte{discover, offer, request, ack} {
			env.TS += 1e6
			p.Parse(dissect.Orig, b)
		}
		env.TS += 20e9 // the next cycle expires this transaction and reuses its buffers
	}
	cycle()
	cycle()
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per DORA, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	tab := newTable()
	env := &dissect.Env{Flow: dissecttest.Flow(17, 67), Name: "dhcp", TS: 1, Out: dissecttest.Discard{}}
	p := newParserTable(env, tab)
	msgs := [][]byte{discover, offer, request, ack}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, m := range msgs {
			env.TS += 1e6
			p.Parse(dissect.Orig, m)
		}
		env.TS += 20e9
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(msgs)), "ns/PDU")
}
