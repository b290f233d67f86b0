package detect_test

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/sim"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// posture findings describe how the simulated plant is configured (OPC UA without security,
// SNMPv2c in clear), not an injected event: they are true but outside the scenarios' truth.
var posture = map[string]bool{"opcua_insecure": true, "snmp_community": true, "cleartext_login": true}

type score struct{ tp, fn, fp int }

// TestScenarioPrecisionRecall runs the simulator's scenarios through the pipeline and scores
// every engine: recall = required alerts raised / required; precision = alerts explained by a
// scenario (required or acceptable, on the scenario's hosts) / alerts raised.
func TestScenarioPrecisionRecall(t *testing.T) {
	if testing.Short() {
		t.Skip("scenario run skipped in -short mode")
	}
	per := map[detect.Engine]*score{}
	get := func(e detect.Engine) *score {
		if per[e] == nil {
			per[e] = &score{}
		}
		return per[e]
	}
	for _, profile := range []string{"mixed"} {
		for _, seed := range []uint64{1, 2} {
			dir := t.TempDir()
			path := filepath.Join(dir, "sim.pcap")
			f, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			truth, err := sim.Generate(sim.Config{Profile: profile, Duration: 16 * time.Minute, Seed: seed, Scenarios: sim.ScenarioNames(),
				// A day apart: the ARP dissector's binding table lives as long as the process.
				Start: sim.Epoch.Add(time.Duration(seed) * 48 * time.Hour)}, f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			lines = append(lines, truth.Indicators.Domains...)
			lines = append(lines, truth.Indicators.IPs...)
			ind, err := detect.ParseIndicators("truth", []byte(strings.Join(lines, "\n")))
			if err != nil {
				t.Fatal(err)
			}
			d := detect.New(detect.Config{Site: "sim", Indicators: ind, LearningPeriod: int64(truth.LearningEnd.Sub(truth.Start))}, nil)
			replay.Run(t, engine.Config{Observer: d, Site: "sim"}, path)
			d.Finish()
			alerts := d.Alerts()
			explained := make([]bool, len(alerts))
			for _, ev := range truth.Events {
				hosts := map[string]bool{ev.Src: true, ev.Dst: true}
				on := func(a *detect.Alert) bool { return hosts[a.Src] || hosts[a.Dst] }
				for _, rule := range ev.Alerts {
					found := false
					for i, a := range alerts {
						if a.Rule == rule && on(a) {
							found, explained[i] = true, true
						}
					}
					s := get(detect.RuleByID(rule).Engine)
					if found {
						s.tp++
					} else {
						s.fn++
						t.Logf("seed %d %s: missed %s (%s → %s)", seed, ev.Scenario, rule, ev.Src, ev.Dst)
					}
				}
				for _, rule := range ev.MayAlso {
					for i, a := range alerts {
						if a.Rule == rule && on(a) {
							explained[i] = true
						}
					}
				}
			}
			for i, a := range alerts {
				if explained[i] || posture[a.Rule] {
					continue
				}
				get(a.Engine).fp++
				t.Logf("seed %d: unexplained %s: %s %s → %s (%s)", seed, a.Rule, a.Title, a.Src, a.Dst, a.Message)
			}
		}
	}
	var engines []string
	for e := range per {
		engines = append(engines, string(e))
	}
	sort.Strings(engines)
	var report []string
	for _, e := range engines {
		s := per[detect.Engine(e)]
		recall, precision := ratio(s.tp, s.tp+s.fn), ratio(s.tp, s.tp+s.fp)
		report = append(report, fmt.Sprintf("%-20s recall %.3f (%d/%d)  precision %.3f (%d true, %d unexplained)", e, recall, s.tp, s.tp+s.fn, precision, s.tp, s.fp))
		if recall < 0.95 || precision < 0.95 {
			t.Errorf("%s below 0.95", e)
		}
	}
	t.Log("\n" + strings.Join(report, "\n"))
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
