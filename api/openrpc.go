package api

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// OpenRPCVersion is the version of the OpenRPC specification the document
// follows; DocumentVersion is the version of the API it describes.
const (
	OpenRPCVersion  = "1.2.6"
	DocumentVersion = "0.1.0"
	// OpenRPCMetaSchema is the JSON Schema of OpenRPC documents.
	OpenRPCMetaSchema = "https://raw.githubusercontent.com/open-rpc/meta-schema/1.14.2/schema.json"
)

// Document is an OpenRPC document (https://spec.open-rpc.org), the answer of
// rpc_discover. Subscriptions are listed under the "x-events" extension:
// each is reached with <namespace>_subscribe(name, params...) and pushes its
// result schema as <namespace>_subscription notifications.
type Document struct {
	OpenRPC    string     `json:"openrpc"`
	Info       Info       `json:"info"`
	Methods    []*Method  `json:"methods"`
	Components Components `json:"components"`
	Events     []*Event   `json:"x-events,omitempty"`
}

// Info describes the API as a whole.
type Info struct {
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Version     string `json:"version"`
}

// Components holds the schemas that methods refer to with $ref.
type Components struct {
	Schemas map[string]*Schema `json:"schemas"`
}

// Method is one callable JSON-RPC method.
type Method struct {
	Name        string               `json:"name"`
	Summary     string               `json:"summary,omitempty"`
	Description string               `json:"description,omitempty"`
	Params      []*ContentDescriptor `json:"params"`
	Result      *ContentDescriptor   `json:"result"`
	Examples    []*ExamplePairing    `json:"examples,omitempty"`
	GoMethod    string               `json:"x-go-method,omitempty"` // e.g. "api.AdminAPI.AddPeer"
}

// Event is one subscription: Name is the first parameter of Subscribe, Result
// the payload of each Notification.
type Event struct {
	Name         string               `json:"name"`
	Subscribe    string               `json:"subscribe"`    // e.g. "shh_subscribe"
	Notification string               `json:"notification"` // e.g. "shh_subscription"
	Summary      string               `json:"summary,omitempty"`
	Description  string               `json:"description,omitempty"`
	Params       []*ContentDescriptor `json:"params"`
	Result       *ContentDescriptor   `json:"result"`
	Examples     []*ExamplePairing    `json:"examples,omitempty"`
	GoMethod     string               `json:"x-go-method,omitempty"`
}

// ContentDescriptor names and describes a parameter or a result.
type ContentDescriptor struct {
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Required    bool    `json:"required,omitempty"`
	Schema      *Schema `json:"schema"`
}

// ExamplePairing is an example call. Task and Save are extensions that
// docs/API.md uses to order its "Common tasks" and chain them.
type ExamplePairing struct {
	Name   string           `json:"name"`
	Params []*ExampleObject `json:"params"`
	Result *ExampleObject   `json:"result"`
	Task   int              `json:"x-task,omitempty"`
	Save   string           `json:"x-save,omitempty"`
}

// ExampleObject is one example value.
type ExampleObject struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value"`
}

// buildDocument describes the methods of regs with docs.
func buildDocument(regs []registration, docs *Docs) *Document {
	g := newSchemaGen(docs)
	d := &Document{
		OpenRPC: OpenRPCVersion,
		Info: Info{
			Title:       "statusd JSON-RPC API",
			Description: "Methods and events served by statusd, generated from its Go code. Events are listed under x-events: subscribe with <namespace>_subscribe(event, params...) over WebSocket or IPC; each event is then pushed as a <namespace>_subscription notification carrying the event's result.",
			Version:     DocumentVersion,
		},
		Methods: []*Method{},
	}
	subscribable := map[string][]string{}
	var order []string
	for _, m := range methodsOf(regs) {
		md, _ := docs.method(m.recv, m.goName)
		params := describeParams(g, m, md)
		goName := goMethodName(m)
		if !m.subscribe {
			d.Methods = append(d.Methods, &Method{
				Name: m.fullName(), Summary: summary(md.Doc), Description: md.Doc,
				Params: params, Result: describeResult(g, m.result), Examples: examples(md, params),
				GoMethod: goName,
			})
			continue
		}
		ev := &Event{
			Name: m.name, Subscribe: m.namespace + "_subscribe", Notification: m.namespace + "_subscription",
			Summary: summary(md.Doc), Description: md.Doc, Params: params, Examples: examples(md, params), GoMethod: goName,
		}
		if md.Notification != nil {
			ev.Result = &ContentDescriptor{Name: "notification", Schema: g.schema(md.Notification)}
		}
		d.Events = append(d.Events, ev)
		if subscribable[m.namespace] == nil {
			order = append(order, m.namespace)
		}
		subscribable[m.namespace] = append(subscribable[m.namespace], m.name)
	}
	for _, ns := range order {
		d.Methods = append(d.Methods, subscribeMethods(ns, subscribable[ns])...)
	}
	sort.SliceStable(d.Methods, func(i, j int) bool { return d.Methods[i].Name < d.Methods[j].Name })
	d.Components.Schemas = g.defs
	return d
}

