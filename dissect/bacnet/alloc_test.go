package bacnet

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

type step struct {
	dir dissect.Dir
	b   []byte
}

// typical is a polling cycle: ReadProperty of a value and of the device's model name, a
// ReadPropertyMultiple, a Who-Is/I-Am exchange, each answered.
var typical = []step{
	{dissect.Orig, rpReq}, {dissect.Resp, rpAck},
	{dissect.Orig, rpModelReq}, {dissect.Resp, rpModelAck},
	{dissect.Orig, unicast(0x00, 0x05, 0x07, 0x0e, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x1e, 0x09, 0x55, 0x09, 0x4d, 0x1f)},
	{dissect.Resp, unicast(0x30, 0x07, 0x0e, 0x0c, 0x00, 0x00, 0x00, 0x01, 0x1e, 0x29, 0x55, 0x4e, 0x44, 0x41, 0x20, 0, 0, 0x4f, 0x29, 0x4d, 0x4e, 0x75, 0x04, 0x00, 'A', 'I', '1', 0x4f, 0x1f)},
	{dissect.Orig, whoIs}, {dissect.Resp, iAm},
}

func newBenchParser() *parser {
	env := &dissect.Env{Flow: dissecttest.Flow(17, 47808), Name: "bacnet", TS: 1, Out: dissecttest.Discard{}}
	return newParser(env).(*parser)
}

func TestSteadyStateAllocs(t *testing.T) {
	p := newBenchParser()
	cycle := func() {
		for _, st := range typical {
			if n, err := p.Parse(st.dir, st.b); n != len(st.b) || err != nil {
				t.Fatalf("Parse = %d, %v", n, err)
			}
		}
	}
	cycle() // warm up: facts, scan event, scratch buffers
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per polling cycle, want 0", a)
	}
	// A segmented object-list read, once the reassembly buffer has grown.
	_, segs := objectListAck(200, 3)
	seg := func() {
		for _, s := range segs {
			p.Parse(dissect.Resp, s)
		}
	}
	seg()
	if a := testing.AllocsPerRun(100, seg); a != 0 {
		t.Errorf("%.1f allocs per segmented message, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p := newBenchParser()
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
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(typical)), "ns/PDU")
}
