package lldp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func benchParser() (dissect.Parser, *dissect.Env) {
	env := &dissect.Env{Flow: flow(), Name: "lldp", TS: 1, Out: dissecttest.Discard{}}
	return newParser(env), env
}

// TestSteadyStateAllocs: a switch repeating its LLDPDU costs no allocation.
func TestSteadyStateAllocs(t *testing.T) {
	for _, pdu := range [][]byte{switchPDU, orgPDU} {
		p, _ := benchParser()
		p.Parse(dissect.Orig, pdu) // first frame: facts and strings
		if a := testing.AllocsPerRun(500, func() { p.Parse(dissect.Orig, pdu) }); a != 0 {
			t.Errorf("%.1f allocs per repeated LLDPDU, want 0", a)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	p, env := benchParser()
	p.Parse(dissect.Orig, orgPDU)
	b.ReportAllocs()
	b.SetBytes(int64(len(switchPDU)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		p.Parse(dissect.Orig, switchPDU)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
}
