package main

// The fixed prose of docs/API.md.

const intro = "statusd answers [JSON-RPC 2.0](https://www.jsonrpc.org/specification) with geth's conventions " +
	"(namespaces `web3_`, `net_`, `admin_`, `shh_`, …; positional parameters). This page is generated from the " +
	"[OpenRPC](https://spec.open-rpc.org) document that the node itself returns from `rpc_discover`, which in turn is " +
	"generated from the Go code: the methods and their parameter and result types by reflection on the services the " +
	"node registers, the descriptions and examples from their Go doc comments.\n\n" +
	"## Calling the API\n\n" +
	"| transport | address (`make run`) | authentication | namespaces |\n" +
	"|---|---|---|---|\n" +
	"| HTTP | `localhost:8545` | `Authorization: Bearer <token>`, the token in `data/rpc.token` | those of `--rpc.modules` |\n" +
	"| WebSocket | `ws://localhost:8546` | the same header | the same; the only remote transport for subscriptions |\n" +
	"| IPC | `data/statusd.ipc` (mode 0600) | file permissions | every namespace |\n\n" +
	"`rpc_discover` and go-ethereum's `rpc_modules` are served on every transport whatever `--rpc.modules` says, " +
	"so that a client can always learn what an endpoint offers. Each endpoint describes itself: over HTTP and " +
	"WebSocket the document lists the namespaces of `--rpc.modules`, over IPC all of them; this page shows the IPC " +
	"document of a node on the default configuration.\n\n" +
	"```sh\n" +
	"curl -s -H \"Authorization: Bearer $(cat data/rpc.token)\" \\\n" +
	"  -d '{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"rpc_discover\",\"params\":[]}' localhost:8545\n" +
	"```\n\n" +
	"Errors are JSON-RPC errors: -32602 for bad input (the message names the parameter or field), -32601 for an " +
	"unknown method or a namespace not served on that transport, -32000 for other failures, -32002 for a timeout. " +
	"Without the `Authorization` header HTTP answers 401."

const eventsIntro = "Events are pushed to subscribers: call `<namespace>_subscribe` with the event name and its " +
	"parameters over WebSocket or IPC (HTTP cannot push; poll a message filter instead, as in the common tasks). " +
	"The answer is a subscription ID; each event then arrives as a `<namespace>_subscription` notification whose " +
	"`params.result` is the payload below, until `<namespace>_unsubscribe(id)` or the connection closes.\n\n" +
	"In the OpenRPC document the events are listed under the `x-events` extension (OpenRPC has no notion of " +
	"server-pushed messages): one entry per subscription with its `name`, the `subscribe` and `notification` method " +
	"names, `params`, and the payload schema as `result`. `methods` lists the callable `<namespace>_subscribe` and " +
	"`<namespace>_unsubscribe` themselves."

const writingDocs = `## Writing the documentation

Everything above comes from the code, but the status-go v0.35 compatibility table, which is
internal/tools/apidoc/markdown/compat.md (a test checks it against the v0.35.1 method list in that
package's testdata and against the methods a node registers: change a row when a method changes). To
change the rest, edit Go doc comments and run ` + "`make docs`" + `
(` + "`go generate ./api`" + ` extracts the doc comments into api/apidocs, then ` + "`go run ./internal/tools/apidoc/markdown`" + `
rewrites this file). Tests fail when a registered method or event has no description, or when api/apidocs or
this file is stale.

- Every exported method of a registered service is an RPC method (go-ethereum's rules). Its doc comment is the
  description; a leading "Foo is ns_foo:" is dropped. Parameter names are the Go names (a one-letter name is
  replaced by the type's name). Unexported helpers on a service type never become methods; exported ones do.
- A subscription (a method returning ` + "`(*rpc.Subscription, error)`" + `) names its payload type with a line
  ` + "`Notification: T`" + ` (T in the same package, or ` + "`pkg.T`" + ` through the file's imports).
- A type with its own MarshalJSON/UnmarshalJSON cannot be described by reflection; list its members after a line
  ` + "`JSON fields:`" + `, one indented line each: ` + "`name type description`" + ` with type string, hex, integer,
  number, boolean or object, prefixed with ` + "`[]`" + ` for arrays.
- Examples close the doc comment:

      // Example: Create a symmetric key from a password
      //
      //	params: ["status-public-chat"]
      //	result: "d3d5ae8a1e0b1cc1e1c4aa6ea0cb7f4a2e9c7d8f1bd50c5ec1e3e4ab0aa7bc61"
      //	save: SYMKEY
      //	task: 5

  ` + "`params`" + ` is the JSON array sent, ` + "`result`" + ` an example answer (the notification payload for a
  subscription). ` + "`task: n`" + ` lists the example under "Common tasks" in order n; ` + "`save: NAME`" + ` stores
  its string result in a shell variable that later tasks use as ` + "`\"$NAME\"`" + ` inside their params. A
  variable the reader supplies (` + "`$PEER`" + `, another node's enode) is declared in givenVars in
  internal/tools/apidoc/markdown with how to get it. A test runs every common task with curl against a live
  node (and a second one for ` + "`$PEER`" + `).`
