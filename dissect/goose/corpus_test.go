package goose

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// TestCorpusBaselines replays every GOOSE capture of the shared corpus and compares each
// goose.log field (but ts and the opt-in all_data_raw_hex) with the ICSNPP baseline, row by
// row. Unset ("-") and empty ("(empty)") both match an absent or empty field.
func TestCorpusBaselines(t *testing.T) {
	files := testutil.CorpusFiles(t, "goose")
	if len(files) == 0 {
		t.Skip("no goose captures in the corpus")
	}
	for _, f := range files {
		base, _ := filepath.Glob(f + ".gt/zeek-baseline/*/goose.log")
		for _, bl := range base {
			if strings.Contains(bl, "raw-hex") {
				continue
			}
			t.Run(filepath.Base(f), func(t *testing.T) {
				want := replay.ZeekTSV(t, bl)
				got := replay.Run(t, engine.Config{Dissectors: []string{"goose"}}, f).Logs["goose"]
				if len(got) != len(want) {
					t.Fatalf("%d records, baseline has %d", len(got), len(want))
				}
				for i, w := range want {
					for k, v := range w {
						if k == "ts" || k == "all_data_raw_hex" {
							continue
						}
						if g := norm(replay.Str(got[i], k)); g != norm(v) {
							t.Errorf("row %d %s = %q, baseline %q", i, k, g, v)
						}
					}
				}
			})
		}
	}
}

func norm(v string) string {
	switch v {
	case "-", "(empty)":
		return ""
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil && strings.Contains(v, ".") {
		return strconv.FormatFloat(f, 'f', 6, 64)
	}
	return v
}
