package smb

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// typical is a steady-state cycle on an established session: a disk file read and written,
// a keep-alive ECHO and a DCE/RPC call over the srvsvc pipe (logged to dce_rpc.log).
func typical() []step {
	return []step{
		c2s(nbss(smb2Msg(smb2Read, 100, false, 0, 5, readReq(0x11, 0x22)))),
		s2c(nbss(smb2Msg(smb2Read, 100, true, 0, 5, readResp(make([]byte, 512))))),
		c2s(nbss(smb2Msg(smb2Write, 101, false, 0, 5, writeReq(0x11, 0x22, make([]byte, 256))))),
		s2c(nbss(smb2Msg(smb2Write, 101, true, 0, 5, cat(u16(17), u16(0), u32(256), u32(0), u16(0), u16(0))))),
		c2s(nbss(smb2Msg(0x0d, 102, false, 0, 0, cat(u16(4), u16(0))))),
		s2c(nbss(smb2Msg(0x0d, 102, true, 0, 0, cat(u16(4), u16(0))))),
		c2s(nbss(smb2Msg(smb2Ioctl, 103, false, 0, 9, ioctlReq(0x33, 0x44, rpcRequestPDU(7, 16, make([]byte, 40)))))),
		s2c(nbss(smb2Msg(smb2Ioctl, 103, true, 0, 9, ioctlResp(0x33, 0x44, rpcResponsePDU(7, make([]byte, 80)))))),
	}
}

// warmParser returns a parser that has seen session() with the file 0x11/0x22 reopened.
func warmParser(t testing.TB) (*parser, *dissect.Env) {
	env := &dissect.Env{Flow: dissecttest.Flow(6, 445), Name: "smb", TS: 1, Out: dissecttest.Discard{}}
	p := newParser(env).(*parser)
	steps := append(session(),
		c2s(nbss(smb2Msg(smb2Create, 50, false, 0, 5, createReq(`line1\batch.csv`, 0)))),
		s2c(nbss(smb2Msg(smb2Create, 50, true, 0, 5, createResp(0x11, 0x22, 1234)))))
	for _, st := range steps {
		if n, err := p.Parse(st.dir, st.b); n != len(st.b) || err != nil {
			t.Fatalf("Parse = %d, %v", n, err)
		}
	}
	return p, env
}

func TestSteadyStateAllocs(t *testing.T) {
	p, _ := warmParser(t)
	cyc := typical()
	cycle := func() {
		for _, st := range cyc {
			if n, err := p.Parse(st.dir, st.b); n != len(st.b) || err != nil {
				t.Fatalf("Parse = %d, %v", n, err)
			}
		}
	}
	cycle() // warm up: events of the first read/write, buffers
	if a := testing.AllocsPerRun(200, cycle); a != 0 {
		t.Errorf("%.1f allocs per cycle, want 0", a)
	}
	if a := testing.AllocsPerRun(200, func() { p.Parse(dissect.Orig, cyc[0].b[:30]) }); a != 0 {
		t.Errorf("%.1f allocs for a partial message, want 0", a)
	}
}

func BenchmarkParse(b *testing.B) {
	p, env := warmParser(b)
	cyc := typical()
	bytes := 0
	for _, st := range cyc {
		bytes += len(st.b)
	}
	start := env.PDUs
	b.ReportAllocs()
	b.SetBytes(int64(bytes))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, st := range cyc {
			p.Parse(st.dir, st.b)
		}
	}
	b.StopTimer()
	if n := env.PDUs - start; n > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/PDU")
	}
}
