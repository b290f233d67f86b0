// Package replay runs captures through the whole pipeline in tests and returns the logs.
package replay

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/quietwire/quietwire/internal/capture"
	"github.com/quietwire/quietwire/internal/engine"
	"github.com/quietwire/quietwire/internal/logs"
)

// Result is what a replay produced.
type Result struct {
	Dir     string
	Summary *engine.Summary
	Logs    map[string][]map[string]any
	Err     error // the capture's read error, if any
}

// Run analyses the captures with cfg and reads every log back. It fails the test on an
// engine error; a capture read error is returned in Result.Err.
func Run(t testing.TB, cfg engine.Config, files ...string) *Result {
	t.Helper()
	dir := t.TempDir()
	d, err := logs.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	eng, err := engine.New(cfg, d)
	if err != nil {
		t.Fatal(err)
	}
	res := &Result{Dir: dir, Logs: map[string][]map[string]any{}}
	for _, f := range files {
		src, err := capture.Open(f)
		if err != nil {
			res.Err = err
			continue
		}
		if err := eng.Run(src); err != nil {
			res.Err = err
		}
		src.Close()
	}
	res.Summary = eng.Finish()
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		name := strings.TrimSuffix(e.Name(), ".log")
		fh, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			m := map[string]any{}
			dec := json.NewDecoder(strings.NewReader(sc.Text()))
			dec.UseNumber()
			if err := dec.Decode(&m); err != nil {
				t.Fatalf("%s: invalid JSON line %q: %v", e.Name(), sc.Text(), err)
			}
			res.Logs[name] = append(res.Logs[name], m)
		}
		fh.Close()
	}
	return res
}

// Str returns a log field as a string ("" when absent).
func Str(m map[string]any, k string) string {
	switch v := m[k].(type) {
	case nil:
		return ""
	case string:
		return v
	case json.Number:
		return v.String()
	case bool:
		if v {
			return "T"
		}
		return "F"
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// ZeekTSV reads a Zeek TSV log (as in the corpus baselines) into rows keyed by field name.
func ZeekTSV(t testing.TB, path string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var fields []string
	var rows []map[string]string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "#fields") {
			fields = strings.Split(line, "\t")[1:]
			continue
		}
		if line == "" || strings.HasPrefix(line, "#") || fields == nil {
			continue
		}
		r := map[string]string{}
		for i, v := range strings.Split(line, "\t") {
			if i < len(fields) {
				r[fields[i]] = v
			}
		}
		rows = append(rows, r)
	}
	return rows
}
