package guess

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func TestSteadyStateAllocs(t *testing.T) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 1200), Name: "guess", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env)
	seg := []byte{0xbb, 0xbb, 0x01, 0x02, 0x03}
	p.Parse(dissect.Orig, seg)
	if a := testing.AllocsPerRun(500, func() {
		p.Parse(dissect.Orig, seg)
		p.Parse(dissect.Resp, seg)
	}); a != 0 {
		t.Errorf("%.1f allocs per exchange, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 1200), Name: "guess", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env)
	seg := make([]byte, 64)
	b.ReportAllocs()
	b.SetBytes(int64(len(seg)))
	for i := 0; i < b.N; i++ {
		p.Parse(dissect.Orig, seg)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/PDU")
}

func BenchmarkProbe(b *testing.B) {
	seg := []byte{0x01, 0x00, 0x13, 0x88, 0x00, 0x00, 0x00, 0x10}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		Probe(dissect.Orig, seg)
	}
}
