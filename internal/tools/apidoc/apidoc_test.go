package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGeneratedCatalogUpToDate keeps api/apidocs/apidocs_gen.go equal to
// what the doc comments under api/ produce.
func TestGeneratedCatalogUpToDate(t *testing.T) {
	apiDir := filepath.Join("..", "..", "..", "api")
	out := filepath.Join(apiDir, "apidocs", "apidocs_gen.go")
	want, err := generate(apiDir, out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(out)
	if err != nil || string(got) != string(want) {
		t.Fatalf("api/apidocs/apidocs_gen.go is stale (%v); run `make docs`", err)
	}
}

func TestAnnotations(t *testing.T) {
	text := "Foo is x_foo: does things.\n\nMore text.\n\n\tcode\n\nNotification: pkg.T\n\n" +
		"Example: Do it\n\n\tparams: [\"$KEY\", 1]\n\tresult: {\"a\": 1}\n\tsave: OUT\n\ttask: 3\n\n" +
		"JSON fields:\n\n\tname  []hex  the names\n"
	a, err := parseAnnotations(text, "Foo")
	if err != nil {
		t.Fatal(err)
	}
	if a.doc != "Does things.\n\nMore text.\n\n    code" {
		t.Errorf("doc = %q", a.doc)
	}
	if a.notification != "pkg.T" || len(a.json) != 1 || a.json[0] != (jsonField{"name", "[]hex", "the names"}) {
		t.Errorf("annotations = %+v", a)
	}
	if len(a.examples) != 1 || a.examples[0] != (example{"Do it", `["$KEY",1]`, `{"a":1}`, "OUT", 3}) {
		t.Errorf("examples = %+v", a.examples)
	}
	for _, bad := range []string{
		"Foo.\n\nExample: x\n\n\tparams: {}\n\tresult: 1\n", // params not an array
		"Foo.\n\nExample: x\n\n\tparams: []\n",              // no result
		"Foo.\n\nExample: x\n\n\tparams: []\n\tresult: 1\n\nMore prose.\n",
		"Foo.\n\nExample: x\n\n\tparams: []\n\tresult: 1\n\tsave: lower\n",
		"Foo.\n\nJSON fields:\n\n\tname float the name\n",
	} {
		if _, err := parseAnnotations(bad, "Foo"); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	// A comment that only names the method leaves no description.
	if a, _ := parseAnnotations("Chat is statusd_chat(chatId).\n", "Chat"); a.doc != "" {
		t.Errorf("doc = %q", a.doc)
	}
}

func TestParamNames(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n"), 0o644)
	os.MkdirAll(filepath.Join(dir, "api"), 0o755)
	src := `package api

import "context"

// Criteria selects.
type Criteria struct{ N int }

// S is a service.
type S struct{}

// Find is x_find: finds.
func (S) Find(ctx context.Context, c Criteria, limit, _ int) error { return nil }
`
	os.WriteFile(filepath.Join(dir, "api", "s.go"), []byte(src), 0o644)
	out, err := generate(filepath.Join(dir, "api"), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`Params: []string{"criteria", "limit", "int"}`, `"example.com/m/api.Criteria": {`, `Doc:    "Finds."`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("output lacks %s:\n%s", want, out)
		}
	}
}
