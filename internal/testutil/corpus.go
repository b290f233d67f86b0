// Package testutil holds helpers shared by tests: where the shared corpus is, and replay of
// captures through the whole pipeline.
package testutil

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Root returns the module root (the directory holding go.mod).
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// CorpusDir returns ../shared/corpus beside the checkout (or $QUIETWIRE_CORPUS), or "" if absent.
func CorpusDir() string {
	if d := os.Getenv("QUIETWIRE_CORPUS"); d != "" {
		return d
	}
	d := filepath.Join(Root(), "..", "shared", "corpus")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

// Corpus returns the corpus directory or skips the test with a message saying why.
func Corpus(t testing.TB) string {
	t.Helper()
	d := CorpusDir()
	if d == "" {
		t.Skip("../shared/corpus not found beside the checkout (set QUIETWIRE_CORPUS): corpus tests skipped")
	}
	return d
}

// CorpusFiles returns the captures under corpus/<proto>/ (pcap, pcapng, cap), skipping the
// test if the corpus is absent.
func CorpusFiles(t testing.TB, proto string) []string {
	t.Helper()
	d := Corpus(t)
	var out []string
	for _, pat := range []string{"*.pcap", "*.pcapng", "*.cap"} {
		m, _ := filepath.Glob(filepath.Join(d, proto, pat))
		out = append(out, m...)
	}
	return out
}
