package testutil

import (
	"bufio"
	"os"
	"strings"
)

// OracleCount counts the occurrences of field in the tshark oracle of a capture,
// pcap+".oracle/"+oracleName+".tsv": a TSV whose first line names the fields and whose
// other lines are one frame each. A frame that carries several PDUs lists their values
// comma-separated in one cell, and each non-empty value counts once. It returns -1 when the
// oracle is absent or has no such column, so a test can skip the comparison.
func OracleCount(pcap, oracleName, field string) int {
	f, err := os.Open(pcap + ".oracle/" + oracleName + ".tsv")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	col, n := -1, 0
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "\t")
		if col < 0 {
			for i, h := range cells {
				if h == field {
					col = i
				}
			}
			if col < 0 {
				return -1
			}
			continue
		}
		if col < len(cells) {
			for _, v := range strings.Split(cells[col], ",") {
				if v != "" {
					n++
				}
			}
		}
	}
	return n
}
