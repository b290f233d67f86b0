package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/quietwire/quietwire/dissect/all"
	"github.com/quietwire/quietwire/internal/detect"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/inventory"
	"github.com/quietwire/quietwire/internal/testutil/replay"
)

// postureWeirds are weirds that describe the simulated plant's (realistic) security posture
// rather than a parsing problem: SNMPv2c communities and OPC UA channels without security.
var postureWeirds = map[string]bool{"snmp_cleartext_community": true, "opcua_security_none": true}

func gen(t testing.TB, cfg Config) ([]byte, *Truth) {
	t.Helper()
	var b bytes.Buffer
	tr, err := Generate(cfg, &b)
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), tr
}

// runs gives every capture of the test process its own day: the ARP dissector keeps a
// process-wide binding table (by design: bindings span flows), and captures replayed one
// after the other must not look like one network whose addresses changed hands.
var runs atomic.Int64

// short is a four-minute capture with a two-minute learning window.
func short(profile string, scen ...string) Config {
	return Config{Profile: profile, Duration: 4 * time.Minute, Learning: 2 * time.Minute, Seed: 7, Scenarios: scen,
		Start: Epoch.Add(time.Duration(runs.Add(1)) * 24 * time.Hour)}
}

func writeTemp(t testing.TB, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "sim.pcap")
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestSimulateDeterministic(t *testing.T) {
	cfg := short("mixed", ScenarioNames()...)
	cfg.Start = Epoch
	a, ta := gen(t, cfg)
	b, tb := gen(t, cfg)
	if !bytes.Equal(a, b) {
		t.Fatalf("same seed, different bytes: %x vs %x", sha256.Sum256(a), sha256.Sum256(b))
	}
	var ja, jb bytes.Buffer
	if err := ta.WriteJSON(&ja); err != nil {
		t.Fatal(err)
	}
	tb.WriteJSON(&jb)
	if !bytes.Equal(ja.Bytes(), jb.Bytes()) {
		t.Fatal("same seed, different truth.json")
	}
	cfg.Seed++
	c, _ := gen(t, cfg)
	if bytes.Equal(a, c) {
		t.Fatal("different seeds gave identical captures")
	}
}

