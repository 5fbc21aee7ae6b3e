package shhext

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/statusnode/statusd/api/internal/jsonschema"
)

// TestPrepareContentSchema checks every shhext_prepareContent answer of
// testdata/content.js against testdata/schemas/prepareContent.json,
// written from status-go v0.35.1's Content.
func TestPrepareContentSchema(t *testing.T) {
	b, err := os.ReadFile("testdata/schemas/prepareContent.json")
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("testdata/content.js")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.HasPrefix(line, "<-- ") {
			continue
		}
		var resp struct{ Result json.RawMessage }
		if err := json.Unmarshal([]byte(line[4:]), &resp); err != nil {
			t.Fatal(err)
		}
		if resp.Result == nil {
			continue
		}
		n++
		if errs := s.Validate(resp.Result); len(errs) > 0 {
			t.Errorf("%s:\n  %s", resp.Result, strings.Join(errs, "\n  "))
		}
	}
	if n < 5 {
		t.Fatalf("%d results checked", n)
	}
	// And status-go's own answers, the vectors of protocol/markdown.
	raw, err = os.ReadFile("../../protocol/markdown/testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []struct {
		Name     string
		Prepared json.RawMessage
	}
	if err := json.Unmarshal(raw, &vs); err != nil {
		t.Fatal(err)
	}
	for _, v := range vs {
		if errs := s.Validate(v.Prepared); len(errs) > 0 {
			t.Errorf("vector %s:\n  %s", v.Name, strings.Join(errs, "\n  "))
		}
	}
}
