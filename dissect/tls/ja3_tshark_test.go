package tls_test

import (
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	_ "github.com/quietwire/quietwire/dissect/tls"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// Our JA3 of every TLS ClientHello in the corpus equals tshark's (tls.handshake.ja3): the
// same distinct fingerprints per capture (ssl.log has one line per connection, and a
// HelloRetryRequest makes a client send its hello twice). Runs where tshark is installed (.ci/run installs it).
func TestJA3AgainstTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed: JA3 cross-check skipped")
	}
	files := testutil.CorpusFiles(t, "tls")
	checked := 0
	for _, f := range files {
		out, err := exec.Command(tshark, "-r", f, "-Y", "tls.handshake.type == 1 && tcp", "-T", "fields", "-e", "tls.handshake.ja3").Output()
		if err != nil {
			t.Fatalf("tshark on %s: %v", f, err)
		}
		var want []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if l != "" {
				want = append(want, strings.Split(l, ",")...)
			}
		}
		if len(want) == 0 {
			continue
		}
		res := replay.Run(t, engine.Config{Dissectors: []string{"tls"}}, f)
		var got []string
		for _, m := range res.Logs["ssl"] {
			if j := replay.Str(m, "ja3"); j != "" {
				got = append(got, j)
			}
		}
		want, got = distinct(want), distinct(got)
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s: ja3 %v, tshark %v", filepath.Base(f), got, want)
		}
		checked += len(want)
	}
	if checked == 0 {
		t.Fatal("no ClientHello found")
	}
	t.Logf("%d ClientHellos checked", checked)
}

func distinct(s []string) []string {
	sort.Strings(s)
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
