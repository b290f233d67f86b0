package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func runAnalyze(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return runCommand(analyzeCmd(), args...)
}

// simulatedPlant writes a plant-profile capture (learning for its first minute) into a fresh
// directory and returns both.
func simulatedPlant(t *testing.T, duration, scenarios, seed string) (dir, pcap string) {
	t.Helper()
	dir = t.TempDir()
	pcap = filepath.Join(dir, "plant.pcap")
	if out, err := runSimulate(t, "--out", pcap, "--profile", "plant", "--duration", duration, "--learning", "1m",
		"--scenario", scenarios, "--seed", seed); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	return dir, pcap
}

// --log-exclude drops only the named log files: the other logs and the alerts (which come
// from facts and events) are byte for byte what a run without it writes.
func TestAnalyzeLogExclude(t *testing.T) {
	dir, pcap := simulatedPlant(t, "3m", "plc_stop,modbus_write_storm", "5")
	all, some := filepath.Join(dir, "all"), filepath.Join(dir, "some")
	if out, err := runAnalyze(t, pcap, "--logs", all, "--learning-period", "1m", "-q"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if out, err := runAnalyze(t, pcap, "--logs", some, "--learning-period", "1m", "-q",
		"--log-exclude", "modbus_detailed, facts.log,events"); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, n := range []string{"modbus_detailed", "facts", "events"} {
		if _, err := os.Stat(filepath.Join(all, n+".log")); err != nil {
			t.Fatalf("the full run has no %s.log, so the test shows nothing: %v", n, err)
		}
		if _, err := os.Stat(filepath.Join(some, n+".log")); err == nil {
			t.Errorf("%s.log written although excluded", n)
		}
	}
	for _, n := range []string{"conn", "modbus", "s7comm", "alerts"} {
		a, err := os.ReadFile(filepath.Join(all, n+".log"))
		if err != nil || len(a) == 0 {
			t.Fatalf("full run: %s.log empty or missing (%v)", n, err)
		}
		b, err := os.ReadFile(filepath.Join(some, n+".log"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s.log differs when other logs are excluded (%d vs %d bytes)", n, len(a), len(b))
		}
	}
	if a, _ := os.ReadFile(filepath.Join(all, "alerts.log")); !strings.Contains(string(a), "PLC") {
		t.Errorf("alerts.log of the full run has no PLC alert:\n%s", a)
	}
}

func TestAnalyzeLogExcludeUnknown(t *testing.T) {
	out, err := runAnalyze(t, "no-such.pcap", "--logs", t.TempDir(), "--log-exclude", "conn,modbus_detail")
	if err == nil || !strings.Contains(err.Error(), `unknown log "modbus_detail"`) || !strings.Contains(err.Error(), "modbus_detailed") {
		t.Fatalf("want an error naming the unknown log and listing the known ones, got %v\n%s", err, out)
	}
}

// --json prints one JSON object on stdout and nothing else: the summary, the new alerts and the
// inventory counts, so a script can pipe it to jq.
func TestAnalyzeJSONIsOneObject(t *testing.T) {
	dir, pcap := simulatedPlant(t, "2m", "plc_stop", "2")
	cmd := analyzeCmd()
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs([]string{pcap, "--logs", filepath.Join(dir, "logs"), "--data", filepath.Join(dir, "data"),
		"--learning-period", "1m", "--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	var rep struct {
		Packets   uint64 `json:"packets"`
		Detection struct {
			Mode      string `json:"mode"`
			NewAlerts []struct {
				Title string `json:"title"`
			} `json:"new_alerts"`
		} `json:"detection"`
		Inventory struct {
			Endpoints int `json:"endpoints"`
		} `json:"inventory"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("stdout is not one JSON object: %v\n%s", err, stdout.String())
	}
	if rep.Packets == 0 || rep.Detection.Mode != "operational" || rep.Inventory.Endpoints == 0 {
		t.Errorf("report: %d packets, detection %q, %d endpoints", rep.Packets, rep.Detection.Mode, rep.Inventory.Endpoints)
	}
	found := false
	for _, a := range rep.Detection.NewAlerts {
		found = found || a.Title == "An S7 Stop PLC Command was Sent"
	}
	if !found {
		t.Errorf("new_alerts lacks the PLC stop: %+v", rep.Detection.NewAlerts)
	}
}

// --no-logs writes no file at all, alerts.log included, while detection still runs.
func TestAnalyzeNoLogs(t *testing.T) {
	dir, pcap := simulatedPlant(t, "2m", "plc_stop", "2")
	logs := filepath.Join(dir, "logs")
	out, err := runAnalyze(t, pcap, "--logs", logs, "--no-logs", "--learning-period", "1m", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var rep struct {
		Detection struct {
			NewAlerts []json.RawMessage `json:"new_alerts"`
		} `json:"detection"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Detection.NewAlerts) == 0 {
		t.Fatalf("detection reported no alerts (%v): the test shows nothing\n%s", err, out)
	}
	ents, _ := os.ReadDir(logs)
	for _, e := range ents {
		t.Errorf("--no-logs wrote %s", e.Name())
	}
}

// --workers takes 1 to maxWorkers, or 0 for one per CPU; out of range is an error naming the
// flag before anything runs, and more workers than CPUs a warning.
func TestAnalyzeWorkersFlag(t *testing.T) {
	dir, pcap := simulatedPlant(t, "2m", "plc_stop", "4")
	for _, bad := range []string{"-1", "257"} {
		out, err := runAnalyze(t, pcap, "--logs", filepath.Join(dir, "bad"), "--workers", bad, "-q")
		if err == nil || !strings.Contains(err.Error(), "--workers "+bad+": want 1 to 256") {
			t.Errorf("--workers %s: error %v", bad, err)
		}
		if strings.Contains(out, "warning") {
			t.Errorf("--workers %s: a warning besides the error: %s", bad, out)
		}
		if _, err := os.Stat(filepath.Join(dir, "bad")); !os.IsNotExist(err) {
			t.Errorf("--workers %s: the log directory was made (%v)", bad, err)
		}
	}
	summary := func(workers string) (string, string) {
		cmd := analyzeCmd()
		var stdout, stderr bytes.Buffer
		cmd.SetOut(&stdout)
		cmd.SetErr(&stderr)
		cmd.SetArgs([]string{pcap, "--logs", filepath.Join(dir, "w"+workers), "--workers", workers, "--json", "--no-detect"})
		if err := cmd.Execute(); err != nil {
			t.Fatalf("--workers %s: %v\n%s", workers, err, stderr.String())
		}
		var s struct {
			Packets, Decoded, Flows uint64
		}
		if err := json.Unmarshal(stdout.Bytes(), &s); err != nil || s.Packets == 0 {
			t.Fatalf("--workers %s: %v %+v", workers, err, s)
		}
		return fmt.Sprintf("%+v", s), stderr.String()
	}
	one, _ := summary("1")
	for _, w := range []string{"0", strconv.Itoa(runtime.NumCPU() + 1)} {
		got, stderr := summary(w)
		if got != one {
			t.Errorf("--workers %s: %s, one worker %s", w, got, one)
		}
		if warned := strings.Contains(stderr, "warning: "+strconv.Itoa(runtime.NumCPU()+1)+" workers on"); warned != (w != "0") {
			t.Errorf("--workers %s: stderr %q", w, stderr)
		}
	}
}