// TestSimulateFramesOrder checks the callback form: frames in time order, inside the capture
// window, the same frames Generate writes.
func TestSimulateFramesOrder(t *testing.T) {
	cfg := short("plant")
	var last time.Time
	n := 0
	tr, err := Frames(cfg, func(ts time.Time, f []byte) error {
		if ts.Before(last) {
			t.Fatalf("frame %d at %v before %v", n, ts, last)
		}
		if len(f) < 60 {
			t.Fatalf("frame %d: %d bytes, below the Ethernet minimum", n, len(f))
		}
		last = ts
		n++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Start != cfg.Start || last.After(tr.End.Add(5*time.Second)) {
		t.Fatalf("capture window %v..%v, last frame %v", tr.Start, tr.End, last)
	}
	b, _ := gen(t, cfg)
	if got := countPcap(t, b); got != n {
		t.Fatalf("Generate wrote %d frames, Frames gave %d", got, n)
	}
}

func countPcap(t *testing.T, b []byte) int {
	n := 0
	for off := 24; off < len(b); n++ {
		l := int(b[off+8]) | int(b[off+9])<<8 | int(b[off+10])<<16 | int(b[off+11])<<24
		off += 16 + l
	}
	return n
}

func TestSimulateConfigErrors(t *testing.T) {
	for _, c := range []Config{{Profile: "refinery"}, {Scenarios: []string{"meteor"}}, {Duration: time.Minute, Learning: 2 * time.Minute}} {
		if _, err := Generate(c, &bytes.Buffer{}); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}

// TestSimulateTruthRules checks truth.json against the detector's catalogue and itself.
func TestSimulateTruthRules(t *testing.T) {
	_, tr := gen(t, short("mixed", ScenarioNames()...))
	if len(tr.Skipped) > 0 {
		t.Errorf("mixed profile skipped %v", tr.Skipped)
	}
	if len(tr.Events) != len(ScenarioNames()) {
		t.Errorf("%d events for %d scenarios", len(tr.Events), len(ScenarioNames()))
	}
	for _, e := range tr.Events {
		if e.Start.Before(tr.LearningEnd) || e.End.After(tr.End.Add(time.Minute)) {
			t.Errorf("%s: window %v..%v outside post-learning %v..%v", e.Scenario, e.Start, e.End, tr.LearningEnd, tr.End)
		}
		if len(e.Alerts) == 0 && !e.NoAlert {
			t.Errorf("%s: no alert listed", e.Scenario)
		}
		for _, id := range append(slices.Clone(e.Alerts), e.MayAlso...) {
			if detect.RuleByID(id) == nil {
				t.Errorf("%s: rule id %q is not in the catalogue", e.Scenario, id)
			}
		}
	}
	if !slices.Contains(tr.Indicators.Domains, iocDomain) {
		t.Errorf("indicators %v lack %s", tr.Indicators, iocDomain)
	}
	for _, d := range tr.Devices {
		if d.Vendor == "" && d.Scenario == "" || len(d.MACs) == 0 && !d.Routed && d.Scenario == "" {
			t.Errorf("device %s: incomplete truth %+v", d.Name, d)
		}
	}
}

type replayed struct {
	truth *Truth
	res   *replay.Result
	snap  *inventory.Snapshot
}

func analyse(t *testing.T, cfg Config) *replayed {
	t.Helper()
	b, tr := gen(t, cfg)
	inv := inventory.New(inventory.Config{Site: "sim"})
	res := replay.Run(t, engine.Config{Site: "sim", Observer: inv}, writeTemp(t, b))
	if res.Err != nil {
		t.Fatal(res.Err)
	}
	if err := res.Summary.Ledger(); err != nil {
		t.Fatal(err)
	}
	return &replayed{truth: tr, res: res, snap: inv.Snapshot()}
}

// TestSimulateReplay runs every profile through the engine: no drops, no parser weirds,
// no parser errors, and every simulated device shows up in conn.log or facts.log.
func TestSimulateReplay(t *testing.T) {
	for _, p := range Profiles {
		t.Run(p, func(t *testing.T) {
			r := analyse(t, short(p))
			s := r.res.Summary
			t.Logf("%s: %d frames, %d flows, pdus %v", p, s.Packets, s.Flows, s.PDUs)
			for k, v := range s.Drops {
				t.Errorf("drop %s: %d", k, v)
			}
			for k, v := range s.Counters {
				if strings.HasPrefix(k, "parser_") || strings.Contains(k, "skips") {
					t.Errorf("counter %s: %d", k, v)
				}
			}
			for _, w := range r.res.Logs["weird"] {
				if n := replay.Str(w, "name"); !postureWeirds[n] {
					t.Errorf("weird %s (%s) on %s→%s", n, replay.Str(w, "addl"), replay.Str(w, "id.orig_h"), replay.Str(w, "id.resp_h"))
				}
			}
			seen := map[string]bool{}
			for _, c := range r.res.Logs["conn"] {
				seen[replay.Str(c, "id.orig_h")] = true
				seen[replay.Str(c, "id.resp_h")] = true
			}
			for _, f := range r.res.Logs["facts"] {
				seen[replay.Str(f, "host")] = true
			}
			for _, d := range r.truth.Devices {
				ok := false
				for _, a := range append(slices.Clone(d.IPs), d.MACs...) {
					ok = ok || seen[a]
				}
				if !ok {
					t.Errorf("device %s (%v %v) is in neither conn.log nor facts.log", d.Name, d.IPs, d.MACs)
				}
			}
		})
	}
}

// TestSimulateScenariosDecode: the scenario traffic decodes too; only scenario hosts may
// cause weirds, and only where a scenario is malformed on purpose.
func TestSimulateScenariosDecode(t *testing.T) {
	r := analyse(t, short("mixed", ScenarioNames()...))
	for k, v := range r.res.Summary.Drops {
		t.Errorf("drop %s: %d", k, v)
	}
	expected := map[string]bool{}
	for _, e := range r.truth.Events {
		for _, w := range e.Weirds {
			expected[w] = true
		}
	}
	for _, w := range r.res.Logs["weird"] {
		if n := replay.Str(w, "name"); !postureWeirds[n] && !expected[n] {
			t.Errorf("weird %s (%s) on %s→%s", n, replay.Str(w, "addl"), replay.Str(w, "id.orig_h"), replay.Str(w, "id.resp_h"))
		}
	}
	// The one-way flow is in conn.log with only the originator's packets.
	var ow *Event
	for i := range r.truth.Events {
		if r.truth.Events[i].Scenario == "one_way_span" {
			ow = &r.truth.Events[i]
		}
	}
	found := false
	for _, c := range r.res.Logs["conn"] {
		ts, _ := strconv.ParseFloat(replay.Str(c, "ts"), 64)
		if replay.Str(c, "id.orig_h") == ow.Src && replay.Str(c, "id.resp_h") == ow.Dst &&
			replay.Str(c, "resp_pkts") == "0" && ts >= float64(ow.Start.Unix())-1 {
			found = true
			t.Logf("one-way flow: %s history=%s", replay.Str(c, "conn_state"), replay.Str(c, "history"))
		}
	}
	if !found {
		t.Error("one_way_span: no one-sided flow in conn.log")
	}
}

func norm(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// same compares an inventory value with the truth: equal, or one contains the other
// ("Johnson Controls" / "Johnson Controls Inc.").
func same(got, want string) bool {
	g, w := norm(got), norm(want)
	return g != "" && (g == w || strings.Contains(g, w) || strings.Contains(w, g))
}

// TestSimulateInventoryRoundTrip compares the inventory with truth.json: identity of every
// device where its protocols announce it, and every expected edge.
func TestSimulateInventoryRoundTrip(t *testing.T) {
	r := analyse(t, short("mixed"))
	byAddr := map[string]*inventory.Device{}
	for _, d := range r.snap.Devices {
		for _, a := range append(slices.Clone(d.IPs), d.MACs...) {
			if byAddr[a] == nil || len(d.Attrs) > len(byAddr[a].Attrs) {
				byAddr[a] = d
			}
		}
	}
	type score struct{ ok, n int }
	rates := map[string]*score{}
	found := 0
	for _, d := range r.truth.Devices {
		var inv *inventory.Device
		for _, a := range append(slices.Clone(d.IPs), d.MACs...) {
			if inv == nil {
				inv = byAddr[a]
			}
		}
		if inv == nil {
			t.Errorf("device %s (%v) not in the inventory", d.Name, d.IPs)
			continue
		}
		found++
		want := map[string]string{"vendor": d.Vendor, "model": d.Model, "firmware": d.Firmware, "serial": d.Serial}
		for _, attr := range d.Announced {
			sc := rates[attr]
			if sc == nil {
				sc = &score{}
				rates[attr] = sc
			}
			sc.n++
			if same(inv.Get(attr), want[attr]) {
				sc.ok++
			} else {
				t.Errorf("%s: %s = %q, truth %q", d.Name, attr, inv.Get(attr), want[attr])
			}
		}
	}
	t.Logf("devices found: %d/%d", found, len(r.truth.Devices))
	for _, attr := range []string{"vendor", "model", "firmware", "serial"} {
		if sc := rates[attr]; sc != nil {
			t.Logf("%-8s match %d/%d (%.0f%%)", attr, sc.ok, sc.n, 100*float64(sc.ok)/float64(sc.n))
		}
	}
	// Edges: an IP edge is found when the inventory has a connection between the two
	// addresses with that protocol (or, for UDP, that port); layer-2 edges through conn.log
	// are out of the inventory's scope and are counted separately.
	type ek struct{ c, s, p string }
	conns := map[ek]bool{}
	for _, c := range r.snap.Connections {
		conns[ek{c.ClientAddr, c.ServerAddr, c.Proto}] = true
		conns[ek{c.ClientAddr, c.ServerAddr, strconv.Itoa(int(c.Port))}] = true
	}
	var ipN, ipOK, l2N int
	for _, e := range r.truth.Edges {
		if e.Transport == "l2" {
			l2N++
			continue
		}
		ipN++
		if conns[ek{e.Client, e.Server, e.Proto}] || conns[ek{e.Client, e.Server, strconv.Itoa(int(e.Port))}] ||
			(e.Proto == "dhcp" && conns[ek{"0.0.0.0", "255.255.255.255", "dhcp"}]) {
			ipOK++
		} else {
			t.Errorf("edge %s→%s %s/%d not in the inventory", e.Client, e.Server, e.Proto, e.Port)
		}
	}
	t.Logf("IP edges found: %d/%d (%d layer-2 edges not scored)", ipOK, ipN, l2N)
}

// TestSimulateTshark runs tshark over a normal and an attack capture. Normal traffic must
// raise no expert warning at all; the attack capture only the warnings its scenarios cause
// by design (RSTs of the scans, the duplicate IP of the ARP spoofing).
func TestSimulateTshark(t *testing.T) {
	if _, err := exec.LookPath("tshark"); err != nil {
		t.Skip("tshark not installed: skipping the Wireshark cross-check")
	}
	allowed := []string{"Connection reset (RST)", "Duplicate IP address configured"}
	for _, tc := range []struct {
		name string
		cfg  Config
	}{{"normal", short("mixed")}, {"scenarios", short("mixed", ScenarioNames()...)}} {
		t.Run(tc.name, func(t *testing.T) {
			b, _ := gen(t, tc.cfg)
			p := writeTemp(t, b)
			for _, args := range [][]string{{"-r", p, "-V"}, {"-r", p, "-q", "-z", "expert"}} {
				out, err := exec.Command("tshark", args...).Output()
				if err != nil {
					t.Fatalf("tshark %v: %v", args, err)
				}
				bad := 0
				for _, line := range strings.Split(string(out), "\n") {
					l := strings.TrimSpace(line)
					warn := strings.Contains(l, "Malformed") || strings.Contains(l, "[Expert Info (Warning") ||
						strings.Contains(l, "[Expert Info (Error")
					if len(args) == 5 {
						warn = strings.Contains(l, "Malformed") || (strings.HasPrefix(l, "Warns") || strings.HasPrefix(l, "Errors")) && tc.name == "normal"
					}
					if !warn {
						continue
					}
					ok := false
					for _, a := range allowed {
						ok = ok || tc.name == "scenarios" && strings.Contains(l, a)
					}
					if !ok {
						if bad < 10 {
							t.Errorf("tshark %s: %s", args[len(args)-1], l)
						}
						bad++
					}
				}
				if bad > 0 {
					t.Errorf("%d tshark complaints", bad)
				}
			}
		})
	}
}

func TestSimulateTruthJSON(t *testing.T) {
	_, tr := gen(t, short("plant", "plc_stop"))
	var b bytes.Buffer
	if err := tr.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"devices", "edges", "events", "learning_end", "indicators"} {
		if m[k] == nil {
			t.Errorf("truth.json lacks %q", k)
		}
	}
}

// A large plant numbers its hosts past the addresses reserved for each zone's switch (.0.250)
// and router (.1.4): no two devices share an address (they once did from 249 hosts a zone).
func TestSimulateLargePlantAddressesUnique(t *testing.T) {
	cfg := Config{Profile: "mixed", Devices: 900, Duration: time.Minute, Learning: 30 * time.Second, Seed: 3,
		Scenarios: ScenarioNames(), Start: Epoch.Add(time.Duration(runs.Add(1)) * 24 * time.Hour)}
	_, tr := gen(t, cfg)
	if len(tr.Devices) < 900 {
		t.Fatalf("%d devices, want at least 900", len(tr.Devices))
	}
	owner := map[string]string{}
	for _, d := range tr.Devices {
		for _, ip := range d.IPs {
			if o, ok := owner[ip]; ok {
				t.Errorf("%s belongs to both %s and %s", ip, o, d.Name)
			}
			owner[ip] = d.Name
		}
	}
}
