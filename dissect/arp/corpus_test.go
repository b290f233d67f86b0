package arp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// TestCorpusBaselines replays the ARP captures of the shared corpus and compares arp.log with
// the Zeek btest baselines, which print "mac_src, mac_dst, SPA, SHA, TPA, THA" for each
// arp_request/arp_reply event and "BAD, SPA, SHA, TPA, THA, explanation" for bad_arp.
func TestCorpusBaselines(t *testing.T) {
	files := testutil.CorpusFiles(t, "arp")
	if len(files) == 0 {
		t.Skip("no arp captures in the corpus")
	}
	for _, f := range files {
		base, _ := filepath.Glob(f + ".gt/zeek-baseline/*/.stdout")
		for _, bl := range base {
			t.Run(filepath.Base(f), func(t *testing.T) {
				resetBindings()
				raw, err := os.ReadFile(bl)
				if err != nil {
					t.Fatal(err)
				}
				var want, bad []string
				for _, l := range strings.Split(string(raw), "\n") {
					switch {
					case l == "" || strings.HasPrefix(l, "#"):
					case strings.HasPrefix(l, "BAD, "):
						bad = append(bad, strings.Join(strings.Split(l, ", ")[5:], ", "))
					default:
						want = append(want, strings.TrimPrefix(strings.TrimPrefix(l, "REQ, "), "REP, "))
					}
				}
				res := replay.Run(t, engine.Config{Dissectors: []string{"arp"}}, f)
				var got []string
				for _, r := range res.Logs["arp"] {
					got = append(got, strings.Join([]string{replay.Str(r, "src_mac"), replay.Str(r, "dst_mac"),
						replay.Str(r, "orig_h"), replay.Str(r, "orig_hw"), replay.Str(r, "resp_h"), replay.Str(r, "resp_hw")}, ", "))
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Errorf("arp.log:\n%s\nbaseline:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				var gotBad []string
				for _, r := range res.Logs["weird"] {
					if strings.HasPrefix(replay.Str(r, "name"), "arp_") {
						gotBad = append(gotBad, replay.Str(r, "addl"))
					}
				}
				if strings.Join(gotBad, "\n") != strings.Join(bad, "\n") {
					t.Errorf("weird addl:\n%s\nbad_arp:\n%s", strings.Join(gotBad, "\n"), strings.Join(bad, "\n"))
				}
			})
		}
	}
}
