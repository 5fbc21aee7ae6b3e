package mailservers

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode"

	"github.com/statusnode/statusd/api/internal/jsonschema"
)

// TestResultSchemas checks every result the transcripts answer against
// testdata/schemas/<method>.json, written from status-go v0.35.1's types,
// and that every method of the namespace has a schema and at least one
// non-null answer checked against it (writes, which answer null, excepted).
func TestResultSchemas(t *testing.T) {
	schemas := map[string]*jsonschema.Schema{}
	files, _ := filepath.Glob("testdata/schemas/*.json")
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s, err := jsonschema.Parse(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		schemas["mailservers_"+strings.TrimSuffix(filepath.Base(f), ".json")] = s
	}
	checked := map[string]int{}
	transcripts, _ := filepath.Glob("testdata/*.js")
	for _, f := range transcripts {
		for _, ex := range exchanges(t, f) {
			if ex.result == nil {
				continue
			}
			s := schemas[ex.method]
			if s == nil {
				t.Errorf("%s: no schema for %s", f, ex.method)
				continue
			}
			if errs := s.Validate(ex.result); len(errs) > 0 {
				t.Errorf("%s: %s result %s:\n  %s", f, ex.method, ex.result, strings.Join(errs, "\n  "))
			}
			if string(ex.result) != "null" {
				checked[ex.method]++
			}
		}
	}
	typ := reflect.TypeFor[*API]()
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		name := "mailservers_" + string(unicode.ToLower(rune(m.Name[0]))) + m.Name[1:]
		if schemas[name] == nil {
			t.Errorf("%s has no schema in testdata/schemas", name)
		}
		returnsData := m.Type.NumOut() == 2
		if returnsData && checked[name] == 0 {
			t.Errorf("%s: no non-null answer in the transcripts checked against its schema", name)
		}
	}
	if len(schemas) != typ.NumMethod() {
		t.Errorf("%d schemas for %d methods", len(schemas), typ.NumMethod())
	}
}

type exchange struct {
	method string
	result json.RawMessage // nil for an error answer
}

// exchanges pairs each "-->" request of a transcript with its "<--"
// answer.
func exchanges(t *testing.T, path string) []exchange {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []exchange
	var method string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "--> "):
			var req struct{ Method string }
			if err := json.Unmarshal([]byte(line[4:]), &req); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			method = req.Method
		case strings.HasPrefix(line, "<-- "):
			var resp struct {
				Result json.RawMessage
				Error  json.RawMessage
			}
			if err := json.Unmarshal([]byte(line[4:]), &resp); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			ex := exchange{method: method}
			if resp.Error == nil {
				ex.result = resp.Result
			}
			out = append(out, ex)
		}
	}
	return out
}
