package opcua

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// TestCorpus replays the shared captures: one opcua_binary.log row per message as tshark
// counts them, every ICSNPP baseline service log row count matched, no decoding anomaly.
func TestCorpus(t *testing.T) {
	files := testutil.CorpusFiles(t, "opcua")
	if len(files) == 0 {
		t.Skip("no opcua captures in the corpus")
	}
	for _, pcap := range files {
		t.Run(filepath.Base(pcap), func(t *testing.T) {
			res := replay.Run(t, engine.Config{}, pcap)
			// tshark's OPC UA messages: one opcua.transport.type each.
			if want := testutil.OracleCount(pcap, "opcua", "opcua.transport.type"); want >= 0 && len(res.Logs[logMain]) != want {
				t.Errorf("opcua_binary.log has %d rows, tshark counts %d messages", len(res.Logs[logMain]), want)
			}
			for _, w := range res.Logs["weird"] {
				switch replay.Str(w, "name") {
				case weirdDecodingError, weirdBadChunkSize, weirdUnknownType, weirdChunkSequence:
					t.Errorf("weird %s %s", replay.Str(w, "name"), replay.Str(w, "addl"))
				}
			}
			// Service logs (not opcua_binary.log, whose baseline pairs requests with
			// responses): the same number of rows as the ICSNPP baseline.
			// The with-gap capture is skipped: ICSNPP stops decoding that flow at the gap
			// (its baseline has 41 paired rows for the 239 messages tshark and we decode).
			bases, _ := filepath.Glob(pcap + ".gt/zeek-baseline/*/opcua_binary_*.log")
			if strings.Contains(pcap, "with-gap") {
				bases = nil
			}
			for _, base := range bases {
				log := strings.TrimSuffix(filepath.Base(base), ".log")
				want := len(replay.ZeekTSV(t, base))
				if want == 0 {
					want = countRows(t, base)
				}
				if got := len(res.Logs[log]); got != want {
					t.Errorf("%s: %d rows, baseline %d", log, got, want)
				}
			}
		})
	}
}

// countRows counts the data rows of a baseline without a #fields header.
func countRows(t *testing.T, path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			n++
		}
	}
	return n
}
