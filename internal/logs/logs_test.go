package logs

import (
	"os"
	"path/filepath"
	"strconv"
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

// Records an Env builds in place in the Writer's blocks (dissect.RecordBuffer) reach the files
// whole, interleaved logs keep their own lines, an excluded log gets nothing, a record left
// unfinished leaves no trace, and building does not allocate.
func TestRecordsBuiltInPlace(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	d.Exclude("cip_io")
	w := d.Writer()
	env := &dissect.Env{Flow: &dissect.FlowInfo{UID: "CX"}, Name: "enip", Out: w, TS: 1_600_000_000_000_000_000}
	const n = 3 * flushAt / 40 // several blocks
	for i := range n {
		env.Log("enip").Uint("i", uint64(i)).Done()
		env.Log("cip_io").Uint("i", uint64(i)).Done()
		env.Log("cip").Str("s", "x").Uint("i", uint64(i)).Done()
		env.Log("enip").Str("abandoned", "never finished") // overwritten by the next record
	}
	if r := env.Log("cip_io").Str("s", "x").Uint("i", 1).Array("a").ElemUint(2).End(); len(r.Built()) != 0 {
		t.Errorf("a record of an excluded log was formatted: %s", r.Built())
	}
	if a := testing.AllocsPerRun(1000, func() { env.Log("enip").Uint("i", 1).Done() }); a != 0 {
		t.Errorf("a record built in place: %.1f allocs", a)
	}
	w.Flush()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"enip", "cip"} {
		b, err := os.ReadFile(filepath.Join(dir, name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		if len(lines) < n {
			t.Fatalf("%s.log: %d lines, want at least %d", name, len(lines), n)
		}
		for i := range n {
			want := `{"ts":1600000000.000000,"uid":"CX","i":` + strconv.Itoa(i) + `}`
			if name == "cip" {
				want = `{"ts":1600000000.000000,"uid":"CX","s":"x","i":` + strconv.Itoa(i) + `}`
			}
			if lines[i] != want {
				t.Fatalf("%s.log line %d: %s, want %s", name, i, lines[i], want)
			}
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "cip_io.log")); err == nil {
		t.Error("cip_io.log written although excluded")
	}
}

// An Env remembers where its Output keeps each log's block; given another Output, it forgets:
// a record after the switch lands in the new writer's file, not the old one's.
func TestEnvForgetsOldWritersBlocks(t *testing.T) {
	var dirs [2]string
	var ws [2]*Writer
	var ds [2]*Dir
	for i := range dirs {
		dirs[i] = t.TempDir()
		d, err := Open(dirs[i])
		if err != nil {
			t.Fatal(err)
		}
		ds[i], ws[i] = d, d.Writer()
	}
	env := &dissect.Env{Flow: &dissect.FlowInfo{UID: "CX"}, Name: "enip", Out: ws[0]}
	env.Log("enip").Uint("n", 1).Done()
	env.Out = ws[1]
	env.Log("enip").Uint("n", 2).Done()
	for i := range ws {
		ws[i].Flush()
		if err := ds[i].Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dirs[i], "enip.log"))
		if err != nil {
			t.Fatal(err)
		}
		if want := `"n":` + strconv.Itoa(i+1) + "}\n"; !strings.HasSuffix(string(b), want) || strings.Count(string(b), "\n") != 1 {
			t.Errorf("writer %d wrote %q, want one record ending %q", i, b, want)
		}
	}
}

// A log a run writes replaces the file of an earlier run instead of truncating it in place:
// a hard link to the old file (or a reader holding it open) keeps the old lines, the name
// gets only the new ones, and a log this run never writes is left alone.
func TestExistingLogReplacedNotTruncated(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "conn.log")
	if err := os.WriteFile(old, []byte("old line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(old, filepath.Join(dir, "kept")); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "modbus.log"), []byte("untouched\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := d.Writer()
	w.Record("conn", []byte(`{"new":1}`))
	w.Flush()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"conn.log": "{\"new\":1}\n", "kept": "old line\n", "modbus.log": "untouched\n"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != want {
			t.Errorf("%s: %q, want %q", name, b, want)
		}
	}
}

// A log whose old file cannot be removed fails the run with the path, and the other logs
// are still written.
func TestExistingLogThatCannotBeReplaced(t *testing.T) {
	dir := t.TempDir()
	// A directory where conn.log should be: os.Remove refuses a non-empty directory.
	if err := os.MkdirAll(filepath.Join(dir, "conn.log", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := d.Writer()
	w.Record("conn", []byte(`{"a":1}`))
	w.Record("dns", []byte(`{"b":2}`))
	w.Flush()
	err = d.Close()
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "conn.log")) {
		t.Fatalf("Close: %v, want an error naming conn.log", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "dns.log")); string(b) != "{\"b\":2}\n" {
		t.Errorf("dns.log: %q", b)
	}
}
