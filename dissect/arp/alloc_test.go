package arp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"

	"github.com/quietwire/quietwire/dissect/dissecttest"
)

var typical = [][]byte{
	arpv4(opRequest, macA, [4]byte{10, 0, 0, 2}, [6]byte{}, [4]byte{10, 0, 0, 1}),
	arpv4(opRequest, macA, [4]byte{10, 0, 0, 2}, [6]byte{}, [4]byte{10, 0, 0, 7}),
	arpv4(opReply, macA, [4]byte{10, 0, 0, 2}, macB, [4]byte{10, 0, 0, 1}),
	arpv4(opRequest, macA, [4]byte{10, 0, 0, 2}, [6]byte{}, [4]byte{10, 0, 0, 2}),
}

func benchParser() (dissect.Parser, *dissect.Env) {
	env := &dissect.Env{Flow: l2flow(macA, bcast), Name: "arp", TS: t0, Out: dissecttest.Discard{}}
	return newParser(env), env
}

func TestSteadyStateAllocs(t *testing.T) {
	resetBindings()
	p, env := benchParser()
	cycle := func() {
		env.TS += 1e9
		for _, fr := range typical {
			if n, err := p.Parse(dissect.Orig, fr); n != len(fr) || err != nil {
				t.Fatalf("Parse = %d, %v", n, err)
			}
		}
	}
	cycle() // warm up: the binding is learnt, the fact sent
	if a := testing.AllocsPerRun(500, cycle); a != 0 {
		t.Errorf("%.1f allocs per cycle of %d frames, want 0", a, len(typical))
	}
}

func BenchmarkParse(b *testing.B) {
	resetBindings()
	p, env := benchParser()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		env.TS += 1e9
		for _, fr := range typical {
			p.Parse(dissect.Orig, fr)
		}
	}
	b.StopTimer()
	if env.PDUs > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
	}
}
