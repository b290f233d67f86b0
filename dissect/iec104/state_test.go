package iec104

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

var (
	orig = dissect.Orig
	resp = dissect.Resp
)

// mSP is an M_SP_NA_1 spont ASDU for CA 10 with one object.
var mSP = []byte{0x01, 0x01, 0x03, 0x00, 0x0a, 0x00, 0x01, 0x00, 0x00, 0x01}

func TestSequence(t *testing.T) {
	tests := []struct {
		name   string
		chunks []chunk
		weirds string
	}{
		{"in order from the start", []chunk{
			{orig, uFrame(uStartDTAct)}, {resp, uFrame(uStartDTCon)},
			{resp, iFrame(0, 0, mSP...)}, {resp, iFrame(1, 0, mSP...)}, {orig, sFrame(2)},
		}, ""},
		{"first I-frame not 0 after STARTDT", []chunk{
			{orig, uFrame(uStartDTAct)}, {resp, iFrame(5, 0, mSP...)},
		}, "iec104_seq_gap"},
		{"mid-stream start is not a gap", []chunk{
			{resp, iFrame(5, 0, mSP...)}, {resp, iFrame(6, 0, mSP...)},
		}, ""},
		{"gap", []chunk{
			{resp, iFrame(5, 0, mSP...)}, {resp, iFrame(7, 0, mSP...)}, {resp, iFrame(8, 0, mSP...)},
		}, "iec104_seq_gap"},
		{"duplicate", []chunk{
			{resp, iFrame(5, 0, mSP...)}, {resp, iFrame(6, 0, mSP...)}, {resp, iFrame(6, 0, mSP...)}, {resp, iFrame(7, 0, mSP...)},
		}, "iec104_seq_duplicate"},
		{"wraps at 32767", []chunk{
			{resp, iFrame(32767, 0, mSP...)}, {resp, iFrame(0, 0, mSP...)}, {orig, sFrame(1)},
		}, ""},
		{"S acknowledges unsent frames", []chunk{
			{orig, uFrame(uStartDTAct)}, {resp, iFrame(0, 0, mSP...)}, {orig, sFrame(5)}, {resp, iFrame(1, 0, mSP...)},
		}, "iec104_ack_beyond_sent"},
		{"I acknowledges unsent frames, judged at close", []chunk{
			{orig, uFrame(uStartDTAct)}, {resp, iFrame(0, 0, mSP...)}, {orig, iFrame(0, 3, mSP...)},
		}, "iec104_ack_beyond_sent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := newTest()
			for _, ch := range tt.chunks {
				feed(t, p, ch.dir, ch.b)
			}
			p.Close()
			if got := strings.Join(weirdNames(c), ","); got != tt.weirds {
				t.Errorf("weirds %q, want %q", got, tt.weirds)
			}
		})
	}
}

// TestAckAfterLoss: the engine reports a hole after the packet whose ACK skipped it; the
// acknowledgement of the lost frames is not an anomaly.
func TestAckAfterLoss(t *testing.T) {
	p, c := newTest()
	feed(t, p, resp, iFrame(0, 0, mSP...))
	feed(t, p, orig, sFrame(13))
	p.Gap(resp, 1376)
	feed(t, p, resp, iFrame(13, 0, mSP...))
	p.Close()
	if w := weirdNames(c); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
}

// cSC is a C_SC_NA_1 ASDU for CA 10, IOA 2, with cause cot.
func cSC(cot byte) []byte { return []byte{0x2d, 0x01, cot, 0x00, 0x0a, 0x00, 0x02, 0x00, 0x00, 0x01} }

