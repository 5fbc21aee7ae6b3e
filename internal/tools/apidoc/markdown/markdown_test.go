package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/api"
	"github.com/statusnode/statusd/lib/testutil"
)

func startTestNode(t *testing.T, httpOn bool) (*api.Server, string) {
	t.Helper()
	dir := t.TempDir()
	c := docConfig(dir)
	if httpOn {
		c.HTTP.Enabled, c.HTTP.Port = true, 0
	}
	n, err := startNode(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	return n.RPC(), dir
}

// TestNodeDocumentation checks, on a real node, that every registered
// method and event is documented, that rpc_discover answers a well-formed
// OpenRPC document over IPC, and that docs/API.md is up to date.
func TestNodeDocumentation(t *testing.T) {
	srv, _ := startTestNode(t, false)
	doc := srv.Discover()
	if missing := api.Undocumented(doc); len(missing) > 0 {
		t.Errorf("registered but undocumented (write doc comments, then `make docs`):\n  %s", strings.Join(missing, "\n  "))
	}

	c, err := rpc.Dial(srv.IPCPath())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var raw json.RawMessage
	if err := c.CallContext(ctx, &raw, "rpc_discover"); err != nil {
		t.Fatal(err)
	}
	names := checkShape(t, raw)
	var modules map[string]string
	if err := c.CallContext(ctx, &modules, "rpc_modules"); err != nil {
		t.Fatal(err)
	}
	for ns := range modules {
		if !names[ns] {
			t.Errorf("namespace %s is registered but has no method in rpc_discover", ns)
		}
	}

	want, err := render(doc)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "docs", "API.md"))
	if err != nil || string(got) != string(want) {
		t.Errorf("docs/API.md differs from the rendered rpc_discover document (%v); run `make docs`", err)
	}
}

// checkShape checks the OpenRPC essentials of an rpc_discover answer and
// returns the namespaces of its methods.
func checkShape(t *testing.T, raw json.RawMessage) map[string]bool {
	t.Helper()
	var d struct {
		OpenRPC string `json:"openrpc"`
		Info    struct {
			Title, Version string
		} `json:"info"`
		Methods []struct {
			Name   string            `json:"name"`
			Params []json.RawMessage `json:"params"`
			Result *struct {
				Name   string          `json:"name"`
				Schema json.RawMessage `json:"schema"`
			} `json:"result"`
		} `json:"methods"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		t.Fatalf("rpc_discover: %v", err)
	}
	if d.OpenRPC != api.OpenRPCVersion || d.Info.Title == "" || d.Info.Version == "" || len(d.Methods) == 0 {
		t.Fatalf("rpc_discover: openrpc %q, info %+v, %d methods", d.OpenRPC, d.Info, len(d.Methods))
	}
	names := map[string]bool{}
	for _, m := range d.Methods {
		if m.Name == "" || m.Params == nil || m.Result == nil || m.Result.Name == "" || len(m.Result.Schema) == 0 {
			t.Errorf("method %q: params %v, result %+v", m.Name, m.Params, m.Result)
		}
		ns, _, _ := strings.Cut(m.Name, "_")
		names[ns] = true
	}
	return names
}

// TestCommonTasksRunWithCurl runs the "Common tasks" of docs/API.md, as
// written, with curl and sh against a live node: the only change is the
// port. The message posted must come back through the filter.
func TestCommonTasksRunWithCurl(t *testing.T) {
	for _, tool := range []string{"curl", "sh", "sed"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	srv, dir := startTestNode(t, true)
	ts, err := tasks(srv.Discover())
	if err != nil {
		t.Fatal(err)
	}
	port := srv.HTTPURL()[strings.LastIndex(srv.HTTPURL(), ":")+1:]
	// The second node of $PEER, in the data directory the docs name.
	c2 := docConfig(dir)
	c2.DataDir = filepath.Join(dir, secondDataDir)
	c2.HTTP.Enabled, c2.HTTP.Port = true, 0
	second, err := startNode(c2)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { second.Stop() })
	var script strings.Builder
	script.WriteString("set -e\n")
	for name, g := range givenVars {
		read := strings.ReplaceAll(g.read, secondEndpoint, strings.TrimPrefix(second.RPC().HTTPURL(), "http://"))
		fmt.Fprintf(&script, "%s\n[ -n \"$%s\" ]\n", read, name)
	}
	script.WriteString("echo '=== setup done'\n")
	for i, tk := range ts {
		cmd := strings.ReplaceAll(curlCommand(tk.method, tk.ex), endpoint, "localhost:"+port)
		fmt.Fprintf(&script, "echo '=== %d %s'\n%s\necho\n", i+1, tk.method, cmd)
	}
	sh := exec.Command("sh", "-c", script.String())
	sh.Dir = dir
	out, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	_, tasksOut, ok := strings.Cut(string(out), "=== setup done\n")
	if !ok {
		t.Fatalf("setup failed:\n%s", out)
	}
	outputs := strings.Split(tasksOut, "=== ")[1:]
	if len(outputs) != len(ts) {
		t.Fatalf("%d outputs for %d tasks:\n%s", len(outputs), len(ts), out)
	}
	for i, o := range outputs {
		name, body, _ := strings.Cut(o, "\n")
		body = strings.TrimSpace(body)
		if ts[i].ex.Save != "" && body != "" && !strings.Contains(body, "{") {
			continue // the saved string result, echoed
		}
		if !strings.Contains(body, `"result"`) || strings.Contains(body, `"error"`) {
			t.Errorf("task %s: %s", name, body)
		}
	}
	output := func(method string) string {
		for _, o := range outputs {
			if name, _, _ := strings.Cut(o, "\n"); strings.HasSuffix(name, " "+method) {
				return o
			}
		}
		t.Fatalf("no task calls %s", method)
		return ""
	}
	if o := output("shh_getFilterMessages"); !strings.Contains(o, `"payload":"0x68656c6c6f"`) {
		t.Errorf("the posted message did not come back through the filter:\n%s", o)
	}
	if o := output("statusd_messages"); !strings.Contains(o, `"text":"hello from curl"`) {
		t.Errorf("the sent text is not in the chat:\n%s", o)
	}
	if o := output("statusd_deliveryState"); !strings.Contains(o, `"state":"`) {
		t.Errorf("no named delivery state:\n%s", o)
	}
	// Task 3 added the second node, which therefore connects.
	testutil.WaitFor(t, 10*time.Second, "the peer of task 3 to connect", func() bool { return second.P2P().PeerCount() == 1 })
}
