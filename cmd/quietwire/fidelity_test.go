package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/quietwire/quietwire/internal/testutil"
)

// floors are the fidelity scores measured when each protocol landed (fidelity.py over
// ../shared/corpus). A change that lowers one fails here; raise a floor when a score improves.
// The reasons a score is below 1 are in each dissector's README.
var floors = map[string]float64{
	"bacnet": 0.986, "dhcp": 1.000, "dnp3": 0.995, "dns": 0.750, "enip": 1.000, "enip-cip": 1.000,
	"goose": 1.000, "http": 0.981, "iec104": 1.000, "mms": 0.941, "modbus": 0.991, "mqtt": 1.000,
	"opcua": 0.917, "pn_dcp": 1.000, "s7comm": 0.985, "s7comm-plus": 1.000, "snmp": 1.000, "tls": 0.900,
}

// TestFidelity runs ../shared/tools/fidelity.py over the whole corpus with the real binary.
func TestFidelity(t *testing.T) {
	if testing.Short() {
		t.Skip("fidelity run skipped in -short mode")
	}
	corpus := testutil.Corpus(t)
	tool := filepath.Join(corpus, "..", "tools", "fidelity.py")
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found: fidelity.py cannot run")
	}
	bin := buildBinary(t)
	out := filepath.Join(t.TempDir(), "fidelity.json")
	cmd := exec.Command(py, tool, "--corpus", corpus, "--cmd", bin+" analyze {pcap} --logs {out} -q", "--json", out)
	text, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("fidelity.py: %v\n%s", err, text)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Summary  map[string]struct{ Score float64 } `json:"summary"`
		Overall  float64                            `json:"overall"`
		Failures [][]string                         `json:"failures"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) > 0 {
		t.Errorf("failed runs: %v", res.Failures)
	}
	for proto, floor := range floors {
		s, ok := res.Summary[proto]
		if !ok {
			t.Errorf("%s: no score", proto)
			continue
		}
		if s.Score < floor-0.0005 {
			t.Errorf("%s: fidelity %.3f below its floor %.3f", proto, s.Score, floor)
		}
	}
	t.Logf("overall fidelity %.3f over %d protocols\n%s", res.Overall, len(res.Summary), text)
}
