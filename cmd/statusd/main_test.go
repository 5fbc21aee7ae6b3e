package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statusnode/statusd/internal/version"
)

func runCmd(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, func(k string) string { return env[k] }, &out, &errb, nil)
	return code, out.String(), errb.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, nil, "version")
	if code != 0 || !strings.Contains(out, version.Version) || !strings.Contains(out, "commit ") || !strings.Contains(out, "go") {
		t.Fatalf("version: %d %q", code, out)
	}
}

// TestExampleConfigMatchesDumpconfig keeps configs/statusd.example.toml equal
// to `statusd dumpconfig` on the defaults (regenerate with `make configs`).
func TestExampleConfigMatchesDumpconfig(t *testing.T) {
	code, out, errs := runCmd(t, nil, "dumpconfig")
	if code != 0 {
		t.Fatalf("dumpconfig: %d %s", code, errs)
	}
	want, err := os.ReadFile(filepath.Join("..", "..", "configs", "statusd.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if out != string(want) {
		t.Fatalf("configs/statusd.example.toml differs from dumpconfig; run `make configs`")
	}
}

func TestDumpconfigShowsEffectiveConfig(t *testing.T) {
	code, out, _ := runCmd(t, map[string]string{"STATUSD_MAXPEERS": "7"}, "--http.port", "9999", "dumpconfig")
	if code != 0 || !strings.Contains(out, "port = 9999") || !strings.Contains(out, "maxpeers = 7") {
		t.Fatalf("dumpconfig: %d\n%s", code, out)
	}
}

// TestHelpAndVersion: `statusd help`, --help and -h print the commands and
// every flag to stdout; --version and `version` print the version; a wrong
// flag says where to look.
func TestHelpAndVersion(t *testing.T) {
	for _, tc := range []struct {
		args      []string
		code      int
		out, errs []string
	}{
		{[]string{"help"}, 0, []string{"statusd dumpconfig [flags]", "statusd version", "statusd help", "-http.addr", "STATUSD_HTTP_ADDR"}, nil},
		{[]string{"--help"}, 0, []string{"statusd dumpconfig [flags]", "-datadir"}, nil},
		{[]string{"-h"}, 0, []string{"statusd version"}, nil},
		{[]string{"--version"}, 0, []string{version.Version, "commit "}, nil},
		{[]string{"version"}, 0, []string{version.Version, "commit "}, nil},
		{[]string{"--frob"}, 2, nil, []string{"flag provided but not defined: -frob", "Run 'statusd --help' for the commands and flags."}},
		{[]string{"frobnicate"}, 2, nil, []string{`unknown command "frobnicate" (commands: dumpconfig, version, account, help; run 'statusd help')`}},
		{[]string{"--http", "--http.addr", "0.0.0.0"}, 2, nil, []string{"statusd: config: invalid: --http.addr 0.0.0.0 is reachable from other machines and JSON-RPC there would travel in clear text, token included: " +
			"serve TLS with --http.tls.cert and --http.tls.key, or pass --http.insecure to allow it (e.g. behind a TLS reverse proxy)\n"}},
	} {
		code, out, errs := runCmd(t, nil, tc.args...)
		if code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, errs)
		}
		for _, w := range tc.out {
			if !strings.Contains(out, w) {
				t.Errorf("%v: stdout lacks %q:\n%s", tc.args, w, out)
			}
		}
		for _, w := range tc.errs {
			if !strings.Contains(errs, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tc.args, w, errs)
			}
		}
	}
}

func TestUsageErrors(t *testing.T) {
	if code, _, errs := runCmd(t, nil, "frobnicate"); code != 2 || !strings.Contains(errs, "unknown command") {
		t.Fatalf("unknown command: %d %s", code, errs)
	}
	if code, _, _ := runCmd(t, nil, "-h"); code != 0 {
		t.Fatalf("-h: %d", code)
	}
}

func TestReadPassword(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "pw")
	os.WriteFile(f, []byte("secret\n"), 0o600)
	if pw, err := readPassword(f, func(string) string { return "env" }); err != nil || pw != "secret" {
		t.Fatalf("file: %q %v", pw, err)
	}
	if pw, err := readPassword("", func(string) string { return "env" }); err != nil || pw != "env" {
		t.Fatalf("env: %q %v", pw, err)
	}
	os.WriteFile(f, []byte("\n"), 0o600)
	if _, err := readPassword(f, func(string) string { return "" }); err == nil {
		t.Fatal("empty password file accepted")
	}
	if _, err := readPassword(filepath.Join(dir, "missing"), func(string) string { return "" }); err == nil {
		t.Fatal("missing password file accepted")
	}
}
