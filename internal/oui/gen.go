//go:build ignore

// gen.go builds oui.tsv.gz from Debian's ieee-data package (the IEEE MA-L registry):
//
//	apt-get install ieee-data && go run gen.go /usr/share/ieee-data/oui.csv
//
// Each line is "XXXXXX<TAB>Organization", sorted by prefix, names trimmed.
package main

import (
	"compress/gzip"
	"encoding/csv"
	"fmt"
	"os"
	"sort"
	"strings"
)

func main() {
	src := "/usr/share/ieee-data/oui.csv"
	if len(os.Args) > 1 {
		src = os.Args[1]
	}
	f, err := os.Open(src)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var lines []string
	for _, r := range rows[1:] {
		if len(r) < 3 || r[0] != "MA-L" || len(r[1]) != 6 {
			continue
		}
		name := strings.TrimRight(strings.Join(strings.Fields(r[2]), " "), ", ")
		lines = append(lines, strings.ToUpper(r[1])+"\t"+name)
	}
	sort.Strings(lines)
	out, _ := os.Create("oui.tsv.gz")
	zw, _ := gzip.NewWriterLevel(out, gzip.BestCompression)
	zw.Write([]byte(strings.Join(lines, "\n") + "\n"))
	zw.Close()
	out.Close()
	fmt.Println(len(lines), "prefixes")
}
