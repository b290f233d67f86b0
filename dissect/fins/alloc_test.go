package fins

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// typical is an HMI polling cycle over FINS/TCP: read DM, write CIO, read the controller data.
var typical = []step{
	req(tcp(memReadCmd)), resp(tcp(memReadResp)),
	req(tcp(memWriteCmd)), resp(tcp([]byte{0xc0, 0x00, 0x02, 0x00, 0xef, 0x00, 0x00, 0xc8, 0x00, 0x06, 0x01, 0x02, 0x00, 0x00})),
	req(tcp(ctrlDataCmd)), resp(tcp(ctrlDataResp(0x09))),
}

func newBench() (*parser, *dissect.Env) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, Port), Name: "fins", TS: 1, Out: dissecttest.Discard{}}
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
	if a := testing.AllocsPerRun(200, func() { p.Parse(dissect.Orig, typical[0].b[:20]) }); a != 0 {
		t.Errorf("%.1f allocs for a partial frame, want 0", a)
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
