package lldp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// TestCorpus replays the LLDP captures of the shared corpus: each holds one LLDPDU, which
// must give one lldp.log line with chassis and port ids. Zeek has no LLDP analyzer: its
// baseline (unknown_protocols.log) only shows the first bytes, whose Chassis ID TLV
// (02 07 04 + MAC) must be the chassis_id we log.
func TestCorpus(t *testing.T) {
	files := testutil.CorpusFiles(t, "lldp")
	if len(files) == 0 {
		t.Skip("no lldp captures in the corpus")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			recs := replay.Run(t, engine.Config{Dissectors: []string{"lldp"}}, f).Logs["lldp"]
			if len(recs) != 1 || replay.Str(recs[0], "chassis_id") == "" || replay.Str(recs[0], "port_id") == "" {
				t.Fatalf("lldp.log %v", recs)
			}
			bl, _ := filepath.Glob(f + ".gt/zeek-baseline/*/unknown_protocols.log")
			for _, b := range bl {
				raw, _ := os.ReadFile(b)
				for _, l := range strings.Split(string(raw), "\n") {
					fs := strings.Split(l, "\t")
					if len(fs) < 5 || !strings.HasPrefix(fs[4], "020704") {
						continue
					}
					want := fs[4][6:18]
					got := strings.ReplaceAll(replay.Str(recs[0], "chassis_id"), ":", "")
					if got != want {
						t.Errorf("chassis_id %s, first bytes say %s", got, want)
					}
				}
			}
		})
	}
}
