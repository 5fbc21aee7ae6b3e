package api

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

type inner struct {
	Depth int `json:"depth"`
}

type custom struct{ v int }

func (c custom) MarshalJSON() ([]byte, error) { return json.Marshal(c.v) }

type outer struct {
	inner
	Name   string           `json:"name"`
	Hidden string           `json:"-"`
	Bytes  hexutil.Bytes    `json:"bytes,omitempty"`
	Raw    []byte           `json:"raw"`
	Tags   map[string][]int `json:"tags"`
	Next   *outer           `json:"next"`
	Custom custom           `json:"custom"`
	Any    any              `json:"any"`
	NoTag  bool
	//lint:ignore U1000 the schema must leave out an unexported field
	private int
}

// TestSchemaFollowsEncodingJSON: member names, promotion, skipped fields,
// hex types, recursion, and custom encoders described by their docs.
func TestSchemaFollowsEncodingJSON(t *testing.T) {
	docs := &Docs{Types: map[string]TypeDoc{
		typeKey(reflect.TypeFor[custom]()): {Doc: "A custom.", JSON: []JSONField{{Name: "v", Type: "[]hex", Doc: "values"}}},
		typeKey(reflect.TypeFor[outer]()):  {Doc: "An outer.", Fields: map[string]string{"Name": "the name"}},
	}}
	g := newSchemaGen(docs)
	if ref := g.schema(reflect.TypeFor[*outer]()); ref.Ref != "#/components/schemas/api.outer" {
		t.Fatalf("ref = %+v", ref)
	}
	o := g.defs["api.outer"]
	var names []string
	for k := range o.Properties {
		names = append(names, k)
	}
	want := map[string]string{"depth": "integer", "name": "string", "bytes": "string", "raw": "string", "tags": "object", "NoTag": "boolean"}
	for name, typ := range want {
		if p := o.Properties[name]; p == nil || p.Type != typ {
			t.Errorf("%s = %+v, want type %s (members %v)", name, p, typ, names)
		}
	}
	for _, absent := range []string{"Hidden", "private", "inner"} {
		if o.Properties[absent] != nil {
			t.Errorf("member %s should be absent", absent)
		}
	}
	if o.Description != "An outer." || o.Properties["name"].Description != "the name" {
		t.Errorf("descriptions: %q %q", o.Description, o.Properties["name"].Description)
	}
	if o.Properties["bytes"].Pattern != hexBytesPattern || o.Properties["raw"].Format != "byte" {
		t.Errorf("bytes %+v raw %+v", o.Properties["bytes"], o.Properties["raw"])
	}
	if o.Properties["next"].Ref != "#/components/schemas/api.outer" {
		t.Errorf("recursion: %+v", o.Properties["next"])
	}
	c := g.defs["api.custom"]
	if c == nil || c.Properties["v"] == nil || c.Properties["v"].Items.Pattern != hexBytesPattern {
		t.Errorf("custom = %+v", c)
	}
	if s := o.Properties["any"]; s.Type != "" || s.Ref != "" {
		t.Errorf("any = %+v", s)
	}
}
