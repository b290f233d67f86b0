package slmp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

var typical = []step{req(readD100), resp(readD100Resp), req(writeM0), resp(writeResp), req(typeName), resp(typeNameResp)}

func newBench() (*parser, *dissect.Env) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 5007), Name: "slmp", TS: 1, Out: dissecttest.Discard{}}
	return newParser(env).(*parser), env
}

func TestSteadyStateAllocs(t *testing.T) {
	p, _ := newBench()
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
}

func BenchmarkParse(b *testing.B) {
	p, env := newBench()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		for _, st := range typical {
			p.Parse(st.dir, st.b)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
}
