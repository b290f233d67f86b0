package snmp

import (
	"path/filepath"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// TestCorpusBaselines replays the SNMP captures that have a Zeek snmp.log baseline and
// compares every field but ts and uid, row by row.
func TestCorpusBaselines(t *testing.T) {
	files := testutil.CorpusFiles(t, "snmp")
	n := 0
	for _, f := range files {
		base, _ := filepath.Glob(f + ".gt/zeek-baseline/*/snmp.log")
		for _, bl := range base {
			n++
			t.Run(filepath.Base(f), func(t *testing.T) {
				want := replay.ZeekTSV(t, bl)
				got := replay.Run(t, engine.Config{Dissectors: []string{"snmp"}}, f).Logs["snmp"]
				if len(got) != len(want) {
					t.Fatalf("%d records, baseline %d", len(got), len(want))
				}
				for i, w := range want {
					for k, v := range w {
						if k == "ts" || k == "uid" {
							continue
						}
						g := replay.Str(got[i], k)
						if v == "-" || v == "(empty)" {
							v = ""
						}
						if g != v {
							t.Errorf("row %d %s = %q, baseline %q", i, k, g, v)
						}
					}
				}
			})
		}
	}
	if n == 0 {
		t.Skip("no snmp.log baselines in the corpus")
	}
}

// TestCorpusCaptures replays every SNMP capture: each must give snmp.log lines and no
// malformed-message weird (they are all valid SNMP).
func TestCorpusCaptures(t *testing.T) {
	for _, f := range testutil.CorpusFiles(t, "snmp") {
		t.Run(filepath.Base(f), func(t *testing.T) {
			res := replay.Run(t, engine.Config{Dissectors: []string{"snmp"}}, f)
			if len(res.Logs["snmp"]) == 0 {
				t.Fatal("no snmp.log line")
			}
			for _, w := range res.Logs["weird"] {
				if n := replay.Str(w, "name"); n != weirdCleartext {
					t.Errorf("weird %s %s", n, replay.Str(w, "addl"))
				}
			}
		})
	}
}
