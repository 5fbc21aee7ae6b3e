// Package jsonschema checks JSON values against the small subset of JSON
// Schema (draft 2020-12) that the result schemas in the namespaces'
// testdata use: "type" (a name or a list of names, "integer" meaning a
// number without fraction), "properties", "required",
// "additionalProperties": false, "items", "enum" and "$comment". Any other
// keyword is an error, so a schema cannot silently ask for more than is
// checked. Tests only.
package jsonschema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// Schema is a parsed schema.
type Schema struct {
	Type                 typeList           `json:"type"`
	Properties           map[string]*Schema `json:"properties"`
	Required             []string           `json:"required"`
	AdditionalProperties *bool              `json:"additionalProperties"`
	Items                *Schema            `json:"items"`
	Enum                 []json.RawMessage  `json:"enum"`
	Comment              string             `json:"$comment"`
	SchemaURI            string             `json:"$schema"`
	Title                string             `json:"title"`
}

type typeList []string

func (t *typeList) UnmarshalJSON(b []byte) error {
	var one string
	if json.Unmarshal(b, &one) == nil {
		*t = typeList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("jsonschema: type: %w", err)
	}
	*t = many
	return nil
}

// Parse reads a schema, refusing unknown keywords at any depth.
func Parse(b []byte) (*Schema, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	var s Schema
	if err := d.Decode(&s); err != nil {
		return nil, fmt.Errorf("jsonschema: %w", err)
	}
	return &s, nil
}

// Validate checks the JSON value v against s and returns every violation,
// each prefixed by the path of the value ("$", "$.id", "$[2].chat-ids").
func (s *Schema) Validate(v []byte) []string {
	d := json.NewDecoder(bytes.NewReader(v))
	d.UseNumber()
	var x any
	if err := d.Decode(&x); err != nil {
		return []string{"$: not JSON: " + err.Error()}
	}
	var errs []string
	s.check("$", x, &errs)
	return errs
}

func kind(x any) string {
	switch x := x.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if f, err := x.Float64(); err == nil && f == math.Trunc(f) && !strings.ContainsAny(string(x), ".eE") {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	default:
		return "object"
	}
}

func (s *Schema) check(path string, x any, errs *[]string) {
	k := kind(x)
	if len(s.Type) > 0 && !slices.Contains(s.Type, k) && !(k == "integer" && slices.Contains(s.Type, "number")) {
		*errs = append(*errs, fmt.Sprintf("%s: %s, want %s", path, k, strings.Join(s.Type, " or ")))
		return
	}
	if len(s.Enum) > 0 {
		raw, _ := json.Marshal(x)
		ok := false
		for _, e := range s.Enum {
			var c bytes.Buffer
			if json.Compact(&c, e) == nil && bytes.Equal(c.Bytes(), raw) {
				ok = true
			}
		}
		if !ok {
			*errs = append(*errs, fmt.Sprintf("%s: %s is not one of the enum", path, raw))
		}
	}
	switch x := x.(type) {
	case []any:
		if s.Items != nil {
			for i, e := range x {
				s.Items.check(fmt.Sprintf("%s[%d]", path, i), e, errs)
			}
		}
	case map[string]any:
		for _, r := range s.Required {
			if _, ok := x[r]; !ok {
				*errs = append(*errs, fmt.Sprintf("%s: missing member %q", path, r))
			}
		}
		names := make([]string, 0, len(x))
		for n := range x {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			p, ok := s.Properties[n]
			switch {
			case ok:
				p.check(path+"."+n, x[n], errs)
			case s.AdditionalProperties != nil && !*s.AdditionalProperties:
				*errs = append(*errs, fmt.Sprintf("%s: unexpected member %q", path, n))
			}
		}
	}
}
