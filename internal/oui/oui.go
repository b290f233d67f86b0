// Package oui names the vendor of a MAC address from the IEEE MA-L registry (generated from
// Debian's ieee-data by gen.go into oui.tsv.gz, embedded). The table loads on first use.
package oui

//go:generate go run gen.go /usr/share/ieee-data/oui.csv

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"sort"
	"strconv"
	"sync"
)

//go:embed oui.tsv.gz
var data []byte

var (
	once     sync.Once
	prefixes []uint32
	names    []string
)

func load() {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		panic("oui: embedded table is corrupt: " + err.Error())
	}
	sc := bufio.NewScanner(zr)
	dedup := map[string]string{}
	for sc.Scan() {
		line := sc.Text()
		if len(line) < 8 || line[6] != '\t' {
			continue
		}
		p, err := strconv.ParseUint(line[:6], 16, 32)
		if err != nil {
			continue
		}
		n := line[7:]
		if d, ok := dedup[n]; ok {
			n = d
		} else {
			dedup[n] = n
		}
		prefixes = append(prefixes, uint32(p))
		names = append(names, n)
	}
	if !sort.SliceIsSorted(prefixes, func(i, j int) bool { return prefixes[i] < prefixes[j] }) {
		panic("oui: embedded table is not sorted")
	}
}

// Vendor returns the organisation registered for mac's OUI, or "" when unknown. Locally
// administered and multicast addresses have no vendor.
func Vendor(mac [6]byte) string {
	if mac[0]&0x03 != 0 {
		return ""
	}
	once.Do(load)
	p := uint32(mac[0])<<16 | uint32(mac[1])<<8 | uint32(mac[2])
	i := sort.Search(len(prefixes), func(i int) bool { return prefixes[i] >= p })
	if i < len(prefixes) && prefixes[i] == p {
		return names[i]
	}
	return ""
}

// Len returns how many prefixes the table holds.
func Len() int {
	once.Do(load)
	return len(prefixes)
}
