// Command markdown writes docs/API.md: it starts a throw-away statusd node
// (temporary data directory, no network listeners but devp2p on a free
// loopback port), takes the OpenRPC document that rpc_discover answers over
// IPC, and renders it. `make docs` runs it after regenerating api/apidocs;
// a test fails when docs/API.md differs from its output.
//
// It is a separate command from internal/tools/apidoc because it links the
// node, and so api/apidocs: the extractor must build even when that
// generated file is stale.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/fleet"
	"github.com/statusnode/statusd/internal/node"
)

func main() {
	out := flag.String("o", "docs/API.md", "output file")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "markdown:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	dir, err := os.MkdirTemp("", "statusd-apidoc-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	n, err := startNode(docConfig(dir))
	if err != nil {
		return err
	}
	doc := n.RPC().Discover()
	if err := n.Stop(); err != nil {
		return err
	}
	md, err := render(doc)
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(out); err == nil && bytes.Equal(old, md) {
		return nil
	}
	return os.WriteFile(out, md, 0o644)
}

// docConfig is the configuration the document is taken from: the defaults
// (so the namespaces of `make run`) with the data directory in dir, no
// HTTP or WS listener, devp2p on a free port without discovery or fleet,
// and no SNTP queries.
func docConfig(dir string) config.Config {
	c := config.Default()
	c.DataDir = filepath.Join(dir, "data")
	c.LightKDF = true
	c.P2P.Port = 0
	c.P2P.NoDiscover = true
	c.HTTP.Enabled, c.WS.Enabled = false, false
	c.NTP.Enabled, c.Fleet = false, fleet.None
	return c
}

// startNode starts a node on c; the caller stops it.
func startNode(c config.Config) (*node.Node, error) {
	n, err := node.New(node.Options{Config: c, Password: "apidoc", P2PListenHost: "127.0.0.1"})
	if err != nil {
		return nil, err
	}
	if err := n.Start(); err != nil {
		return nil, err
	}
	return n, nil
}
