package s7comm

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// run replays a capture through the engine with only this dissector and returns the logs.
func run(t *testing.T, pcap string) *replay.Result {
	t.Helper()
	res := replay.Run(t, engine.Config{Dissectors: []string{"s7comm"}}, pcap)
	if res.Err != nil {
		t.Fatalf("%s: %v", filepath.Base(pcap), res.Err)
	}
	return res
}

func TestCorpusAgainstTshark(t *testing.T) {
	var files []string
	for _, d := range []string{"s7comm", "s7comm-plus"} {
		files = append(files, testutil.CorpusFiles(t, d)...)
	}
	for _, pcap := range files {
		t.Run(filepath.Base(pcap), func(t *testing.T) {
			res := run(t, pcap)
			got := len(res.Logs["s7comm"])
			// tshark's S7comm PDUs: one s7comm.header.rosctr each.
			want := testutil.OracleCount(pcap, "s7comm", "s7comm.header.rosctr")
			counts := map[string]int{}
			for log, recs := range res.Logs {
				counts[log] = len(recs)
			}
			if testing.Verbose() {
				for _, w := range res.Logs["weird"] {
					t.Logf("weird %s %s", replay.Str(w, "name"), replay.Str(w, "addl"))
				}
			}
			t.Logf("logs %v pdus %v", counts, res.Summary.PDUs)
			if want >= 0 && got != want {
				t.Errorf("s7comm.log has %d PDUs, tshark %d", got, want)
			}
		})
	}
}

// TestCorpusAgainstICSNPP checks that every row of the ICSNPP baselines' cotp.log,
// s7comm.log and s7comm_plus.log is in our logs (key fields as tools/fidelity.py compares
// them). Our logs may hold more rows: see README "Differences".
func TestCorpusAgainstICSNPP(t *testing.T) {
	keys := map[string][]string{
		"cotp":        {"is_orig", "pdu_code", "pdu_name"},
		"s7comm":      {"is_orig", "rosctr_code", "pdu_reference", "function_code", "subfunction_code", "error_class", "error_code"},
		"s7comm_plus": {"is_orig", "version", "opcode", "function_code", "function_name"},
	}
	var files []string
	for _, d := range []string{"s7comm", "s7comm-plus"} {
		files = append(files, testutil.CorpusFiles(t, d)...)
	}
	checked := 0
	for _, pcap := range files {
		bases, _ := filepath.Glob(pcap + ".gt/zeek-baseline/*/*.log")
		if len(bases) == 0 {
			continue
		}
		res := run(t, pcap)
		for _, base := range bases {
			log := strings.TrimSuffix(filepath.Base(base), ".log")
			ks, ok := keys[log]
			if !ok {
				continue
			}
			ours := map[string]int{}
			for _, r := range res.Logs[log] {
				ours[rowKey(ks, func(k string) string { return replay.Str(r, k) })]++
			}
			fields, rows := readZeekTSV(t, base)
			for _, row := range rows {
				get := func(k string) string {
					for i, f := range fields {
						if f == k && i < len(row) {
							return row[i]
						}
					}
					return "-"
				}
				k := rowKey(ks, get)
				if ours[k] == 0 {
					t.Errorf("%s %s: baseline row %s not in our log", filepath.Base(pcap), log, k)
					continue
				}
				ours[k]--
				checked++
			}
		}
	}
	t.Logf("%d baseline rows matched", checked)
}

func rowKey(keys []string, get func(string) string) string {
	var b strings.Builder
	for _, k := range keys {
		v := get(k)
		switch v {
		case "", "-", "(empty)":
			v = "-"
		case "true":
			v = "T"
		case "false":
			v = "F"
		}
		b.WriteString(v)
		b.WriteByte('|')
	}
	return b.String()
}

func readZeekTSV(t *testing.T, path string) (fields []string, rows [][]string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "#fields"):
			fields = strings.Split(line, "\t")[1:]
		case line == "" || strings.HasPrefix(line, "#"):
		default:
			rows = append(rows, strings.Split(line, "\t"))
		}
	}
	return fields, rows
}
