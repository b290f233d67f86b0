package goose

import (
	"testing"

	"github.com/quietwire/quietwire/dissect"
	"github.com/quietwire/quietwire/dissect/dissecttest"
)

func fr(f fields) []byte { return frame(0x3001, 0, f.pdu()) }

func TestSequenceAnomalies(t *testing.T) {
	const ref = "IED1/LLN0$GO$gcb1"
	tests := []struct {
		name   string
		frames []fields
		want   map[string]int
	}{
		{"normal retransmissions and state change", []fields{
			{ref: ref, st: 1, sq: 0}, {ref: ref, st: 1, sq: 1}, {ref: ref, st: 2, sq: 0}, {ref: ref, st: 2, sq: 1},
		}, map[string]int{}},
		{"st_num goes back (replay)", []fields{
			{ref: ref, st: 5, sq: 0}, {ref: ref, st: 6, sq: 0}, {ref: ref, st: 5, sq: 3},
		}, map[string]int{weirdStRegression: 1}},
		{"st_num jumps (injection)", []fields{
			{ref: ref, st: 5, sq: 7}, {ref: ref, st: 90, sq: 0},
		}, map[string]int{weirdStJump: 1}},
		{"sq_num reset without st_num change", []fields{
			{ref: ref, st: 3, sq: 10}, {ref: ref, st: 3, sq: 11}, {ref: ref, st: 3, sq: 1},
		}, map[string]int{weirdSqReset: 1}},
		{"simulation reported once per transition", []fields{
			{ref: ref, st: 1, sq: 0, sim: 1}, {ref: ref, st: 1, sq: 1, sim: 1}, {ref: ref, st: 1, sq: 2},
			{ref: ref, st: 1, sq: 3, sim: 1},
		}, map[string]int{weirdSimulation: 2}},
		{"ttl 0 and ndsCom", []fields{
			{ref: ref, st: 1, sq: 0, ttl: []byte{0}, nds: 1}, {ref: ref, st: 1, sq: 1, ttl: []byte{0}, nds: 1},
		}, map[string]int{weirdTTLZero: 1, weirdNdsCom: 1}},
		{"two control blocks tracked apart", []fields{
			{ref: ref, st: 7, sq: 0}, {ref: "IED1/LLN0$GO$gcb2", st: 1, sq: 0}, {ref: ref, st: 7, sq: 1},
		}, map[string]int{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var frames [][]byte
			for _, f := range tc.frames {
				frames = append(frames, fr(f))
			}
			c := run(t, frames...)
			w := c.WeirdNames()
			total := 0
			for name, n := range tc.want {
				if got := count(w, name); got != n {
					t.Errorf("%s: %d, want %d (all: %v)", name, got, n, w)
				}
				total += n
			}
			if len(w) != total {
				t.Errorf("weirds %v, want only %v", w, tc.want)
			}
			if len(c.Logs("goose")) != len(frames) {
				t.Errorf("%d records for %d frames", len(c.Logs("goose")), len(frames))
			}
		})
	}
}

func TestSimulateBitInHeader(t *testing.T) {
	f := fields{ref: "r", st: 1, confRev: 1}
	c := run(t, frame(1, 0x8000, f.pdu()), frame(1, 0x8000, f.pdu()))
	if count(c.WeirdNames(), weirdSimulateBit) != 1 {
		t.Errorf("weirds %v", c.WeirdNames())
	}
}

func TestFactsAndConfRevEvent(t *testing.T) {
	const ref = "IED1/LLN0$GO$gcb1"
	c := run(t,
		fr(fields{ref: ref, st: 1, sq: 0, confRev: 1}),
		fr(fields{ref: ref, st: 1, sq: 1, confRev: 1}),
		fr(fields{ref: ref, st: 2, sq: 0, confRev: 2}),
	)
	names := map[string]string{}
	for _, f := range c.Facts {
		if f.Side != dissect.Orig {
			t.Errorf("fact %s about %s, want the publisher (orig)", f.Attr, f.Side)
		}
		if f.Attr == dissect.AttrName {
			names[f.Field] = f.Value
		}
	}
	if names["goose.gocb_ref"] != ref || names["goose.go_id"] != "IED1_GO1" {
		t.Errorf("name facts %v", names)
	}
	if len(c.Events) != 1 || c.Events[0].Kind != dissect.EvConfigWrite ||
		c.Events[0].Detail != "gocb_ref "+ref+" conf_rev 1 -> 2" {
		t.Fatalf("events %+v", c.Events)
	}
}

