package s7comm

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/internal/testutil"
)

// tsharkPDUs counts the S7comm PDUs of a capture in its tshark oracle (s7comm.header.rosctr
// occurrences), or -1 when there is no oracle.
func tsharkPDUs(t *testing.T, pcap string) int {
	f, err := os.Open(pcap + ".oracle/s7comm.tsv")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	col, n := -1, 0
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if col < 0 {
			for i, h := range fields {
				if h == "s7comm.header.rosctr" {
					col = i
				}
			}
			if col < 0 {
				return -1
			}
			continue
		}
		if col < len(fields) {
			for _, v := range strings.Split(fields[col], ",") {
				if v != "" {
					n++
				}
			}
		}
	}
	return n
}

func TestCorpusAgainstTshark(t *testing.T) {
	var files []string
	for _, d := range []string{"s7comm", "s7comm-plus"} {
		files = append(files, testutil.CorpusFiles(t, d)...)
	}
	for _, pcap := range files {
		t.Run(filepath.Base(pcap), func(t *testing.T) {
			c := replay(t, pcap)
			got := len(c.Logs("s7comm"))
			want := tsharkPDUs(t, pcap)
			counts := map[string]int{}
			for _, r := range c.Records {
				counts[r.Log]++
				if r.Log == "weird" && testing.Verbose() {
					t.Logf("weird %s %s", r.Get("name"), r.Get("addl"))
				}
			}
			t.Logf("logs %v facts %d events %d", counts, len(c.Facts), len(c.Events))
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
		c := replay(t, pcap)
		for _, base := range bases {
			log := strings.TrimSuffix(filepath.Base(base), ".log")
			ks, ok := keys[log]
			if !ok {
				continue
			}
			ours := map[string]int{}
			for _, r := range c.Logs(log) {
				ours[rowKey(ks, r.Get)]++
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
