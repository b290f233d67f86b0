package dissect_test

import (
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/quietwire/quietwire/dissect"
	_ "github.com/quietwire/quietwire/dissect/all"
)

// Architecture rules (STYLE.md B8.8), checked over the source tree as an fs.FS so that each
// check can also be shown to fail on a known-bad fixture.

var helperDirs = map[string]bool{"all": true, "dissecttest": true, "wire": true}

// dissectorDirs lists the dissector packages under root (a dissect/ tree).
func dissectorDirs(fsys fs.FS) []string {
	ents, _ := fs.ReadDir(fsys, ".")
	var out []string
	for _, e := range ents {
		if e.IsDir() && !helperDirs[e.Name()] {
			out = append(out, e.Name())
		}
	}
	return out
}

// checkPackageFiles: every dissector package has a doc.go, a README.md and a fuzz target.
func checkPackageFiles(fsys fs.FS) []string {
	var bad []string
	for _, d := range dissectorDirs(fsys) {
		for _, f := range []string{"doc.go", "README.md"} {
			if _, err := fs.Stat(fsys, path.Join(d, f)); err != nil {
				bad = append(bad, d+": no "+f)
			}
		}
		fuzz := false
		tests, _ := fs.Glob(fsys, path.Join(d, "*_test.go"))
		for _, tf := range tests {
			b, _ := fs.ReadFile(fsys, tf)
			fuzz = fuzz || strings.Contains(string(b), "func Fuzz")
		}
		if !fuzz {
			bad = append(bad, d+": no fuzz target")
		}
	}
	return bad
}

var wallClock = regexp.MustCompile(`\btime\.(Now|Since|Until)\(`)

// checkNoWallClock: packet time is the only clock below cmd/: no time.Now in non-test code.
func checkNoWallClock(fsys fs.FS) []string {
	var bad []string
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, _ := fs.ReadFile(fsys, p)
		if wallClock.Match(b) {
			bad = append(bad, p+": reads the wall clock")
		}
		return nil
	})
	return bad
}

var importRE = regexp.MustCompile(`"github.com/quietwire/quietwire/dissect/([a-z0-9]+)"`)

// checkNoDissectorImports: consumers see dissectors only through the contract.
func checkNoDissectorImports(fsys fs.FS) []string {
	var bad []string
	fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		b, _ := fs.ReadFile(fsys, p)
		for _, m := range importRE.FindAllStringSubmatch(string(b), -1) {
			if !helperDirs[m[1]] {
				bad = append(bad, p+": imports dissect/"+m[1])
			}
		}
		return nil
	})
	return bad
}

func TestArchitecture(t *testing.T) {
	root := os.DirFS(".")
	for _, msg := range checkPackageFiles(root) {
		t.Error(msg)
	}
	for _, dir := range []string{".", "../internal/decode", "../internal/engine", "../internal/detect", "../internal/inventory", "../internal/logs"} {
		for _, msg := range checkNoWallClock(os.DirFS(dir)) {
			t.Error(dir + "/" + msg)
		}
	}
	for _, dir := range []string{"../internal/engine", "../internal/inventory", "../internal/detect", "../internal/store", "../internal/api", "../internal/logs"} {
		for _, msg := range checkNoDissectorImports(os.DirFS(dir)) {
			t.Error(dir + "/" + msg)
		}
	}
	// Every dissector package registers one factory named after it.
	names := map[string]bool{}
	for _, f := range dissect.Factories() {
		names[f.Name] = true
	}
	for _, d := range dissectorDirs(root) {
		if !names[d] {
			t.Errorf("dissect/%s registers no factory named %q (or is not in dissect/all)", d, d)
		}
	}
	if len(names) != len(dissectorDirs(root)) {
		t.Errorf("%d factories for %d dissector packages", len(names), len(dissectorDirs(root)))
	}
}

// Each check finds the fault it looks for in a known-bad tree.
func TestArchitectureChecksCanFail(t *testing.T) {
	dissectors := fstest.MapFS{
		"modbus/doc.go":        {Data: []byte("package modbus")},
		"modbus/parse_test.go": {Data: []byte("package modbus\nfunc TestX(t *testing.T) {}")},
		"modbus/state.go":      {Data: []byte("package modbus\nvar t0 = time.Now()")},
	}
	if got := checkPackageFiles(dissectors); len(got) != 2 {
		t.Errorf("package files: %v (want: no README, no fuzz target)", got)
	}
	if got := checkNoWallClock(dissectors); len(got) != 1 {
		t.Errorf("wall clock: %v", got)
	}
	consumer := fstest.MapFS{"x.go": {Data: []byte(`package engine` + "\n" + `import _ "github.com/quietwire/quietwire/dissect/modbus"`)}}
	if got := checkNoDissectorImports(consumer); len(got) != 1 {
		t.Errorf("imports: %v", got)
	}
}
