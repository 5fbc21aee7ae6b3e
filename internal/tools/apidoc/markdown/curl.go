package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/statusnode/statusd/api"
)

// The endpoint and token of a node started with `make run`.
const (
	endpoint  = "localhost:8545"
	authFlags = `-H "Authorization: Bearer $(cat data/rpc.token)"`
)

// The second node of the common tasks: its port and data directory, as
// the setup of givenVars starts it.
const (
	secondEndpoint = "localhost:8555"
	secondDataDir  = "data2"
)

// givenVars are shell variables that the reader sets before the first task
// using them: why says what the variable is, start how to run a second
// node in another terminal ("" when an earlier variable started it), what
// the value read is, read the command that sets the variable from it. The
// tasks test runs read against a second live node.
var givenVars = map[string]struct{ why, start, what, read string }{
	"PEER": {
		why: "`PEER` is the enode URL of another node, which `admin_nodeInfo` (task 2) or `statusctl info` on it shows " +
			"(never a made-up one: the node would redial it for ever). To try it on this machine, start a second node",
		start: `STATUSD_PASSWORD=statusd-dev-password build/statusd --datadir ` + secondDataDir + ` --port 30304 --http --http.port 8555`,
		what:  "enode",
		read: `PEER=$(curl -s -H "Authorization: Bearer $(cat ` + secondDataDir + `/rpc.token)" \
  -d '{"jsonrpc":"2.0","id":1,"method":"admin_nodeInfo","params":[]}' ` + secondEndpoint + ` \
  | sed -n 's/.*"enode":"\([^"]*\)".*/\1/p'); echo "$PEER"`,
	},
	"FRIEND": {
		why: "`FRIEND` is the chat key of another person's node, which `statusd_chatKey` (task 13) or `statusctl info` on it " +
			"shows. To try it on this machine, use the second node started for `PEER`",
		what: "chat key",
		read: `FRIEND=$(curl -s -H "Authorization: Bearer $(cat ` + secondDataDir + `/rpc.token)" \
  -d '{"jsonrpc":"2.0","id":1,"method":"statusd_chatKey","params":[]}' ` + secondEndpoint + ` \
  | sed -n 's/.*"result":"\([^"]*\)".*/\1/p'); echo "$FRIEND"`,
	},
}

// shellVar finds the $NAME references that examples use to chain tasks.
var shellVar = regexp.MustCompile(`\$([A-Z][A-Z0-9_]*)`)

// requestBody is the JSON-RPC request of an example.
func requestBody(method string, ex *api.ExamplePairing) string {
	params := make([]string, len(ex.Params))
	for i, p := range ex.Params {
		params[i] = string(p.Value)
	}
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":%q,"params":[%s]}`, method, strings.Join(params, ","))
}

// curlCommand is a shell command that runs the example against a node
// started with `make run`. The body is single-quoted; a $NAME reference is
// spliced in as '"$NAME"' so that the shell expands it. With Save, the
// string result is stored in that variable and printed.
func curlCommand(method string, ex *api.ExamplePairing) string {
	body := shellVar.ReplaceAllString(requestBody(method, ex), `'"$$$1"'`)
	cmd := fmt.Sprintf("curl -s %s \\\n  -d '%s' %s", authFlags, body, endpoint)
	if ex.Save == "" {
		return cmd
	}
	return fmt.Sprintf("%s=$(%s \\\n  | sed -n 's/.*\"result\":\"\\([^\"]*\\)\".*/\\1/p'); echo \"$%s\"", ex.Save, cmd, ex.Save)
}

// answer is the JSON-RPC response of an example.
func answer(ex *api.ExamplePairing) string {
	return fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"result":%s}`, ex.Result.Value)
}

// task is a common task: an example with its method.
type task struct {
	method string
	ex     *api.ExamplePairing
}

// tasks lists the examples with x-task, in order, and checks that each
// $NAME is saved by an earlier task and that saved results are strings.
func tasks(doc *api.Document) ([]task, error) {
	var out []task
	for _, m := range doc.Methods {
		for _, ex := range m.Examples {
			if ex.Task > 0 {
				out = append(out, task{m.Name, ex})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ex.Task < out[j].ex.Task })
	saved := map[string]bool{}
	for name := range givenVars {
		saved[name] = true
	}
	for i, t := range out {
		if i > 0 && out[i-1].ex.Task == t.ex.Task {
			return nil, fmt.Errorf("tasks %s and %s share number %d", out[i-1].method, t.method, t.ex.Task)
		}
		for _, m := range shellVar.FindAllStringSubmatch(requestBody(t.method, t.ex), -1) {
			if !saved[m[1]] {
				return nil, fmt.Errorf("%s example %q uses $%s, which no earlier task saves", t.method, t.ex.Name, m[1])
			}
		}
		if t.ex.Save != "" {
			var s string
			if err := json.Unmarshal(t.ex.Result.Value, &s); err != nil {
				return nil, fmt.Errorf("%s example %q saves a result that is not a string", t.method, t.ex.Name)
			}
			saved[t.ex.Save] = true
		}
	}
	return out, nil
}

// typeName is a short Markdown rendering of a schema's type.
func typeName(s *api.Schema) string {
	switch {
	case s == nil:
		return "—"
	case strings.HasPrefix(s.Ref, "http"):
		return fmt.Sprintf("[%s](%s)", s.Description, s.Ref)
	case s.Ref != "":
		name := strings.TrimPrefix(s.Ref, "#/components/schemas/")
		return fmt.Sprintf("[`%s`](#%s)", name, anchor(name))
	case len(s.AllOf) == 1:
		return typeName(s.AllOf[0])
	case s.Type == "array":
		return typeName(s.Items) + " array"
	case s.Type == "object" && s.AdditionalProperties != nil:
		return "object of " + typeName(s.AdditionalProperties)
	case s.Type == "string" && s.Pattern != "":
		return "string `" + s.Pattern + "`"
	case len(s.Enum) > 0:
		return "`\"" + strings.Join(s.Enum, "\"` \\| `\"") + "\"`"
	case s.Type == "":
		return "any"
	case s.Format != "":
		return s.Type + " (" + s.Format + ")"
	}
	return s.Type
}

// anchor is GitHub's anchor of a heading text: lower case, punctuation
// other than - and _ dropped.
func anchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

// oneLine folds a description into a table cell.
func oneLine(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", "\\|")
}
