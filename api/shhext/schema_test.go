package shhext

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statusnode/statusd/api/internal/jsonschema"
)

// resultSchemas names the schema, written from status-go v0.35.1's types,
// of each method's result.
var resultSchemas = map[string]string{
	"shhext_chatMessages": "chatMessages.json",
	"shhext_chats":        "chats.json",
	"shhext_blockContact": "chats.json",

	"shhext_sendDirectMessage":   "sendDirectMessage.json",
	"shhext_sendPublicMessage":   "sendPublicMessage.json",
	"shhext_loadFilters":         "loadFilters.json",
	"shhext_getOurInstallations": "getOurInstallations.json",
}

func loadSchema(t *testing.T, name string) *jsonschema.Schema {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "schemas", name))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jsonschema.Parse(b)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return s
}

// TestResultSchemas checks every successful answer in the transcripts
// (testdata/*.js) of a method in resultSchemas against its schema, and
// that each such method answered at least once.
func TestResultSchemas(t *testing.T) {
	files, err := filepath.Glob("testdata/*.js")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		methods := map[string]string{} // request id → method
		for i, line := range strings.Split(string(raw), "\n") {
			switch {
			case strings.HasPrefix(line, "--> "):
				var req struct {
					ID     json.RawMessage
					Method string
				}
				if json.Unmarshal([]byte(line[4:]), &req) == nil {
					methods[string(req.ID)] = req.Method
				}
			case strings.HasPrefix(line, "<-- "):
				var resp struct {
					ID     json.RawMessage
					Result json.RawMessage
				}
				if err := json.Unmarshal([]byte(line[4:]), &resp); err != nil || resp.Result == nil {
					continue
				}
				name := resultSchemas[methods[string(resp.ID)]]
				if name == "" {
					continue
				}
				seen[methods[string(resp.ID)]]++
				if errs := loadSchema(t, name).Validate(resp.Result); len(errs) > 0 {
					t.Errorf("%s:%d (%s):\n  %s", f, i+1, name, strings.Join(errs, "\n  "))
				}
			}
		}
	}
	for m := range resultSchemas {
		if seen[m] == 0 {
			t.Errorf("no answer of %s in the transcripts", m)
		}
	}
}
