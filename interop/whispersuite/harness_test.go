package whispersuite

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPrograms: the repository root is found from this package's directory,
// and every node kind's package is where the harness builds it from.
func TestPrograms(t *testing.T) {
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.Abs("../.."); root != want {
		t.Errorf("repository root %s, want %s", root, want)
	}
	for kind, p := range nodePrograms {
		if p.Name != kind {
			t.Errorf("kind %s builds a program named %s", kind, p.Name)
		}
		dir := filepath.Join(root, filepath.FromSlash(p.ModuleDir))
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
			t.Errorf("kind %s: no module at %s: %v", kind, dir, err)
		}
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(p.Pkg), "main.go")); err != nil {
			t.Errorf("kind %s: no main package %s in %s: %v", kind, p.Pkg, dir, err)
		}
	}
}
