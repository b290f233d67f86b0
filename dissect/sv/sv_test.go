package sv

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

// el and cat build frames: BER TLVs and their concatenation.
var el, cat = dissecttest.BER, dissecttest.Cat

// asduBytes is one 9-2LE ASDU: svID, smpCnt, confRev, smpSynch, 64-byte seqData.
func asduBytes(svID string, cnt uint16, confRev byte, synch byte) []byte {
	return el(tagASDU, cat(
		el(tagSvID, []byte(svID)...),
		el(tagSmpCnt, byte(cnt>>8), byte(cnt)), // smpCnt
		el(tagConfRev, 0, 0, 0, confRev),       // confRev
		el(tagSmpSynch, synch),                 // smpSynch
		el(tagSeqData, make([]byte, 64)...),    // 8 × (value, quality)
	)...)
}

func svFrame(reserved1 uint16, asdus ...[]byte) []byte {
	apdu := el(tagSavPdu, cat(el(tagNoASDU, byte(len(asdus))), el(tagSeqASDU, cat(asdus...)...))...)
	n := headerLen + len(apdu)
	return cat([]byte{0x40, 0x00, byte(n >> 8), byte(n), byte(reserved1 >> 8), byte(reserved1), 0, 0}, apdu)
}

func svFlow() *dissect.FlowInfo {
	return &dissect.FlowInfo{
		UID:       "CSV000000000000001",
		Orig:      dissect.Endpoint{MAC: [6]byte{0x00, 0x30, 0xa7, 0, 0, 1}},
		Resp:      dissect.Endpoint{MAC: [6]byte{0x01, 0x0c, 0xcd, 0x04, 0x00, 0x01}},
		EtherType: EtherType,
	}
}

// run feeds frames 250 µs apart (4 kHz).
func run(t testing.TB, frames ...[]byte) *dissecttest.Capture {
	t.Helper()
	env, c := dissecttest.NewEnv("sv", svFlow())
	p := newParser(env)
	dissecttest.ParseFrames(t, env, p, 250_000, frames...)
	p.Close()
	return c
}

func TestParseFrame(t *testing.T) {
	// Annotated 9-2LE frame with one ASDU.
	f := []byte{
		0x40, 0x00, // APPID 0x4000
		0x00, 0x68, // Length 104
		0x00, 0x00, 0x00, 0x00, // Reserved1, Reserved2
		0x60, 0x5e, // savPdu
		0x80, 0x01, 0x01, // noASDU 1
		0xa2, 0x59, // seqASDU
		0x30, 0x57, // ASDU
		0x80, 0x06, 'M', 'U', '0', '1', '0', '1', // svID
		0x82, 0x02, 0x0f, 0x9f, // smpCnt 3999
		0x83, 0x04, 0x00, 0x00, 0x00, 0x01, // confRev 1
		0x85, 0x01, 0x02, // smpSynch GLOBAL
		0x87, 0x40, // seqData, 64 bytes
	}
	f = append(f, make([]byte, 64)...)
	if Probe(dissect.Orig, f) != dissect.Match {
		t.Fatal("Probe refused a 9-2LE frame")
	}
	c := run(t, f, svFrame(0, asduBytes("MU0101", 0, 1, 2)))
	recs := c.Logs("sv")
	if len(recs) != 2 {
		t.Fatalf("%d records, want new + close: %v", len(recs), recs)
	}
	want := map[string]string{"appid": "0x4000", "sv_id": "MU0101", "smp_cnt": "3999", "conf_rev": "1",
		"smp_synch": "GLOBAL", "num_asdu": "1", "frames": "1", "reason": "new", "src_mac": "00:30:a7:00:00:01"}
	for k, v := range want {
		if g := recs[0].Get(k); g != v {
			t.Errorf("%s = %q, want %q", k, g, v)
		}
	}
	// 3999 -> 0 is the wrap at the sample rate, not a gap.
	if recs[1].Get("reason") != "close" || recs[1].Get("frames") != "1" || recs[1].Get("smp_cnt_gaps") != "0" {
		t.Errorf("close record %s", recs[1].Raw)
	}
	if len(c.Logs("weird")) != 0 {
		t.Errorf("weirds %v", c.WeirdCounts())
	}
}

func TestAnomalies(t *testing.T) {
	c := run(t,
		svFrame(0, asduBytes("MU1", 10, 1, 2)),
		svFrame(0, asduBytes("MU1", 11, 1, 2)),
		svFrame(0, asduBytes("MU1", 20, 1, 2)), // jump
		svFrame(0, asduBytes("MU1", 30, 1, 2)), // jump again: counted, not re-reported
		svFrame(0, asduBytes("MU1", 5, 1, 2)),  // regression
		svFrame(0, asduBytes("MU1", 6, 2, 0)),  // confRev change + lost sync
		svFrame(0x8000, asduBytes("MU1", 7, 2, 0)),
	)
	w := c.WeirdCounts()
	for name, n := range map[string]int{weirdSmpCntJump: 1, weirdSmpCntBack: 1, weirdNotSynch: 1, weirdSimulation: 1} {
		if w[name] != n {
			t.Errorf("%s: %d, want %d (%v)", name, w[name], n, w)
		}
	}
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvConfigWrite || c.Events[0].Detail != "sv_id MU1 conf_rev 1 -> 2" {
		t.Errorf("events %+v", c.Events)
	}
	recs := c.Logs("sv")
	if len(recs) != 3 || recs[1].Get("reason") != "change" || recs[1].Get("smp_cnt_gaps") != "2" ||
		recs[1].Get("smp_cnt_regressions") != "1" || recs[1].Get("smp_synch") != "NONE" {
		for _, r := range recs {
			t.Log(r.Raw)
		}
		t.Error("unexpected records")
	}
}

