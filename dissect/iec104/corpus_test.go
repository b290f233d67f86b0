package iec104

import (
	"path/filepath"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// TestCorpusAPDUCount replays the corpus captures through the engine and compares the number
// of APDUs in iec104.log with tshark's count of iec60870_104.type in the oracle. (It used to
// skip pcapng, which its own replayer could not read; the engine reads both.)
func TestCorpusAPDUCount(t *testing.T) {
	files := testutil.CorpusFiles(t, "iec104")
	n := 0
	for _, file := range files {
		want := testutil.OracleCount(file, "iec104", "iec60870_104.type")
		if want < 0 {
			continue
		}
		n++
		t.Run(filepath.Base(file), func(t *testing.T) {
			res := replay.Run(t, engine.Config{Dissectors: []string{"iec104"}}, file)
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if got := len(res.Logs["iec104"]); got != want {
				t.Errorf("%d APDUs, tshark %d", got, want)
			}
		})
	}
	if n == 0 {
		t.Skip("no iec104 capture with an oracle in the corpus")
	}
}
