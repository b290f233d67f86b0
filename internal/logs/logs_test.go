package logs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/dissect"
)

func TestWriterBatchesAndCounts(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := d.Writer()
	w.Record("modbus", []byte(`{"a":1}`))
	w.Record("conn", []byte(`{"b":2}`))
	w.Record("modbus", []byte(`{"a":3}`))
	if _, err := os.Stat(filepath.Join(dir, "modbus.log")); err == nil {
		t.Error("a small batch was written before Flush")
	}
	w.Flush()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "modbus.log"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "{\"a\":1}\n{\"a\":3}\n"; got != want {
		t.Errorf("modbus.log = %q, want %q", got, want)
	}
}

func TestExcludeDropsOnlyTheNamedLogs(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d.Exclude("modbus_detailed", "facts")
	w := d.Writer()
	// Enough lines to cross the batch threshold several times.
	line := []byte(`{"ts":1.0,"uid":"C1","func":"read_holding_registers"}`)
	for range 3 * flushAt / len(line) {
		w.Record("modbus_detailed", line)
		w.Record("modbus", line)
	}
	fl := &dissect.FlowInfo{UID: "C1"}
	w.Fact(&dissect.Fact{TS: 1, Flow: fl, Proto: "modbus", Attr: "vendor", Value: "Schneider"})
	w.Event(&dissect.Event{TS: 1, Flow: fl, Kind: dissect.EvWrite})
	w.Flush()
	lines := d.Lines()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"modbus_detailed", "facts"} {
		if _, err := os.Stat(filepath.Join(dir, n+".log")); err == nil {
			t.Errorf("%s.log was written although excluded", n)
		}
		if lines[n] != 0 {
			t.Errorf("%s counted %d lines although excluded", n, lines[n])
		}
	}
	want := uint64(3 * flushAt / len(line))
	if lines["modbus"] != want {
		t.Errorf("modbus.log: %d lines, want %d", lines["modbus"], want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "modbus.log"))
	if err != nil {
		t.Fatal(err)
	}
	if n := uint64(strings.Count(string(b), "\n")); n != want {
		t.Errorf("modbus.log holds %d lines, want %d", n, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "events.log")); err != nil {
		t.Errorf("events.log missing: events were not excluded (%v)", err)
	}
}

func TestRecordDoesNotAllocate(t *testing.T) {
	d, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Exclude("cip_io")
	w := d.Writer()
	line := []byte(`{"ts":1.0,"uid":"C1"}`)
	w.Record("enip", line)
	w.Record("cip_io", line)
	if n := testing.AllocsPerRun(1000, func() {
		w.Record("enip", line)
		w.Record("cip_io", line)
	}); n != 0 {
		t.Errorf("Record: %.1f allocs per call pair, want 0", n)
	}
}