func TestPairing(t *testing.T) {
	tests := []struct {
		name   string
		chunks []chunk
		weirds string
	}{
		{"act, actcon, actterm", []chunk{
			{orig, iFrame(0, 0, cSC(cotAct)...)}, {resp, iFrame(0, 1, cSC(cotActCon)...)}, {resp, iFrame(1, 1, cSC(cotActTerm)...)},
		}, ""},
		{"repeated act, two actcons", []chunk{
			{orig, iFrame(0, 0, cSC(cotAct)...)}, {orig, iFrame(1, 0, cSC(cotAct)...)},
			{resp, iFrame(0, 2, cSC(cotActCon)...)}, {resp, iFrame(1, 2, cSC(cotActCon)...)},
		}, ""},
		{"actcon without act", []chunk{
			{resp, iFrame(0, 0, cSC(cotActCon)...)},
		}, "iec104_unsolicited_confirmation"},
		{"actcon from the wrong side", []chunk{
			{orig, iFrame(0, 0, cSC(cotAct)...)}, {orig, iFrame(1, 0, cSC(cotActCon)...)},
		}, "iec104_unsolicited_confirmation,iec104_unanswered_command"},
		{"unknown IOA answers the act", []chunk{
			{orig, iFrame(0, 0, cSC(cotAct)...)}, {resp, iFrame(0, 1, cSC(0x40|cotUnkIOA)...)},
		}, "iec104_negative_confirm"},
		{"act never confirmed", []chunk{
			{orig, iFrame(0, 0, cSC(cotAct)...)},
		}, "iec104_unanswered_command"},
		{"broadcast interrogation confirmed by station", []chunk{
			{orig, iFrame(0, 0, 0x64, 0x01, 0x06, 0x00, 0xff, 0xff, 0, 0, 0, 0x14)},
			{resp, iFrame(0, 1, 0x64, 0x01, 0x07, 0x00, 0x0a, 0x00, 0, 0, 0, 0x14)},
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, c := newTest()
			for _, ch := range tt.chunks {
				feed(t, p, ch.dir, ch.b)
			}
			p.Close()
			if got := strings.Join(weirdNames(c), ","); got != tt.weirds {
				t.Errorf("weirds %q, want %q", got, tt.weirds)
			}
		})
	}
}

func TestPendingFlood(t *testing.T) {
	p, c := newTest()
	for i := 0; i < maxPendingCmds+10; i++ {
		a := cSC(cotAct)
		a[6] = byte(i) // distinct IOA
		feed(t, p, orig, iFrame(uint16(i), 0, a...))
	}
	if n := strings.Count(strings.Join(weirdNames(c), ","), "iec104_pending_flood"); n != 1 {
		t.Errorf("%d pending_flood weirds, want 1", n)
	}
	if p.npending != maxPendingCmds {
		t.Errorf("npending %d", p.npending)
	}
}

func TestRolesFactsEvents(t *testing.T) {
	p, c := newTest()
	for _, ch := range session() {
		feed(t, p, ch.dir, ch.b)
	}
	// A command, a clock sync, a reset and a parameter from the controlling station.
	feed(t, p, orig, iFrame(1, 4, cSC(cotAct)...))
	feed(t, p, orig, iFrame(2, 4, 0x67, 0x01, 0x06, 0x00, 0x0a, 0x00, 0, 0, 0, 0x9d, 0x42, 0x17, 0x09, 0x84, 0x07, 0x0d))
	feed(t, p, orig, iFrame(3, 4, 0x69, 0x01, 0x06, 0x00, 0x0a, 0x00, 0, 0, 0, 0x01))
	feed(t, p, orig, iFrame(4, 4, 0x6e, 0x01, 0x06, 0x00, 0x0a, 0x00, 0x05, 0, 0, 0x00, 0x40, 0x01))
	feed(t, p, orig, iFrame(5, 4, 0x66, 0x01, 0x05, 0x00, 0x0a, 0x00, 0x05, 0, 0)) // read: no event
	// The station confirms the command: no event for confirmations.
	feed(t, p, resp, iFrame(4, 6, cSC(cotActCon)...))

	var facts []string
	for _, f := range c.Facts {
		facts = append(facts, f.Side.String()+" "+f.Attr+"="+f.Value)
	}
	wantFacts := "orig role=iec104_controlling,resp role=iec104_controlled,resp station_address=10"
	if got := strings.Join(facts, ","); got != wantFacts {
		t.Errorf("facts %q, want %q", got, wantFacts)
	}
	var events []string
	for _, e := range c.Events {
		events = append(events, e.Src.String()+" "+e.Kind+": "+e.Detail)
	}
	wantEvents := []string{
		"orig interrogation: C_IC_NA_1 ca=10 ioa=0 qoi=20",
		"orig command: C_SC_NA_1 ca=10 ioa=2 ON EXECUTE",
		"orig time_sync: C_CS_NA_1 ca=10 ioa=0 time=2013-07-04T09:23:17.053",
		"orig restart: C_RP_NA_1 ca=10 ioa=0 qrp=1",
		"orig config_write: P_ME_NA_1 ca=10 ioa=5 value=0.5",
	}
	if got := strings.Join(events, "\n"); got != strings.Join(wantEvents, "\n") {
		t.Errorf("events\n%s\nwant\n%s", got, strings.Join(wantEvents, "\n"))
	}
	if w := weirdNames(c); len(w) != 0 {
		t.Errorf("weirds %v", w)
	}
	if n := len(c.Logs("iec104_commands")); n != 9 {
		t.Errorf("%d command records, want 9", n)
	}
}

