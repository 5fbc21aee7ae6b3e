package main

import (
	"crypto/ecdsa"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/fleet"
	"github.com/statusnode/statusd/internal/node"
)

// readmeTable returns the rows of the first Markdown table after the line
// that starts with heading, as cells.
func readmeTable(t *testing.T, heading string) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	i := strings.Index(text, heading)
	if i < 0 {
		t.Fatalf("README.md has no %q", heading)
	}
	var rows [][]string
	inTable := false
	for _, line := range strings.Split(text[i:], "\n") {
		if !strings.HasPrefix(line, "|") {
			if inTable {
				break
			}
			continue
		}
		inTable = true
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for j := range cells {
			cells[j] = strings.TrimSpace(cells[j])
		}
		if strings.HasPrefix(cells[0], "---") {
			continue
		}
		rows = append(rows, cells)
	}
	return rows[1:] // without the header
}

var (
	flagRef = regexp.MustCompile("`--([a-z0-9.]+)")
	envRef  = regexp.MustCompile("`(STATUSD_[A-Z0-9_]+)`")
)

// TestREADMEFlagTable: the Configuration table of README.md lists every
// flag statusd defines with its environment variable, in the same order
// within a row, and nothing else.
func TestREADMEFlagTable(t *testing.T) {
	want := map[string]string{"config": "STATUSD_CONFIG"}
	defaults := config.Default()
	for _, s := range config.Settings(&defaults) {
		want[s.Flag] = s.Env
	}
	got := map[string]string{}
	for _, row := range readmeTable(t, "| flag | environment |") {
		flags, envs := flagRef.FindAllStringSubmatch(row[0], -1), envRef.FindAllStringSubmatch(row[1], -1)
		if len(flags) == 0 || len(flags) != len(envs) {
			t.Errorf("row %q: %d flags, %d environment variables", row[0], len(flags), len(envs))
			continue
		}
		for i, f := range flags {
			got[f[1]] = envs[i][1]
		}
	}
	for f, env := range want {
		if got[f] != env {
			t.Errorf("--%s: README says %q, statusd uses %q", f, got[f], env)
		}
	}
	for f := range got {
		if _, ok := want[f]; !ok {
			t.Errorf("README lists --%s, which statusd does not define", f)
		}
	}
}

// TestREADMEDataDirectory: the data-directory table of README.md names
// exactly what a first start creates (with discovery and the mailserver
// on, which add nodes/ and mailserver/) once a peer has been added (which
// adds peers.json). It dials nothing beyond loopback: no fleet, no SNTP.
func TestREADMEDataDirectory(t *testing.T) {
	c := config.Default()
	c.DataDir = filepath.Join(t.TempDir(), "data")
	c.LightKDF = true
	c.Fleet, c.NTP.Enabled = fleet.None, false
	c.P2P.Port = 0
	c.HTTP.Enabled, c.HTTP.Port = true, 0
	c.Mailserver.Enabled = true
	n, err := node.New(node.Options{Config: c, Password: "pw", Log: zaptest.NewLogger(t), P2PListenHost: "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(); err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	n.P2P().AddPeer(enode.NewV4(&mustKey(t).PublicKey, net.IPv4(127, 0, 0, 1), 1, 1))
	entries, err := os.ReadDir(c.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	var created []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			name += "/"
		}
		created = append(created, name)
	}
	var documented []string
	for _, row := range readmeTable(t, "| file | what |") {
		name := strings.Trim(row[0], "`")
		if dir, _, ok := strings.Cut(name, "/"); ok {
			name = dir + "/"
		}
		documented = append(documented, name)
	}
	sort.Strings(created)
	sort.Strings(documented)
	if strings.Join(created, " ") != strings.Join(documented, " ") {
		t.Fatalf("a first start creates %q; README.md documents %q", created, documented)
	}
}

func mustKey(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
