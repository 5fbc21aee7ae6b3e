package api

import (
	"reflect"
	"strings"
)

// Docs is what rpc_discover knows about the Go source of the services: doc
// comments, parameter names, examples and the notification types of
// subscriptions. internal/tools/apidoc extracts it from the packages under
// api/ and writes it to api/apidocs (run `make docs`); the node hands it to
// Server.SetDocs. Everything else in the OpenRPC document (which methods
// exist, parameter and result types) comes from what is really registered,
// by reflection, so stale Docs show up as missing descriptions, never as
// methods that do not exist.
//
// Keys are "<import path>.<Type>.<Method>" for methods and
// "<import path>.<Type>" for types, the receiver's pointer stripped.
type Docs struct {
	Methods map[string]MethodDoc
	Types   map[string]TypeDoc
}

// MethodDoc is one service method's documentation.
type MethodDoc struct {
	Doc    string   // the doc comment without the "Foo is ns_foo:" opener and the annotations
	Params []string // parameter names, the context.Context left out
	// Notification is the payload type of a subscription, from its
	// "Notification: T" line; nil for other methods.
	Notification reflect.Type
	Examples     []Example
}

// Example is a call with its answer, from an "Example:" block of a doc
// comment. Params and Result are JSON texts; Params may use shell variables
// ($NAME) saved by an earlier task.
type Example struct {
	Title  string
	Params string // a JSON array
	Result string // a JSON value: an example answer
	// Save names the shell variable the curl command stores a string result
	// in, for later examples ("" = none).
	Save string
	// Task places the example in the "Common tasks" list of docs/API.md, in
	// increasing order; 0 leaves it out.
	Task int
}

// TypeDoc is a type's documentation.
type TypeDoc struct {
	Doc    string
	Fields map[string]string // Go field name → doc comment
	// JSON describes the members of a type that encodes itself (a custom
	// MarshalJSON or UnmarshalJSON), from a "JSON fields:" block.
	JSON []JSONField
}

// JSONField is one member of a custom-encoded JSON object.
type JSONField struct {
	Name string
	Type string // string, hex, integer, number, boolean, object; "[]" prefix for arrays
	Doc  string
}

// method returns the doc of method name of t's base type.
func (d *Docs) method(t reflect.Type, name string) (MethodDoc, bool) {
	if d == nil {
		return MethodDoc{}, false
	}
	md, ok := d.Methods[typeKey(t)+"."+name]
	return md, ok
}

// typeDoc returns the doc of t's base type.
func (d *Docs) typeDoc(t reflect.Type) TypeDoc {
	if d == nil {
		return TypeDoc{}
	}
	return d.Types[typeKey(t)]
}

// merge returns d with the entries of o added; o wins on conflicts.
func (d *Docs) merge(o *Docs) *Docs {
	out := &Docs{Methods: map[string]MethodDoc{}, Types: map[string]TypeDoc{}}
	for _, src := range []*Docs{d, o} {
		if src == nil {
			continue
		}
		for k, v := range src.Methods {
			out.Methods[k] = v
		}
		for k, v := range src.Types {
			out.Types[k] = v
		}
	}
	return out
}

// typeKey is "<import path>.<Name>" of t with pointers stripped.
func typeKey(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() + "." + t.Name()
}

// summary is the first sentence of doc.
func summary(doc string) string {
	doc = strings.Join(strings.Fields(doc), " ")
	for i := 0; i+1 < len(doc); i++ {
		if doc[i] == '.' && doc[i+1] == ' ' {
			return doc[:i+1]
		}
	}
	return doc
}
