package snmp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// typical is a poller's cycle: the system group, then a walk step and a bulk, answered.
var typical = []step{
	q(getSys), a(rspSys),
	q(v2c("public", pdu(pduGetNext, 8, vb(oid(1, 3, 6, 1, 2, 1, 2, 2, 1, 10), null())))),
	a(v2c("public", pdu(pduResponse, 8, vb(oid(1, 3, 6, 1, 2, 1, 2, 2, 1, 10, 1), tlv(tagCounter32, []byte{0x01, 0x02, 0x03, 0x04}))))),
	q(bulk), a(v2c("public", pdu(pduResponse, 11, vb(oid(1, 3, 6, 1, 2, 1, 2, 1, 0), integer(4))))),
}

func benchParser() (dissect.Parser, *dissect.Env) {
	env := &dissect.Env{Flow: dissecttest.Flow(17, 161), Name: "snmp", TS: t0, Out: dissecttest.Discard{}}
	return newParser(env), env
}

func TestSteadyStateAllocs(t *testing.T) {
	p, env := benchParser()
	cycle := func() {
		env.TS += 1e9
		for _, s := range typical {
			if n, err := p.Parse(s.dir, s.b); n != len(s.b) || err != nil {
				t.Fatalf("Parse = %d, %v", n, err)
			}
		}
	}
	cycle() // first cycle: community copy, role and identity facts, weird
	if a := testing.AllocsPerRun(500, cycle); a != 0 {
		t.Errorf("%.1f allocs per polling cycle, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p, env := benchParser()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, s := range typical {
			p.Parse(s.dir, s.b)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(env.PDUs), "ns/PDU")
}
