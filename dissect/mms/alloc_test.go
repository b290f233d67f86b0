package mms

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// typical is a polling cycle of an IEC 61850 client: reads, a name list, a report.
var typical = []step{
	c2s(data(readReq)), s2c(data(readResp)),
	c2s(data(gnlVarReq)), s2c(data(t1(0xa1, integer(0x02, 10), t1(0xa1, t1(0xa0, str(0x1a, "LLN0$ST"), str(0x1a, "LLN0$MX")))))),
	s2c(data(report)),
	c2s(data(t1(0xa0, integer(0x02, 1), t1(0xa4, t1(0xa1, listOf(objName1, objName3)))))), s2c(data(readRespErr)),
}

func newBenchParser() (*parser, *dissect.Env) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 102), Name: "mms", TS: 1, Out: dissecttest.Discard{}}
	return newParser(env).(*parser), env
}

func TestSteadyStateAllocs(t *testing.T) {
	p, _ := newBenchParser()
	for _, st := range session[:4] {
		p.Parse(st.dir, st.b)
	}
	cycle := func() {
		for _, st := range typical {
			if n, err := p.Parse(st.dir, st.b); n != len(st.b) || err != nil {
				t.Fatalf("Parse = %d, %v", n, err)
			}
		}
	}
	cycle() // warm up: roles, buffers
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per polling cycle, want 0", a)
	}
	if a := testing.AllocsPerRun(200, func() { p.Parse(dissect.Orig, typical[0].b[:9]) }); a != 0 {
		t.Errorf("%.1f allocs for a partial PDU, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p, env := newBenchParser()
	for _, st := range session[:4] {
		p.Parse(st.dir, st.b)
	}
	b.ReportAllocs()
	bytes := 0
	for _, st := range typical {
		bytes += len(st.b)
	}
	b.SetBytes(int64(bytes))
	start := env.PDUs
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, st := range typical {
			p.Parse(st.dir, st.b)
		}
	}
	b.StopTimer()
	if n := env.PDUs - start; n > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/PDU")
	}
}
