package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/quietwire/quietwire/internal/sim"
)

func runSimulate(t *testing.T, args ...string) (string, error) {
	t.Helper()
	return runCommand(simulateCmd(), args...)
}

// runCommand executes one subcommand with args and returns what it printed.
func runCommand(cmd *cobra.Command, args ...string) (string, error) {
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

func TestSimulateCommand(t *testing.T) {
	dir := t.TempDir()
	pcap := filepath.Join(dir, "plant.pcap")
	out, err := runSimulate(t, "--out", pcap, "--profile", "plant", "--duration", "2m", "--learning", "1m",
		"--scenario", "plc_stop,modbus_write_storm,dnp3_cold_restart", "--seed", "3")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if !strings.Contains(out, "dnp3_cold_restart skipped") {
		t.Errorf("the plant profile has no DNP3 outstation; expected a skip notice in:\n%s", out)
	}
	b, err := os.ReadFile(pcap)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 24 || !bytes.Equal(b[:4], []byte{0xd4, 0xc3, 0xb2, 0xa1}) || b[20] != 1 {
		t.Fatalf("not a little-endian microsecond Ethernet pcap: % x", b[:min(24, len(b))])
	}
	var tr sim.Truth
	tb, err := os.ReadFile(filepath.Join(dir, "truth.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(tb, &tr); err != nil {
		t.Fatal(err)
	}
	if len(tr.Devices) == 0 || len(tr.Edges) == 0 || len(tr.Events) != 2 || len(tr.Skipped) != 1 {
		t.Fatalf("truth: %d devices, %d edges, %d events, skipped %v", len(tr.Devices), len(tr.Edges), len(tr.Events), tr.Skipped)
	}
	// Same seed, same bytes through the command too.
	pcap2 := filepath.Join(t.TempDir(), "again.pcap")
	if _, err := runSimulate(t, "--out", pcap2, "--profile", "plant", "--duration", "2m", "--learning", "1m",
		"--scenario", "plc_stop,modbus_write_storm,dnp3_cold_restart", "--seed", "3"); err != nil {
		t.Fatal(err)
	}
	if b2, _ := os.ReadFile(pcap2); !bytes.Equal(b, b2) {
		t.Fatal("same seed, different capture")
	}
}

func TestSimulateCommandErrors(t *testing.T) {
	dir := t.TempDir()
	for _, args := range [][]string{
		{"--profile", "plant"},
		{"--out", filepath.Join(dir, "a.pcap"), "--profile", "refinery"},
		{"--out", filepath.Join(dir, "b.pcap"), "--scenario", "meteor_strike"},
		{"--out", filepath.Join(dir, "c.pcap"), "--duration", "1m", "--learning", "2m"},
	} {
		if _, err := runSimulate(t, args...); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "a.pcap")); err == nil {
		t.Error("a failed run left its capture behind")
	}
}