func TestPeriodicSummary(t *testing.T) {
	env, c := dissecttest.NewEnv("sv", svFlow())
	p := newParser(env)
	for i := 0; i < 130; i++ { // one frame per second for 130 s
		p.Parse(dissect.Orig, svFrame(0, asduBytes("MU1", uint16(i), 1, 2)))
		env.TS += 1e9
	}
	p.Close()
	var reasons []string
	for _, r := range c.Logs("sv") {
		reasons = append(reasons, r.Get("reason")+":"+r.Get("frames"))
	}
	want := []string{"new:1", "periodic:59", "periodic:60", "close:10"}
	if len(reasons) != len(want) {
		t.Fatalf("records %v, want %v", reasons, want)
	}
	for i := range want {
		if reasons[i] != want[i] {
			t.Errorf("records %v, want %v", reasons, want)
		}
	}
}

func TestMalformedAndProbe(t *testing.T) {
	good := svFrame(0, asduBytes("MU1", 1, 1, 2))
	bad := append([]byte(nil), good...)
	bad[headerLen+2] = 0x9f // unknown savPdu element
	tests := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"good", good, dissect.Match},
		{"short", good[:9], dissect.NoMatch},
		{"goose tag", append(append([]byte(nil), good[:8]...), 0x61, 0x00), dissect.NoMatch},
		{"text", []byte("\x40\x00\x00\x30this is certainly not sampled values"), dissect.NoMatch},
	}
	for _, tc := range tests {
		if g := Probe(dissect.Orig, tc.b); g != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, g, tc.want)
		}
	}
	c := run(t, bad, bad, []byte{1, 2})
	if w := c.WeirdCounts(); w[weirdMalformed] != 1 || w[weirdTruncated] != 1 || len(c.Logs("sv")) != 0 {
		t.Errorf("weirds %v, sv records %d", w, len(c.Logs("sv")))
	}
}

// TestStreamSemantics: every Parse is one whole frame; halves of a frame are two malformed
// frames, two frames glued together are the first one plus padding, and Gap is a no-op.
func TestStreamSemantics(t *testing.T) {
	a := svFrame(0, asduBytes("MU1", 1, 1, 2))
	b := svFrame(0, asduBytes("MU1", 2, 1, 2))
	env, c := dissecttest.NewEnv("sv", svFlow())
	s := &dissecttest.Stream{P: newParser(env)}
	for _, chunk := range [][]byte{a[:30], a[30:], cat(a, b), b} {
		if err := s.Write(t, dissect.Orig, chunk); err != nil || s.Pending(dissect.Orig) != 0 {
			t.Fatalf("err %v, pending %d", err, s.Pending(dissect.Orig))
		}
	}
	s.Gap(dissect.Orig, 10)
	s.P.Close()
	if w := c.WeirdCounts(); w[weirdMalformed] != 1 {
		t.Errorf("weirds %v", w)
	}
	recs := c.Logs("sv")
	if len(recs) != 2 || recs[1].Get("frames") != "1" || recs[1].Get("smp_cnt") != "2" {
		t.Errorf("records %v", recs)
	}
}

func TestMultiASDU(t *testing.T) {
	var asdus [][]byte
	for i := 0; i < 8; i++ {
		asdus = append(asdus, asduBytes("MU8", uint16(i), 1, 1))
	}
	c := run(t, svFrame(0, asdus...))
	recs := c.Logs("sv")
	if len(recs) != 2 || recs[0].Get("num_asdu") != "8" || recs[1].Get("frames") != "7" || recs[1].Get("smp_cnt") != "7" {
		t.Errorf("records %v", recs)
	}
	if len(c.Logs("weird")) != 0 {
		t.Errorf("weirds %v", c.WeirdCounts())
	}
}

func TestNoAllocs(t *testing.T) {
	env, _ := dissecttest.NewEnv("sv", svFlow())
	env.Out = dissecttest.Discard{}
	p := newParser(env)
	frames := make([][]byte, 100)
	for i := range frames {
		frames[i] = svFrame(0, asduBytes("MU1", uint16(i), 1, 2))
	}
	p.Parse(dissect.Orig, frames[0])
	i := 1
	allocs := testing.AllocsPerRun(1000, func() {
		p.Parse(dissect.Orig, frames[i%100])
		i++
		env.TS += 250_000
	})
	if allocs != 0 {
		t.Errorf("%v allocs per frame, want 0", allocs)
	}
}

func BenchmarkParse(b *testing.B) {
	env, _ := dissecttest.NewEnv("sv", svFlow())
	env.Out = dissecttest.Discard{}
	p := newParser(env)
	f := svFrame(0, asduBytes("MU1", 1, 1, 2))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		f[len(f)-64-9-2] = byte(i) // vary smpCnt low byte
		p.Parse(dissect.Orig, f)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/PDU")
}