// TestRoleFromMonitorData: without STARTDT, monitor-direction data marks its sender as the
// controlled station (here the originator: a station that dialled out).
func TestRoleFromMonitorData(t *testing.T) {
	p, c := newTest()
	feed(t, p, orig, iFrame(0, 0, mSP...))
	if len(c.Facts) != 3 || c.Facts[0].Side != resp || c.Facts[0].Value != "iec104_controlling" ||
		c.Facts[2].Side != orig || c.Facts[2].Attr != dissect.AttrStationAddr {
		t.Errorf("facts %+v", c.Facts)
	}
}

// records renders the iec104 and iec104_commands records without the envelope, to compare runs.
func records(c *dissecttest.Capture) string {
	var b strings.Builder
	for _, r := range c.Records {
		b.WriteString(r.Log)
		b.WriteByte(' ')
		b.WriteString(r.Raw)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestSegmentation feeds the session through dissecttest.Stream cut in every way the engine
// may cut it; the output must not change.
func TestSegmentation(t *testing.T) {
	ref, rc := newTest()
	for _, ch := range session() {
		feed(t, ref, ch.dir, ch.b)
	}
	want := records(rc)
	if n := len(rc.Logs("iec104")); n != len(session()) {
		t.Fatalf("reference: %d records", n)
	}

	run := func(t *testing.T, write func(s *dissecttest.Stream)) {
		t.Helper()
		p, c := newTest()
		s := &dissecttest.Stream{P: p}
		write(s)
		if got := records(c); got != want {
			t.Errorf("records differ\ngot:\n%s\nwant:\n%s", got, want)
		}
		if s.Pending(orig) != 0 || s.Pending(resp) != 0 {
			t.Errorf("pending %d/%d", s.Pending(orig), s.Pending(resp))
		}
	}
	t.Run("one PDU over two segments", func(t *testing.T) {
		for _, i := range []int{2, 4} { // the I-frames with ASDUs
			b := session()[i].b
			for cut := 1; cut < len(b); cut++ {
				run(t, func(s *dissecttest.Stream) {
					for j, ch := range session() {
						if j == i {
							s.Write(t, ch.dir, ch.b[:cut])
							if s.Pending(ch.dir) != cut {
								t.Errorf("cut %d: %d pending", cut, s.Pending(ch.dir))
							}
							s.Write(t, ch.dir, ch.b[cut:])
							continue
						}
						s.Write(t, ch.dir, ch.b)
					}
				})
			}
		}
	})
	t.Run("two PDUs in one segment", func(t *testing.T) {
		run(t, func(s *dissecttest.Stream) {
			ses := session()
			for j := 0; j < len(ses); j++ {
				if j+1 < len(ses) && ses[j+1].dir == ses[j].dir {
					s.Write(t, ses[j].dir, cat(ses[j].b, ses[j+1].b))
					j++
					continue
				}
				s.Write(t, ses[j].dir, ses[j].b)
			}
		})
	})
	t.Run("byte at a time", func(t *testing.T) {
		run(t, func(s *dissecttest.Stream) {
			for _, ch := range session() {
				for i := range ch.b {
					s.Write(t, ch.dir, ch.b[i:i+1])
				}
			}
		})
	})
	t.Run("gap then resync", func(t *testing.T) {
		p, c := newTest()
		s := &dissecttest.Stream{P: p}
		ses := session()
		for _, ch := range ses[:4] {
			s.Write(t, ch.dir, ch.b)
		}
		// Half of the M_ME_NC_1 APDU arrives, the rest is lost; the engine resumes inside the
		// next APDU with a tail that contains 0x68 octets, then whole APDUs follow.
		lost := ses[4].b
		s.Write(t, resp, lost[:9])
		s.Gap(resp, len(lost)-9+5)
		if n := len(c.Logs("iec104")); n != 4 {
			t.Fatalf("%d records before the gap", n)
		}
		tail := []byte{0x68, 0x44, 0x68, 0x0b, 0x00} // end of a lost APDU: M_SP with IOA 0x680b68…
		s.Write(t, resp, cat(tail, ses[6].b))
		recs := c.Logs("iec104")
		if len(recs) != 5 || recs[4].Get("tx_seq") != "3" || recs[4].Get("cot_name") != "ACTTERM" {
			t.Fatalf("after resync: %d records, last %v", len(recs), recs[len(recs)-1].Raw)
		}
		if s.Pending(resp) != 0 {
			t.Errorf("%d pending", s.Pending(resp))
		}
		if w := weirdNames(c); len(w) != 0 {
			t.Errorf("weirds after a gap: %v", w)
		}
	})
}

// discard is an Output that keeps nothing (for allocation tests and benchmarks).
type discard struct{ n int }

func (d *discard) Record(log string, line []byte) { d.n++ }
func (d *discard) Fact(f *dissect.Fact)           {}
func (d *discard) Event(e *dissect.Event)         {}

// steady is a typical steady-state exchange: spontaneous and periodic monitor data, an S-frame
// and a TESTFR pair. Sequence numbers are patched in place per round so no anomaly fires.
type steady struct {
	p         *parser
	me, sp, s []byte
	tfa, tfc  []byte
	ns        uint16
}

func newSteady() (*steady, *discard) {
	out := &discard{}
	env := &dissect.Env{Flow: dissecttest.Flow(6, 2404), Name: "iec104", Out: out}
	st := &steady{
		p: newParser(env).(*parser),
		me: iFrame(0, 0, 0x0d, 0x84, 0x01, 0x00, 0x0a, 0x00, // M_ME_NC_1 SQ 4 objects periodic
			0x01, 0x10, 0x00,
			0x00, 0x00, 0xc0, 0x3f, 0x00, 0x00, 0x00, 0x20, 0x41, 0x00,
			0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00),
		sp: iFrame(0, 0, 0x1e, 0x02, 0x03, 0x00, 0x0a, 0x00, // M_SP_TB_1 2 objects spont
			0x0b, 0x00, 0x00, 0x01, 0x9d, 0x42, 0x17, 0x09, 0x84, 0x07, 0x0d,
			0x0c, 0x00, 0x00, 0x00, 0x9d, 0x42, 0x17, 0x09, 0x84, 0x07, 0x0d),
		s:   sFrame(0),
		tfa: uFrame(uTestFRAct),
		tfc: uFrame(uTestFRCon),
	}
	return st, out
}

func setNS(b []byte, ns uint16) { b[2], b[3] = byte(ns<<1), byte(ns>>7) }
func setNR(b []byte, nr uint16) { b[4], b[5] = byte(nr<<1), byte(nr>>7) }

// round parses five APDUs.
func (st *steady) round() {
	setNS(st.me, st.ns)
	setNS(st.sp, (st.ns+1)&(seqMod-1))
	st.ns = (st.ns + 2) & (seqMod - 1)
	setNR(st.s, st.ns)
	st.p.Parse(resp, st.me)
	st.p.Parse(resp, st.sp)
	st.p.Parse(orig, st.s)
	st.p.Parse(orig, st.tfa)
	st.p.Parse(resp, st.tfc)
}

func TestSteadyStateAllocs(t *testing.T) {
	st, out := newSteady()
	st.round()
	allocs := testing.AllocsPerRun(1000, st.round)
	if allocs != 0 {
		t.Errorf("%.1f allocs per round of 5 APDUs, want 0", allocs)
	}
	if st.p.env.Weirds != 0 {
		t.Errorf("%d weirds in steady state", st.p.env.Weirds)
	}
	if out.n == 0 {
		t.Error("nothing logged")
	}
}

func BenchmarkParse(b *testing.B) {
	st, _ := newSteady()
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		st.round()
	}
	el := time.Since(start)
	b.ReportMetric(float64(el.Nanoseconds())/float64(5*b.N), "ns/PDU")
	b.SetBytes(int64(len(st.me) + len(st.sp) + len(st.s) + len(st.tfa) + len(st.tfc)))
}

// TestSessionRecords pins the iec104.log lines of the session (envelope stripped).
func TestSessionRecords(t *testing.T) {
	p, c := newTest()
	for _, ch := range session() {
		feed(t, p, ch.dir, ch.b)
	}
	var got []string
	for _, r := range c.Logs("iec104") {
		i := bytes.Index([]byte(r.Raw), []byte(`"is_orig"`))
		got = append(got, r.Raw[i:])
	}
	want := []string{
		`"is_orig":true,"apdu_type":"U","u_function":"STARTDT_ACT"}`,
		`"is_orig":false,"apdu_type":"U","u_function":"STARTDT_CON"}`,
		`"is_orig":true,"apdu_type":"I","tx_seq":0,"rx_seq":0,"type_id":100,"type_name":"C_IC_NA_1","cot":6,"cot_name":"ACT","negative":false,"test":false,"originator_address":0,"common_address":10,"num_objects":1,"ioas":[0]}`,
		`"is_orig":false,"apdu_type":"I","tx_seq":0,"rx_seq":1,"type_id":100,"type_name":"C_IC_NA_1","cot":7,"cot_name":"ACTCON","negative":false,"test":false,"originator_address":0,"common_address":10,"num_objects":1,"ioas":[0]}`,
		`"is_orig":false,"apdu_type":"I","tx_seq":1,"rx_seq":1,"type_id":13,"type_name":"M_ME_NC_1","cot":20,"cot_name":"INROGEN","negative":false,"test":false,"originator_address":0,"common_address":10,"num_objects":2,"ioas":[1,2]}`,
		`"is_orig":false,"apdu_type":"I","tx_seq":2,"rx_seq":1,"type_id":1,"type_name":"M_SP_NA_1","cot":20,"cot_name":"INROGEN","negative":false,"test":false,"originator_address":0,"common_address":10,"num_objects":2,"ioas":[11,12]}`,
		`"is_orig":false,"apdu_type":"I","tx_seq":3,"rx_seq":1,"type_id":100,"type_name":"C_IC_NA_1","cot":10,"cot_name":"ACTTERM","negative":false,"test":false,"originator_address":0,"common_address":10,"num_objects":1,"ioas":[0]}`,
		`"is_orig":true,"apdu_type":"S","rx_seq":4}`,
		`"is_orig":true,"apdu_type":"U","u_function":"TESTFR_ACT"}`,
		`"is_orig":false,"apdu_type":"U","u_function":"TESTFR_CON"}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(c.Records[0].Raw, `{"ts":1600000000.000000,"uid":"CTEST0000000000001","id.orig_h":"10.0.0.1","id.orig_p":50000,"id.resp_h":"10.0.0.2","id.resp_p":2404,`) {
		t.Errorf("envelope: %s", c.Records[0].Raw)
	}
}
