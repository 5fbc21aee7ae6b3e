package shhext

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statusnode/statusd/api/internal/jsonschema"
)

// TestContactResultSchemas checks every shhext_contacts, shhext_saveContact
// and shhext_blockContact answer of the transcripts against
// testdata/schemas/<method>.json, written from status-go v0.35.1's types,
// and that contacts and blockContact each have a non-null answer checked.
func TestContactResultSchemas(t *testing.T) {
	methods := []string{"contacts", "saveContact", "blockContact"}
	schemas := map[string]*jsonschema.Schema{}
	for _, m := range methods {
		b, err := os.ReadFile(filepath.Join("testdata", "schemas", m+".json"))
		if err != nil {
			t.Fatal(err)
		}
		if schemas["shhext_"+m], err = jsonschema.Parse(b); err != nil {
			t.Fatalf("%s: %v", m, err)
		}
	}
	files, _ := filepath.Glob("testdata/*.js")
	nonNull := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		method := ""
		for _, line := range strings.Split(string(raw), "\n") {
			switch {
			case strings.HasPrefix(line, "--> "):
				var req struct{ Method string }
				if err := json.Unmarshal([]byte(line[4:]), &req); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				method = req.Method
			case strings.HasPrefix(line, "<-- "):
				s := schemas[method]
				var resp struct{ Result, Error json.RawMessage }
				if err := json.Unmarshal([]byte(line[4:]), &resp); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				if s == nil || resp.Error != nil {
					continue
				}
				if errs := s.Validate(resp.Result); len(errs) > 0 {
					t.Errorf("%s: %s result %.200s:\n  %s", f, method, resp.Result, strings.Join(errs, "\n  "))
				}
				if string(resp.Result) != "null" {
					nonNull[method]++
				}
			}
		}
	}
	for _, m := range []string{"shhext_contacts", "shhext_blockContact"} {
		if nonNull[m] == 0 {
			t.Errorf("%s: no non-null answer checked", m)
		}
	}
}
