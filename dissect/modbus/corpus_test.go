package modbus

import (
	"bufio"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// replayPcap runs pcap through the engine with only this dissector and returns the modbus.log
// lines and how many flows the dissector attached to (conn.log service "modbus").
func replayPcap(t *testing.T, pcap string) (recs []map[string]any, attached int) {
	t.Helper()
	res := replay.Run(t, engine.Config{Dissectors: []string{"modbus"}}, pcap)
	if res.Err != nil {
		t.Fatalf("%s: %v", pcap, res.Err)
	}
	for _, c := range res.Logs["conn"] {
		if replay.Str(c, "service") == "modbus" {
			attached++
		}
	}
	return res.Logs[logModbus], attached
}

// baselineRows reads a Zeek TSV baseline and returns each row's values for cols, joined.
// Baselines without a #fields line are read positionally with positional.
func baselineRows(t *testing.T, path string, cols []string, positional map[string]int) []string {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var fields []string
	var out []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#fields") {
			fields = strings.Split(line, "\t")[1:]
			continue
		}
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		vals := strings.Split(line, "\t")
		var row []string
		for _, c := range cols {
			i, ok := positional[c]
			if fields != nil {
				i, ok = -1, false
				for j, f := range fields {
					if f == c {
						i, ok = j, true
					}
				}
			}
			v := "-"
			if ok && i < len(vals) {
				v = vals[i]
			}
			row = append(row, v)
		}
		out = append(out, strings.Join(row, " "))
	}
	return out
}

func ourRows(recs []map[string]any, cols []string) []string {
	var out []string
	for _, r := range recs {
		var row []string
		for _, c := range cols {
			v := replay.Str(r, c)
			if v == "" {
				v = "-"
			}
			row = append(row, v)
		}
		out = append(out, strings.Join(row, " "))
	}
	return out
}

func sameRows(t *testing.T, name string, got, want []string) {
	t.Helper()
	sort.Strings(got)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("%s: modbus.log differs from the Zeek baseline\n got %d rows:\n%s\nwant %d rows:\n%s",
			name, len(got), strings.Join(got, "\n"), len(want), strings.Join(want, "\n"))
	}
}

// TestCorpusBaselines replays the corpus captures whose Zeek baselines describe a clean
// conversation and compares modbus.log with them.
func TestCorpusBaselines(t *testing.T) {
	files := testutil.CorpusFiles(t, "modbus")
	byName := map[string]string{}
	for _, f := range files {
		byName[filepath.Base(f)] = f
	}
	t.Run("modbus_and_non_modbus_on_port_502", func(t *testing.T) {
		pcap := byName["zeek__modbus-and-non-modbus-p502.pcap"]
		if pcap == "" {
			t.Skip("capture absent")
		}
		recs, attached := replayPcap(t, pcap)
		if attached != 1 {
			t.Errorf("%d flows attached, want 1 (the others on port 502 are DCE/RPC, TLS, scanners)", attached)
		}
		cols := []string{"tid", "unit", "func", "pdu_type", "exception"}
		want := baselineRows(t, filepath.Join(pcap+".gt", "zeek-baseline",
			"scripts.base.protocols.modbus.modbus_and_non_modbus_on_port_502", "modbus.log"), cols, nil)
		sameRows(t, "p502", ourRows(recs, cols), want)
	})
	t.Run("icsnpp_modbus_example", func(t *testing.T) {
		pcap := byName["icsnpp-modbus__modbus_example.pcap"]
		if pcap == "" {
			t.Skip("capture absent")
		}
		all, _ := replayPcap(t, pcap)
		// This baseline predates tid/unit/pdu_type in modbus.log: its rows are
		// ts uid id.orig_h id.orig_p id.resp_h id.resp_p func exception, and that Zeek wrote
		// one line per transaction, when the response arrived. Compare our RESP lines.
		var recs []map[string]any
		for _, r := range all {
			if replay.Str(r, "pdu_type") == "RESP" {
				recs = append(recs, r)
			}
		}
		cols := []string{"func", "exception"}
		want := baselineRows(t, filepath.Join(pcap+".gt", "zeek-baseline", "analyzer.basic", "modbus.log"),
			cols, map[string]int{"func": 6, "exception": 7})
		sameRows(t, "icsnpp", ourRows(recs, cols), want)
	})
}
