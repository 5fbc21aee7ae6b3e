package api

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
)

// Schema is the subset of JSON Schema (draft 7) the OpenRPC document uses.
type Schema struct {
	Ref                  string             `json:"$ref,omitempty"`
	Type                 string             `json:"type,omitempty"`
	Format               string             `json:"format,omitempty"`
	Pattern              string             `json:"pattern,omitempty"`
	Description          string             `json:"description,omitempty"`
	Enum                 []string           `json:"enum,omitempty"`
	Items                *Schema            `json:"items,omitempty"`
	Properties           map[string]*Schema `json:"properties,omitempty"`
	AdditionalProperties *Schema            `json:"additionalProperties,omitempty"`
	AllOf                []*Schema          `json:"allOf,omitempty"`
	GoType               string             `json:"x-go-type,omitempty"`
}

// Schemas that encoding/json cannot tell by reflection: go-ethereum's hex
// types encode through MarshalText/MarshalJSON.
var (
	hexBytesPattern    = "^0x([0-9a-fA-F]{2})*$"
	hexQuantityPattern = "^0x(0|[1-9a-f][0-9a-f]*)$"
	knownSchemas       = map[string]Schema{
		"github.com/ethereum/go-ethereum/common/hexutil.Bytes":  {Type: "string", Pattern: hexBytesPattern, Description: "bytes as 0x-prefixed hex"},
		"github.com/ethereum/go-ethereum/common/hexutil.Uint":   {Type: "string", Pattern: hexQuantityPattern, Description: "a hex quantity"},
		"github.com/ethereum/go-ethereum/common/hexutil.Uint64": {Type: "string", Pattern: hexQuantityPattern, Description: "a hex quantity"},
		"github.com/ethereum/go-ethereum/common/hexutil.Big":    {Type: "string", Pattern: hexQuantityPattern, Description: "a hex quantity"},
		"github.com/ethereum/go-ethereum/common.Hash":           {Type: "string", Pattern: "^0x[0-9a-fA-F]{64}$", Description: "32 bytes as 0x-prefixed hex"},
		"github.com/ethereum/go-ethereum/common.Address":        {Type: "string", Pattern: "^0x[0-9a-fA-F]{40}$", Description: "an address, 20 bytes as 0x-prefixed hex"},
		"github.com/ethereum/go-ethereum/rpc.ID":                {Type: "string", Description: "a subscription ID"},
		"encoding/json.RawMessage":                              {Description: "any JSON value"},
		"time.Time":                                             {Type: "string", Format: "date-time"},
		"time.Duration":                                         {Type: "integer", Description: "nanoseconds"},
		"math/big.Int":                                          {Type: "integer"},
		// rpc_discover's answer, as OpenRPC's service discovery has it.
		"github.com/statusnode/statusd/api.Document": {Ref: OpenRPCMetaSchema, Description: "an OpenRPC document"},
	}
	jsonMarshaler   = reflect.TypeFor[json.Marshaler]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textMarshaler   = reflect.TypeFor[encoding.TextMarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// schemaGen turns Go types into JSON Schemas with encoding/json's rules.
// Named struct types and custom-encoded types become entries of defs,
// referenced as #/components/schemas/<pkg>.<Name>.
type schemaGen struct {
	docs  *Docs
	defs  map[string]*Schema
	names map[reflect.Type]string
}

func newSchemaGen(docs *Docs) *schemaGen {
	return &schemaGen{docs: docs, defs: map[string]*Schema{}, names: map[reflect.Type]string{}}
}

// schema returns the schema of values of type t.
func (g *schemaGen) schema(t reflect.Type) *Schema {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if s, ok := knownSchemas[typeKey(t)]; ok && t.Name() != "" {
		return &s
	}
	if t.Name() != "" && (isCustomJSON(t) || t.Kind() == reflect.Struct || g.docs.typeDoc(t).Doc != "") {
		return g.ref(t)
	}
	return g.inline(t)
}

// ref returns a $ref to t's definition, building it on first use.
func (g *schemaGen) ref(t reflect.Type) *Schema {
	if name, ok := g.names[t]; ok {
		return &Schema{Ref: "#/components/schemas/" + name}
	}
	name := g.defName(t)
	g.names[t] = name
	def := &Schema{}
	g.defs[name] = def // before the fields: recursive types refer to it
	*def = *g.inline(t)
	td := g.docs.typeDoc(t)
	def.Description = td.Doc
	def.GoType = typeKey(t)
	return &Schema{Ref: "#/components/schemas/" + name}
}

// defName is "<package>.<Name>", numbered when two packages share both.
func (g *schemaGen) defName(t reflect.Type) string {
	pkg := t.PkgPath()
	base := pkg[strings.LastIndex(pkg, "/")+1:] + "." + t.Name()
	name := base
	for i := 2; g.defs[name] != nil; i++ {
		name = fmt.Sprintf("%s%d", base, i)
	}
	return name
}

// inline is the schema of t's structure.
func (g *schemaGen) inline(t reflect.Type) *Schema {
	switch {
	case isCustomJSON(t):
		return g.custom(t)
	case implements(t, textMarshaler) || implements(t, textUnmarshaler):
		return &Schema{Type: "string"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return &Schema{Type: "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return &Schema{Type: "integer"}
	case reflect.Float32, reflect.Float64:
		return &Schema{Type: "number"}
	case reflect.String:
		return &Schema{Type: "string"}
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 && !implements(t.Elem(), textMarshaler) {
			return &Schema{Type: "string", Format: "byte", Description: "base64"}
		}
		return &Schema{Type: "array", Items: g.schema(t.Elem())}
	case reflect.Array:
		return &Schema{Type: "array", Items: g.schema(t.Elem())}
	case reflect.Map:
		return &Schema{Type: "object", AdditionalProperties: g.schema(t.Elem())}
	case reflect.Struct:
		return g.object(t)
	default: // interfaces: any JSON value
		return &Schema{}
	}
}

// object lists a struct's members as encoding/json names them, with
// embedded structs' members promoted.
func (g *schemaGen) object(t reflect.Type) *Schema {
	s := &Schema{Type: "object", Properties: map[string]*Schema{}}
	g.addFields(s, t)
	return s
}

func (g *schemaGen) addFields(s *Schema, t reflect.Type) {
	fieldDocs := g.docs.typeDoc(t).Fields
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct && !isCustomJSON(ft) {
			g.addFields(s, ft)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		p := g.schema(f.Type)
		if strings.Contains(opts, "string") {
			p = &Schema{Type: "string"}
		}
		if doc := fieldDocs[f.Name]; doc != "" {
			p = withDescription(p, doc)
		}
		s.Properties[name] = p
	}
}

// custom describes a type that encodes itself: its "JSON fields:" block
// when its doc comment has one, any JSON value otherwise.
func (g *schemaGen) custom(t reflect.Type) *Schema {
	fields := g.docs.typeDoc(t).JSON
	if len(fields) == 0 {
		return &Schema{}
	}
	s := &Schema{Type: "object", Properties: map[string]*Schema{}}
	for _, f := range fields {
		s.Properties[f.Name] = withDescription(jsonFieldSchema(f.Type), f.Doc)
	}
	return s
}

// jsonFieldSchema maps a "JSON fields:" type word to a schema.
func jsonFieldSchema(typ string) *Schema {
	if elem, ok := strings.CutPrefix(typ, "[]"); ok {
		return &Schema{Type: "array", Items: jsonFieldSchema(elem)}
	}
	if typ == "hex" {
		return &Schema{Type: "string", Pattern: hexBytesPattern}
	}
	return &Schema{Type: typ}
}

// withDescription returns s described by doc; a $ref is wrapped, since
// JSON Schema draft 7 ignores siblings of $ref.
func withDescription(s *Schema, doc string) *Schema {
	if s.Ref != "" {
		return &Schema{Description: doc, AllOf: []*Schema{s}}
	}
	c := *s
	c.Description = doc
	return &c
}

func isCustomJSON(t reflect.Type) bool {
	return implements(t, jsonMarshaler) || implements(t, jsonUnmarshaler)
}

// implements reports whether t or *t implements iface.
func implements(t, iface reflect.Type) bool {
	return t.Implements(iface) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(iface))
}
