package cdp

import (
	"path/filepath"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// TestCorpus replays the CDP captures of the shared corpus. Zeek has no CDP analyzer (its
// baseline is an unknown_protocols.log line for SNAP 0x0c2000); the values are checked
// against the frame (tshark 4.0 decodes the same: Device ID R1, Port ID Ethernet0, platform
// cisco 1601).
func TestCorpus(t *testing.T) {
	files := testutil.CorpusFiles(t, "cdp")
	if len(files) == 0 {
		t.Skip("no cdp captures in the corpus")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			recs := replay.Run(t, engine.Config{Dissectors: []string{"cdp"}}, f).Logs["cdp"]
			if len(recs) == 0 {
				t.Fatal("no cdp.log line")
			}
			if filepath.Base(f) == "zeek__cdp-v1.pcap" {
				r := recs[0]
				for k, want := range map[string]string{"device_id": "R1", "port_id": "Ethernet0", "platform": "cisco 1601", "version": "1", "ttl": "180"} {
					if g := replay.Str(r, k); g != want {
						t.Errorf("%s = %q, want %q", k, g, want)
					}
				}
			}
		})
	}
}
