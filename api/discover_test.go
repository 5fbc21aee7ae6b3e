package api

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// shapes has one method per go-ethereum callback rule.
type shapes struct{}

func (shapes) NoResult()                                           {}
func (shapes) ErrOnly() error                                      { return nil }
func (shapes) Value(ctx context.Context, n int) string             { return "" }
func (shapes) ValueErr(a, b string, c *int) (hexutil.Bytes, error) { return nil, nil }
func (shapes) Three() (int, int, error)                            { return 0, 0, nil }

//lint:ignore ST1008 the catalog must skip a method whose error is not last, as go-ethereum does
func (shapes) ErrFirst() (error, int) { return nil, 0 }
func (shapes) TwoValues() (int, int)  { return 0, 0 }
func (shapes) Ticks(ctx context.Context, every int) (*rpc.Subscription, error) {
	return nil, errors.New("no")
}

//lint:ignore U1000 the catalog must not list an unexported method
func (shapes) unexported() int { return 0 }

// TestCatalogFollowsGoEthereum checks methodsOf against what rpc.Server
// answers: each listed method exists, each other one is -32601.
func TestCatalogFollowsGoEthereum(t *testing.T) {
	var got []string
	for _, m := range methodsOf([]registration{{"x", shapes{}}}) {
		got = append(got, m.fullName())
	}
	want := []string{"x_errOnly", "x_noResult", "x_value", "x_valueErr", "x_ticks"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("methods = %v, want %v", got, want)
	}
	srv := rpc.NewServer()
	defer srv.Stop()
	if err := srv.RegisterName("x", shapes{}); err != nil {
		t.Fatal(err)
	}
	c := rpc.DialInProc(srv)
	defer c.Close()
	for _, name := range []string{"x_errOnly", "x_noResult", "x_value", "x_valueErr", "x_three", "x_errFirst", "x_twoValues", "x_unexported", "x_ticks"} {
		err := c.Call(nil, name)
		var rerr rpc.Error
		notFound := errors.As(err, &rerr) && rerr.ErrorCode() == CodeMethodNotFound
		listed := false
		for _, g := range got {
			listed = listed || (g == name && name != "x_ticks")
		}
		if notFound == listed {
			t.Errorf("%s: listed %v, go-ethereum answers %v", name, listed, err)
		}
	}
}

// undocumented is a service nobody wrote docs for.
type undocumented struct{}

func (undocumented) Ping(n int) string { return "pong" }
func (undocumented) Ticks(ctx context.Context) (*rpc.Subscription, error) {
	return nil, errors.New("no")
}

// TestUndocumentedMethodReported is the check the node test relies on: a
// registered method or event without docs is reported, a documented one
// is not.
func TestUndocumentedMethodReported(t *testing.T) {
	srv, err := NewServer(testConfig(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustRegister(t, srv, "dummy", undocumented{})
	mustRegister(t, srv, "web3", NewWeb3API(testVersion))
	key := typeKey(reflect.TypeFor[*Web3API]()) + ".ClientVersion"
	srv.SetDocs(&Docs{Methods: map[string]MethodDoc{key: {Doc: "The version."}}})
	for _, m := range srv.Discover().Methods {
		if m.Name == "rpc_discover" && m.Description != "" {
			t.Errorf("rpc_discover documented without docs: %q", m.Description)
		}
	}
	got := strings.Join(srv.Undocumented(), "\n")
	for _, want := range []string{
		`dummy_ping: no description (a doc comment saying more than "Foo is ns_foo"), no name of parameter arg0`,
		`dummy_subscribe("ticks"): no description (a doc comment saying more than "Foo is ns_foo"), no result schema`,
		"rpc_discover: no description",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Undocumented() lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "web3_clientVersion") || strings.Contains(got, "rpc_modules") {
		t.Errorf("documented methods reported:\n%s", got)
	}
}

// TestDiscoverOverTransports: rpc_discover is served over HTTP even when
// "rpc" is not in Config.Modules, and each endpoint describes what it serves.
func TestDiscoverOverTransports(t *testing.T) {
	ts := startServer(t, testConfig(t)) // modules web3, net; admin registered
	names := func(c *rpc.Client) []string {
		var d Document
		if err := c.Call(&d, "rpc_discover"); err != nil {
			t.Fatal(err)
		}
		if d.OpenRPC != OpenRPCVersion || d.Info.Title == "" {
			t.Fatalf("document header %q %+v", d.OpenRPC, d.Info)
		}
		var out []string
		for _, m := range d.Methods {
			out = append(out, m.Name)
		}
		return out
	}
	public := names(mustDial(t, ts.HTTPURL(), testToken))
	all := names(mustDialIPC(t, ts.IPCPath()))
	has := func(list []string, name string) bool {
		i := sort.SearchStrings(list, name)
		return i < len(list) && list[i] == name
	}
	for _, n := range []string{"rpc_discover", "rpc_modules", "web3_clientVersion", "net_version"} {
		if !has(public, n) || !has(all, n) {
			t.Errorf("%s: over HTTP %v, over IPC %v", n, has(public, n), has(all, n))
		}
	}
	if has(public, "admin_addPeer") || !has(all, "admin_addPeer") {
		t.Errorf("admin_addPeer: over HTTP %v (want false), over IPC %v (want true)", has(public, "admin_addPeer"), has(all, "admin_addPeer"))
	}
}

// TestDocumentIsJSON: the document encodes, with the OpenRPC essentials.
func TestDocumentIsJSON(t *testing.T) {
	d := buildDocument([]registration{{"x", shapes{}}}, nil)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"openrpc", "info", "methods", "components", "x-events"} {
		if m[k] == nil {
			t.Errorf("document lacks %q: %s", k, b)
		}
	}
	for _, m := range d.Methods {
		if m.Params == nil || m.Result == nil || m.Result.Schema == nil {
			t.Errorf("%s: params %v result %v", m.Name, m.Params, m.Result)
		}
	}
}
