package cdp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func benchParser() (dissect.Parser, *dissect.Env) {
	env := &dissect.Env{Flow: flow(), Name: "cdp", TS: 1, Out: dissecttest.Discard{}}
	return newParser(env), env
}

// TestSteadyStateAllocs: a device repeating its advertisement costs no allocation.
func TestSteadyStateAllocs(t *testing.T) {
	for _, adv := range [][]byte{router, sw} {
		p, _ := benchParser()
		p.Parse(dissect.Orig, adv)
		if a := testing.AllocsPerRun(500, func() { p.Parse(dissect.Orig, adv) }); a != 0 {
			t.Errorf("%.1f allocs per repeated advertisement, want 0", a)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	p, env := benchParser()
	p.Parse(dissect.Orig, sw)
	b.ReportAllocs()
	b.SetBytes(int64(len(sw)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Parse(dissect.Orig, sw)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
}
