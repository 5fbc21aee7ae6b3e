package api

import (
	"fmt"
	"reflect"
	"strings"

	"github.com/ethereum/go-ethereum/rpc"
)

// The doc comments of every package under api/ become api/apidocs, which
// the node passes to Server.SetDocs; `make docs` also rewrites docs/API.md.
//go:generate go run ../internal/tools/apidoc -dir . -out apidocs/apidocs_gen.go

// discoverService adds rpc_discover to the "rpc" namespace, next to
// go-ethereum's built-in rpc_modules. Like rpc_modules it is served on every
// transport whatever Config.Modules says: a client must be able to learn
// what an endpoint offers. Each endpoint describes what it serves: HTTP and
// WS the namespaces in Config.Modules, IPC every namespace.
type discoverService struct {
	s      *Server
	public bool
}

// Discover is rpc_discover: an OpenRPC 1.2.6 document describing every method
// this endpoint serves and every event it can push (under "x-events"), with
// descriptions and examples taken from the Go doc comments and parameter and
// result schemas from the Go types. docs/API.md is rendered from it.
//
// Example: Discover the API
//
//	params: []
//	result: {"openrpc":"1.2.6","info":{"title":"statusd JSON-RPC API","version":"0.1.0"},"methods":[],"components":{"schemas":{}}}
func (d *discoverService) Discover() *Document {
	return d.s.document(d.public)
}

// builtinDocs describes the methods go-ethereum's rpc.Server registers
// itself, whose doc comments live outside this module.
var builtinDocs = &Docs{Methods: map[string]MethodDoc{
	typeKey(reflect.TypeFor[*rpc.RPCService]()) + ".Modules": {
		Doc: "The namespaces this endpoint serves, each mapped to the version \"1.0\" (go-ethereum's built-in method).",
		Examples: []Example{{Title: "List the namespaces", Params: "[]",
			Result: `{"admin":"1.0","net":"1.0","rpc":"1.0","shh":"1.0","web3":"1.0"}`}},
	},
}}

// registerDiscover adds rpc_discover to both rpc.Servers; go-ethereum merges
// it into the "rpc" namespace that holds rpc_modules.
func (s *Server) registerDiscover() error {
	if err := s.public.RegisterName(rpc.MetadataApi, &discoverService{s: s, public: true}); err != nil {
		return fmt.Errorf("api: register rpc_discover: %w", err)
	}
	if err := s.all.RegisterName(rpc.MetadataApi, &discoverService{s: s}); err != nil {
		return fmt.Errorf("api: register rpc_discover: %w", err)
	}
	return nil
}

// SetDocs gives rpc_discover the doc comments of the services (the node
// passes apidocs.Catalog). Without it, the document lists every method with
// its schemas but no descriptions. It may be called at any time.
func (s *Server) SetDocs(d *Docs) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.docs = d
}

// Discover returns the document that rpc_discover answers over IPC: every
// registered namespace.
func (s *Server) Discover() *Document {
	return s.document(false)
}

// document describes the namespaces registered so far; public keeps those
// served over HTTP and WS.
func (s *Server) document(public bool) *Document {
	s.mu.Lock()
	regs := []registration{
		{rpc.MetadataApi, &rpc.RPCService{}},
		{rpc.MetadataApi, &discoverService{}},
	}
	for _, r := range s.regs {
		if !public || s.cfg.moduleAllowed(r.namespace) {
			regs = append(regs, r)
		}
	}
	docs := builtinDocs.merge(s.docs)
	s.mu.Unlock()
	return buildDocument(regs, docs)
}

// Undocumented lists, one line each, the registered methods and events whose
// documentation is incomplete: no description (the Go method has no doc
// comment, or api/apidocs is stale: run `make docs`), no result schema, an
// unnamed parameter, or an event without a "Notification:" type. A test
// keeps it empty.
func (s *Server) Undocumented() []string {
	return Undocumented(s.Discover())
}

// Undocumented is Server.Undocumented for any document.
func Undocumented(d *Document) []string {
	var out []string
	check := func(what, desc string, params []*ContentDescriptor, result *ContentDescriptor) {
		var missing []string
		if strings.TrimSpace(desc) == "" {
			missing = append(missing, `description (a doc comment saying more than "Foo is ns_foo")`)
		}
		if result == nil || result.Schema == nil {
			missing = append(missing, "result schema (a \"Notification: T\" line for events)")
		}
		for i, p := range params {
			if p.Name == fmt.Sprintf("arg%d", i) {
				missing = append(missing, "name of parameter "+p.Name)
			}
		}
		if len(missing) > 0 {
			out = append(out, what+": no "+strings.Join(missing, ", no "))
		}
	}
	for _, m := range d.Methods {
		check(m.Name, m.Description, m.Params, m.Result)
	}
	for _, e := range d.Events {
		check(fmt.Sprintf("%s(%q)", e.Subscribe, e.Name), e.Description, e.Params, e.Result)
	}
	return out
}
