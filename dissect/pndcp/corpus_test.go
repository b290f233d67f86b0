package pndcp

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// TestCorpusOracle replays the PROFINET captures that have a tshark oracle and checks that
// profinet_dcp.log has one line per frame where tshark decoded pn_dcp.service_id, with the
// same service id, service type and MAC addresses in the same order.
func TestCorpusOracle(t *testing.T) {
	for _, f := range testutil.CorpusFiles(t, "profinet") {
		tsv := f + ".oracle/pn_dcp.tsv"
		b, err := os.ReadFile(tsv)
		if err != nil {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			lines := strings.Split(strings.TrimSpace(string(b)), "\n")
			hdr := strings.Split(lines[0], "\t")
			col := map[string]int{}
			for i, h := range hdr {
				col[h] = i
			}
			var want []string
			for _, l := range lines[1:] {
				v := strings.Split(l, "\t")
				if v[col["pn_dcp.service_id"]] == "" {
					continue
				}
				want = append(want, v[col["eth.src"]]+" "+v[col["eth.dst"]]+" "+v[col["pn_dcp.service_id"]]+"/"+v[col["pn_dcp.service_type"]])
			}
			ids := map[string]string{"GET": "3", "SET": "4", "IDENTIFY": "5", "HELLO": "6"}
			types := map[string]string{"REQUEST": "0", "RESPONSE_SUCCESS": "1", "RESPONSE_UNSUPPORTED": "5"}
			var got []string
			for _, r := range replay.Run(t, engine.Config{Dissectors: []string{"pndcp"}}, f).Logs[logDCP] {
				got = append(got, replay.Str(r, "src_mac")+" "+replay.Str(r, "dst_mac")+" "+
					ids[replay.Str(r, "service_id")]+"/"+types[replay.Str(r, "service_type")])
			}
			if len(got) != len(want) {
				t.Fatalf("%d DCP records, tshark decoded %d", len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Errorf("record %d: %s, tshark %s", i, got[i], want[i])
				}
			}
		})
	}
}
