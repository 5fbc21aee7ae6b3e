// Command apidoc extracts the documentation of statusd's JSON-RPC services
// from their Go source and writes it as a Go file (package apidocs) that the
// node hands to api.Server.SetDocs, so that rpc_discover can describe every
// method with its doc comment. It is run by `go generate ./api` (see
// api/discover.go) and by `make docs`, which then renders docs/API.md with
// ./internal/tools/apidoc/markdown.
//
// It parses every package under -dir (test files excluded) with go/parser and
// go/doc, and keeps, keyed by import path, type and method name:
//
//   - each exported method's doc comment and parameter names,
//   - the doc comments of the types those methods use (and of the types their
//     fields use, within the module) and of their struct fields,
//   - the annotations that close a doc comment: "Example:" blocks,
//     "Notification: T" lines (the payload type of a subscription) and
//     "JSON fields:" blocks (the members of a custom-encoded type).
//     docs/API.md ("Writing documentation") describes their syntax.
//
// Which methods are RPC methods is not decided here: rpc_discover finds them
// by reflection on the registered services, and reports any without docs.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	dir := flag.String("dir", ".", "directory whose packages (recursively) hold the services")
	out := flag.String("out", "", "output Go file (default: stdout)")
	flag.Parse()
	src, err := generate(*dir, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apidoc:", err)
		os.Exit(1)
	}
	if *out == "" {
		os.Stdout.Write(src)
		return
	}
	if old, err := os.ReadFile(*out); err == nil && bytes.Equal(old, src) {
		return
	}
	if err := os.MkdirAll(filepath.Dir(*out), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "apidoc:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, src, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "apidoc:", err)
		os.Exit(1)
	}
}

// generate loads the packages under dir and returns the Go source of the
// apidocs package; out (which may be "") is excluded from the scan.
func generate(dir, out string) ([]byte, error) {
	l, err := newLoader(dir)
	if err != nil {
		return nil, err
	}
	skip := ""
	if out != "" {
		if skip, err = filepath.Abs(filepath.Dir(out)); err != nil {
			return nil, err
		}
	}
	if err := l.loadTree(dir, skip); err != nil {
		return nil, err
	}
	cat, err := l.catalog()
	if err != nil {
		return nil, err
	}
	return emit(cat, filepath.Base(filepath.Dir(absOr(out))))
}

func absOr(p string) string {
	if p == "" {
		return "apidocs/x.go"
	}
	a, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	return a
}
