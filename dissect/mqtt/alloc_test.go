package mqtt

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// typical is telemetry traffic: QoS 0/1/2 publishes both ways, pings, a subscription.
var typical = []step{
	c2s(pub0), c2s(pub1), s2c(puback1), c2s(pub2), s2c(pubrec2), c2s(pubrel2), s2c(pubcomp2),
	s2c(pub0Ret), c2s(pingreq), s2c(pingresp), c2s(sub), s2c(suback),
}

func newBenchParser() (*parser, *dissect.Env) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 1883), Name: "mqtt", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env).(*parser)
	p.Parse(dissect.Orig, connect31)
	p.Parse(dissect.Resp, connack)
	return p, env
}

func TestSteadyStateAllocs(t *testing.T) {
	p, _ := newBenchParser()
	cycle := func() {
		for _, st := range typical {
			if n, err := p.Parse(st.dir, st.b); n != len(st.b) || err != nil {
				t.Fatalf("Parse = %d, %v", n, err)
			}
		}
	}
	cycle()
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per cycle, want 0", a)
	}
	if a := testing.AllocsPerRun(200, func() { p.Parse(dissect.Orig, pub1[:5]) }); a != 0 {
		t.Errorf("%.1f allocs for a partial packet, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p, env := newBenchParser()
	b.ReportAllocs()
	n := 0
	for _, st := range typical {
		n += len(st.b)
	}
	b.SetBytes(int64(n))
	start := env.PDUs
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, st := range typical {
			p.Parse(st.dir, st.b)
		}
	}
	b.StopTimer()
	if d := env.PDUs - start; d > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(d), "ns/PDU")
	}
}
