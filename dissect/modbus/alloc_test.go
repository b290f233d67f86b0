package modbus

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// typical is a polling cycle: read holding registers, read coils, read input registers,
// each answered.
var typical = []step{
	req(readHoldingReq), resp(readHoldingResp),
	req(readCoilsReq), resp(readCoilsResp),
	req(adu(8, 5, 0x04, 0, 1, 0, 8)), resp(adu(8, 5, 0x04, 16, 0x8e, 0x2b, 0x1f, 0x7b, 0x9b, 0x4b, 0x82, 0x51, 0x1a, 0xfa, 0xdb, 0x8f, 0x02, 0x6b, 0xae, 0x97)),
	req(adu(2, 5, 0x01, 0, 1, 0, 8)), resp(adu(2, 5, 0x01, 1, 0xe9)),
}

func newBenchParser() (*parser, *dissect.Env) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 502), Name: "modbus", TS: 1, Out: dissecttest.Discard{}}
	return newParser(env).(*parser), env
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
	cycle() // warm up: role and station facts, buffers
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per polling cycle, want 0", a)
	}
	// Partial PDUs (need more) must not allocate either.
	if a := testing.AllocsPerRun(200, func() { p.Parse(dissect.Orig, readHoldingReq[:9]) }); a != 0 {
		t.Errorf("%.1f allocs for a partial PDU, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p, env := newBenchParser()
	b.ReportAllocs()
	bytes := 0
	for _, st := range typical {
		bytes += len(st.b)
	}
	b.SetBytes(int64(bytes))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, st := range typical {
			p.Parse(st.dir, st.b)
		}
	}
	b.StopTimer()
	if env.PDUs > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
	}
}
