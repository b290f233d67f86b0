package arp

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

var (
	macA  = [6]byte{0x78, 0x31, 0xc1, 0xc6, 0x3f, 0xc2}
	macB  = [6]byte{0xf8, 0xed, 0xa5, 0xc0, 0xa4, 0xf1}
	macX  = [6]byte{0x02, 0xba, 0xd0, 0x00, 0x00, 0x01}
	bcast = [6]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
)

// arpv4 builds an Ethernet/IPv4 ARP packet (RFC 826 layout).
func arpv4(op uint16, sha [6]byte, spa [4]byte, tha [6]byte, tpa [4]byte) []byte {
	b := []byte{
		0x00, 0x01, // ar$hrd: Ethernet
		0x08, 0x00, // ar$pro: IPv4
		0x06,                    // ar$hln
		0x04,                    // ar$pln
		byte(op >> 8), byte(op), // ar$op
	}
	b = append(b, sha[:]...)
	b = append(b, spa[:]...)
	b = append(b, tha[:]...)
	return append(b, tpa[:]...)
}

func l2flow(src, dst [6]byte) *dissect.FlowInfo {
	return &dissect.FlowInfo{UID: "CARP00000000000001", Orig: dissect.Endpoint{MAC: src}, Resp: dissect.Endpoint{MAC: dst}, EtherType: EtherType}
}

// feeder is a pseudo-flow under test with its own clock.
type feeder struct {
	t   testing.TB
	env *dissect.Env
	c   *dissecttest.Capture
	p   dissect.Parser
}

// testRuns is the run state the feeders of one test share (the engine gives one per run).
var testRuns = dissect.NewRunState()

// resetBindings starts a new run: a fresh binding table.
func resetBindings() { testRuns = dissect.NewRunState() }

func newFeeder(t testing.TB, src, dst [6]byte) *feeder {
	env, c := dissecttest.NewEnv("arp", l2flow(src, dst))
	env.Runs = testRuns
	return &feeder{t: t, env: env, c: c, p: newParser(env)}
}

// at parses frame at packet time ts (ns since the epoch).
func (f *feeder) at(ts int64, frame []byte) *feeder {
	f.t.Helper()
	f.env.TS = ts
	if n, err := f.p.Parse(dissect.Orig, frame); n != len(frame) || err != nil {
		f.t.Fatalf("Parse = %d, %v; want %d, nil", n, err, len(frame))
	}
	return f
}

func weirds(c *dissecttest.Capture, name string) []dissecttest.Rec {
	var out []dissecttest.Rec
	for _, r := range c.Logs("weird") {
		if r.Get("name") == name {
			out = append(out, r)
		}
	}
	return out
}