func describeParams(g *schemaGen, m rpcMethod, md MethodDoc) []*ContentDescriptor {
	out := make([]*ContentDescriptor, 0, len(m.params))
	for i, t := range m.params {
		name := fmt.Sprintf("arg%d", i)
		if i < len(md.Params) {
			name = md.Params[i]
		}
		// go-ethereum lets trailing pointer parameters be omitted.
		out = append(out, &ContentDescriptor{Name: name, Required: !optionalTail(m.params[i:]), Schema: g.schema(t)})
	}
	return out
}

// optionalTail reports whether every type in ts may be left out of a call,
// as go-ethereum allows for trailing pointer (nil-able) parameters.
func optionalTail(ts []reflect.Type) bool {
	for _, t := range ts {
		if t.Kind() != reflect.Pointer {
			return false
		}
	}
	return true
}

func describeResult(g *schemaGen, t reflect.Type) *ContentDescriptor {
	if t == nil {
		return &ContentDescriptor{Name: "result", Schema: &Schema{Type: "null"}}
	}
	return &ContentDescriptor{Name: "result", Schema: g.schema(t)}
}

func examples(md MethodDoc, params []*ContentDescriptor) []*ExamplePairing {
	var out []*ExamplePairing
	for _, ex := range md.Examples {
		var values []json.RawMessage
		_ = json.Unmarshal([]byte(ex.Params), &values) // checked by the generator
		p := &ExamplePairing{Name: ex.Title, Params: []*ExampleObject{}, Task: ex.Task, Save: ex.Save,
			Result: &ExampleObject{Name: "result", Value: json.RawMessage(ex.Result)}}
		for i, v := range values {
			name := fmt.Sprintf("arg%d", i)
			if i < len(params) {
				name = params[i].Name
			}
			p.Params = append(p.Params, &ExampleObject{Name: name, Value: v})
		}
		out = append(out, p)
	}
	return out
}

// subscribeMethods are the <ns>_subscribe and <ns>_unsubscribe methods that
// go-ethereum's rpc answers for a namespace with subscriptions.
func subscribeMethods(ns string, events []string) []*Method {
	return []*Method{{
		Name:        ns + "_subscribe",
		Summary:     fmt.Sprintf("Starts a subscription to one of the %s events (%s); WebSocket and IPC only.", ns, strings.Join(events, ", ")),
		Description: fmt.Sprintf("Starts a subscription to one of the %s events (%s); WebSocket and IPC only. The first parameter names the event, the others are the event's parameters (see x-events). The result is the subscription ID; every event is then pushed as a %s_subscription notification {\"subscription\": ID, \"result\": payload} until %s_unsubscribe(ID) or the connection closes.", ns, strings.Join(events, ", "), ns, ns),
		Params: []*ContentDescriptor{
			{Name: "event", Required: true, Schema: &Schema{Type: "string", Enum: events}},
			{Name: "params", Description: "the event's parameters, one JSON value each (see x-events)", Schema: &Schema{}},
		},
		Result: &ContentDescriptor{Name: "subscription", Schema: &Schema{Type: "string", Description: "a subscription ID"}},
	}, {
		Name:        ns + "_unsubscribe",
		Summary:     "Ends a subscription started with " + ns + "_subscribe.",
		Description: "Ends a subscription started with " + ns + "_subscribe on the same connection and answers true; an unknown ID is an error.",
		Params:      []*ContentDescriptor{{Name: "subscription", Required: true, Schema: &Schema{Type: "string"}}},
		Result:      &ContentDescriptor{Name: "result", Schema: &Schema{Type: "boolean"}},
	}}
}

// goMethodName is "<package>.<Type>.<Method>" of m's Go method.
func goMethodName(m rpcMethod) string {
	t := m.recv
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	pkg := t.PkgPath()
	return pkg[strings.LastIndex(pkg, "/")+1:] + "." + t.Name() + "." + m.goName
}
