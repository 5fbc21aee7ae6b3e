package main

import (
	"os"
	"strings"
	"testing"
)

// TestCompatibilityTable checks docs/API.md's status-go v0.35 table: one
// row for each method of testdata/v035-methods.txt and for nothing else,
// and, on a real node, "missing" exactly for the methods it does not
// register.
func TestCompatibilityTable(t *testing.T) {
	raw, err := os.ReadFile("testdata/v035-methods.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{}
	for _, l := range strings.Split(string(raw), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			want[l] = true
		}
	}
	rows, err := compatRows(compatTable)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		if !want[r.method] {
			t.Errorf("row for %s, which is not a v0.35.1 method of testdata/v035-methods.txt", r.method)
		}
		if seen[r.method] {
			t.Errorf("two rows for %s", r.method)
		}
		seen[r.method] = true
	}
	for m := range want {
		if !seen[m] {
			t.Errorf("v0.35.1 method %s has no row in compat.md", m)
		}
	}

	srv, _ := startTestNode(t, false)
	registered := map[string]bool{}
	for _, m := range srv.Discover().Methods {
		registered[m.Name] = true
	}
	for _, r := range rows {
		if missing := r.state == "missing"; missing == registered[r.method] {
			t.Errorf("compat.md says %s is %s, but the node registers it: %v", r.method, r.state, registered[r.method])
		}
	}
}

func TestCompatRowsRefuseBadRows(t *testing.T) {
	for _, md := range []string{
		"| `shhext_post` | maybe | x |",
		"| `shhext_post` | smaller |  |",
		"| `shhext_post` | same |",
	} {
		if _, err := compatRows(md); err == nil {
			t.Errorf("accepted %q", md)
		}
	}
}
