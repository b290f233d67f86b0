package dns

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// TestCorpusBaselines replays each corpus capture that has a Zeek dns.log baseline and checks
// that every baseline row's key (the 4-tuple, proto, query, qtype, rcode) is among ours.
// Captures whose difference is explained in the README (query dropped by Zeek for a bad UDP
// checksum, TCP reply Zeek leaves unpaired, request and reply on two VLANs) are listed.
func TestCorpusBaselines(t *testing.T) {
	known := map[string]bool{"zeek__dns-spf.pcap": true, "zeek__dns-txt-multiple.pcap": true, "zeek__tkey.pcap": true, "zeek__loc-29-trunc.pcap": true}
	files := testutil.CorpusFiles(t, "dns")
	checked := 0
	for _, f := range files {
		bases, _ := filepath.Glob(f + ".gt/zeek-baseline/*/dns.log")
		if len(bases) == 0 || known[filepath.Base(f)] {
			continue
		}
		res := replay.Run(t, engine.Config{Workers: 1, Dissectors: []string{"dns"}}, f)
		ours := map[string]int{}
		for _, m := range res.Logs["dns"] {
			ours[key(func(k string) string { return replay.Str(m, k) })]++
		}
		for _, b := range bases {
			for _, row := range replay.ZeekTSV(t, b) {
				k := key(func(k string) string {
					if v := row[k]; v != "-" {
						return v
					}
					return ""
				})
				if ours[k] == 0 {
					t.Errorf("%s: baseline row %q not in our dns.log", filepath.Base(f), k)
				} else {
					ours[k]--
				}
			}
		}
		checked++
	}
	if checked == 0 && len(files) > 0 {
		t.Error("no capture checked")
	}
}

func key(get func(string) string) string {
	var parts []string
	for _, k := range []string{"id.orig_h", "id.orig_p", "id.resp_h", "id.resp_p", "proto", "query", "qtype", "rcode"} {
		parts = append(parts, strings.ToLower(get(k)))
	}
	return strings.Join(parts, " ")
}
