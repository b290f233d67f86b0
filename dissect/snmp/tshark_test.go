package snmp_test

import (
	"encoding/hex"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/quietwire/quietwire/dissect/snmp"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/testutil"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// Every sysDescr that tshark decodes in an SNMP response of the corpus is a software fact
// about the responding agent, byte for byte. Runs where tshark is installed.
func TestSysDescrAgainstTshark(t *testing.T) {
	tshark, err := exec.LookPath("tshark")
	if err != nil {
		t.Skip("tshark not installed: sysDescr cross-check skipped")
	}
	checked := 0
	for _, f := range testutil.CorpusFiles(t, "snmp") {
		out, err := exec.Command(tshark, "-r", f, "-T", "fields", "-e", "ip.src", "-e", "snmp.name", "-e", "snmp.value.octets").Output()
		if err != nil {
			t.Fatalf("tshark on %s: %v", f, err)
		}
		want := map[string]string{} // agent IP → sysDescr
		for _, l := range strings.Split(string(out), "\n") {
			cols := strings.Split(l, "\t")
			if len(cols) != 3 {
				continue
			}
			names, values := strings.Split(cols[1], ","), strings.Split(cols[2], ",")
			for i, n := range names {
				if n == "1.3.6.1.2.1.1.1.0" && i < len(values) && values[i] != "" {
					b, err := hex.DecodeString(values[i])
					if err == nil {
						want[cols[0]] = string(b)
					}
				}
			}
		}
		if len(want) == 0 {
			continue
		}
		res := replay.Run(t, engine.Config{Dissectors: []string{"snmp"}}, f)
		got := map[string]string{}
		for _, m := range res.Logs["facts"] {
			if replay.Str(m, "field") == "snmp.sysDescr" && replay.Str(m, "attr") == "software" {
				got[replay.Str(m, "host")] = replay.Str(m, "value")
			}
		}
		for ip, d := range want {
			if got[ip] != d {
				t.Errorf("%s: %s sysDescr %q, tshark %q", filepath.Base(f), ip, got[ip], d)
			}
			checked++
		}
	}
	if checked == 0 {
		t.Fatal("no sysDescr in the corpus")
	}
	t.Logf("%d sysDescr values checked", checked)
}
