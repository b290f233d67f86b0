package dhcp

import (
	"path/filepath"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// TestCorpusBaselines replays the corpus captures with a Zeek dhcp.log baseline and compares
// the rows' keys (mac, host_name, assigned_addr) and msg_types as multisets.
func TestCorpusBaselines(t *testing.T) {
	for _, f := range testutil.CorpusFiles(t, "dhcp") {
		bases, _ := filepath.Glob(f + ".gt/zeek-baseline/*/dhcp.log")
		if len(bases) == 0 {
			continue
		}
		res := replay.Run(t, engine.Config{Workers: 1, Dissectors: []string{"dhcp"}}, f)
		for _, b := range bases {
			ours := map[string]int{}
			for _, m := range res.Logs["dhcp"] {
				ours[replay.Str(m, "mac")+" "+replay.Str(m, "host_name")+" "+replay.Str(m, "assigned_addr")]++
			}
			for _, row := range replay.ZeekTSV(t, b) {
				k := dash(row["mac"]) + " " + dash(row["host_name"]) + " " + dash(row["assigned_addr"])
				if ours[k] == 0 {
					t.Errorf("%s: baseline row %q missing", filepath.Base(b), k)
				}
				ours[k]--
			}
		}
	}
}

func dash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}