func TestStreamTableCap(t *testing.T) {
	var frames [][]byte
	for i := 0; i < maxStreams+5; i++ {
		frames = append(frames, fr(fields{ref: "gcb" + string(rune('A'+i)), st: 1}))
	}
	c := run(t, frames...)
	if count(c.WeirdNames(), weirdStreamsFull) != 1 {
		t.Errorf("weirds %v", c.WeirdNames())
	}
	if len(c.Logs("goose")) != len(frames) {
		t.Errorf("records %d, want %d (logging goes on past the cap)", len(c.Logs("goose")), len(frames))
	}
}

func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		want dissect.Verdict
	}{
		{"sample", sampleFrame, dissect.Match},
		{"malformed content, consistent lengths", frame(1, 0, el(tagGoosePdu, 0x1f, 0x1a, 0x01, 0x00)), dissect.Match},
		{"lengths disagree", func() []byte { f := frame(1, 0, el(tagGoosePdu, 0x80, 0x00)); f[3]++; return f }(), dissect.NoMatch},
		{"empty", nil, dissect.NoMatch},
		{"short", sampleFrame[:9], dissect.NoMatch},
		{"not a goosePdu tag", append(append([]byte(nil), sampleFrame[:8]...), 0x30, 0x00), dissect.NoMatch},
		{"length below header", []byte{0, 1, 0, 4, 0, 0, 0, 0, 0x61, 0}, dissect.NoMatch},
		{"text", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), dissect.NoMatch},
	}
	for _, tc := range tests {
		if got := Probe(dissect.Orig, tc.b); got != tc.want {
			t.Errorf("%s: Probe = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestNonGOOSE: bytes that are not GOOSE are refused by Probe; fed anyway, the parser logs
// them as malformed rather than inventing fields.
func TestNonGOOSE(t *testing.T) {
	junk := []byte("\x00\x01\x00\x20not a goose pdu at all, sorry!!")
	if Probe(dissect.Orig, junk) != dissect.NoMatch {
		t.Fatal("Probe matched junk")
	}
	c := run(t, junk)
	r := c.Logs("goose")[0]
	if r.Get("parse_error") != "malformed_asn1" || r.Get("gocb_ref") != "" {
		t.Errorf("junk logged as %s", r.Raw)
	}
	if len(c.Facts) != 1 || c.Facts[0].Attr != dissect.AttrRole {
		t.Errorf("facts from junk: %+v", c.Facts)
	}
}

// TestStreamSemantics is the segmentation matrix adapted to an Ether dissector: every Parse
// call is one whole frame, so Parse consumes everything it is given, two frames glued
// together are still one (padded) frame, a frame cut in two is two truncated frames, and a
// Gap changes nothing.
func TestStreamSemantics(t *testing.T) {
	a := fr(fields{ref: "r", st: 1, sq: 0, confRev: 1})
	b := fr(fields{ref: "r", st: 1, sq: 1, confRev: 1})
	env, c := dissecttest.NewEnv("goose", gooseFlow())
	s := &dissecttest.Stream{P: newParser(env)}
	for _, chunk := range [][]byte{a[:20], a[20:], cat(a, b)} {
		if err := s.Write(t, dissect.Orig, chunk); err != nil {
			t.Fatal(err)
		}
		if s.Pending(dissect.Orig) != 0 {
			t.Fatalf("%d bytes left pending", s.Pending(dissect.Orig))
		}
	}
	s.Gap(dissect.Orig, 100)
	if err := s.Write(t, dissect.Orig, b); err != nil {
		t.Fatal(err)
	}
	recs := c.Logs("goose")
	if len(recs) != 4 {
		t.Fatalf("%d records, want 4", len(recs))
	}
	if recs[0].Get("parse_error") != "malformed_asn1" || recs[2].Get("sq_num") != "0" || recs[3].Get("sq_num") != "1" {
		t.Errorf("records: %s | %s | %s", recs[0].Raw, recs[2].Raw, recs[3].Raw)
	}
}

func TestNoAllocs(t *testing.T) {
	env, _ := dissecttest.NewEnv("goose", gooseFlow())
	env.Out = dissecttest.Discard{}
	p := newParser(env)
	frames := [][]byte{sampleFrame, fr(fields{ref: "IED1/LLN0$GO$gcb1", st: 1, sq: 0, confRev: 1})}
	for _, f := range frames {
		p.Parse(dissect.Orig, f)
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		p.Parse(dissect.Orig, frames[i%2])
		i++
	})
	// sq_num does not advance here, so the same frame repeats; only steady-state work is
	// measured (no new stream, no fact).
	if allocs != 0 {
		t.Errorf("%v allocs per frame, want 0", allocs)
	}
}

func BenchmarkParse(b *testing.B) {
	env, _ := dissecttest.NewEnv("goose", gooseFlow())
	env.Out = dissecttest.Discard{}
	p := newParser(env)
	b.ReportAllocs()
	b.SetBytes(int64(len(sampleFrame)))
	for i := 0; i < b.N; i++ {
		p.Parse(dissect.Orig, sampleFrame)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/PDU")
}
