package config

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func noEnv(string) string { return "" }

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func writeFile(t *testing.T, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "statusd.toml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestDefaultsValidate(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("defaults do not validate: %v", err)
	}
	if got := c.IPCPath(); got != filepath.Join("data", "statusd.ipc") {
		t.Fatalf("IPCPath = %q", got)
	}
	c.IPC.Disable = true
	if c.IPCPath() != "" {
		t.Fatal("disabled IPC still has a path")
	}
}

func TestEverySettingHasFlagEnvAndComment(t *testing.T) {
	c := Default()
	settings := Settings(&c)
	if len(settings) != len(flagNames()) {
		t.Fatalf("%d settings but %d flag names", len(settings), len(flagNames()))
	}
	seen := map[string]bool{}
	for _, s := range settings {
		if seen[s.Flag] {
			t.Errorf("flag %s used twice", s.Flag)
		}
		seen[s.Flag] = true
		if s.Usage == "" || !strings.HasPrefix(s.Env, "STATUSD_") {
			t.Errorf("setting %s lacks usage or env: %+v", s.Key, s)
		}
	}
	// The comment of each field names its own flag.
	var check func(t reflect.Type, prefix string)
	check = func(typ reflect.Type, prefix string) {
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			key := prefix + f.Tag.Get("toml")
			if f.Type.Kind() == reflect.Struct {
				check(f.Type, key+".")
				continue
			}
			if want := "(flag --" + flagNames()[key]; !strings.Contains(f.Tag.Get("comment"), want) {
				t.Errorf("comment of %s does not contain %q", key, want)
			}
		}
	}
	check(reflect.TypeOf(Config{}), "")
}

func TestPrecedenceFileEnvFlag(t *testing.T) {
	path := writeFile(t, "datadir = 'fromfile'\n[p2p]\nport = 1111\nmaxpeers = 3\n[http]\nport = 2222\n")
	env := envMap(map[string]string{"STATUSD_PORT": "3333", "STATUSD_HTTP_PORT": "4444"})
	res, err := Load([]string{"--config", path, "--http.port", "5555", "--nodiscover", "--bootnodes", "a, b,,"}, env, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c := res.Config
	if c.DataDir != "fromfile" || c.P2P.MaxPeers != 3 {
		t.Errorf("file values not applied: %+v", c)
	}
	if c.P2P.Port != 3333 {
		t.Errorf("env did not override file: port %d", c.P2P.Port)
	}
	if c.HTTP.Port != 5555 {
		t.Errorf("flag did not override env: http.port %d", c.HTTP.Port)
	}
	if !c.P2P.NoDiscover || !reflect.DeepEqual(c.P2P.BootNodes, []string{"a", "b"}) {
		t.Errorf("flags not applied: %+v", c.P2P)
	}
	if res.File != path {
		t.Errorf("File = %q", res.File)
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	path := writeFile(t, "[log]\nlevel = 'debug'\n")
	res, err := Load(nil, envMap(map[string]string{"STATUSD_CONFIG": path, "STATUSD_PASSWORD_FILE": "/pw", "STATUSD_HTTP": "true"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if res.Config.Log.Level != "debug" || res.Config.PasswordFile != "/pw" || !res.Config.HTTP.Enabled {
		t.Fatalf("environment not applied: %+v", res.Config)
	}
}

func TestDataSyncRetainIDs(t *testing.T) {
	res, err := Load(nil, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Config.DataSync.RetainIDs; got != "168h" {
		t.Fatalf("default --datasync.retainids %q, want 168h (a week)", got)
	}
	res, err = Load(nil, envMap(map[string]string{"STATUSD_DATASYNC_RETAINIDS": "36h"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Config.DataSync.RetainIDs; got != "36h" {
		t.Fatalf("STATUSD_DATASYNC_RETAINIDS not applied: %q", got)
	}
}

func TestCommandAndFlagsAfterIt(t *testing.T) {
	res, err := Load([]string{"--datadir", "x", "dumpconfig", "--port", "0", "extra"}, noEnv, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if res.Command != "dumpconfig" || res.Config.DataDir != "x" || res.Config.P2P.Port != 0 || !reflect.DeepEqual(res.Args, []string{"extra"}) {
		t.Fatalf("got %+v", res)
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		name string
		file string
		args []string
		env  map[string]string
		want []string
	}{
		{name: "unknown key names key and line", file: "datadir = 'x'\n\n[p2p]\nprot = 1\n", want: []string{"line 4", `unknown key "p2p.prot"`}},
		{name: "unknown section", file: "[nope]\nx = 1\n", want: []string{"line 1", `unknown key "nope"`}},
		{name: "malformed toml", file: "datadir = 'x\n", want: []string{"line 1"}},
		{name: "wrong type", file: "[p2p]\nport = 'abc'\n", want: []string{"line 2"}},
		{name: "bad port flag", args: []string{"--port", "abc"}, want: []string{"--port", "not an integer"}},
		{name: "port out of range", args: []string{"--http.port", "70000"}, want: []string{"--http.port"}},
		{name: "bad env", env: map[string]string{"STATUSD_MAXPEERS": "many"}, want: []string{"STATUSD_MAXPEERS"}},
		{name: "bad log level", args: []string{"--log.level", "loud"}, want: []string{"--log.level"}},
		{name: "missing file", args: []string{"--config", "/nonexistent/statusd.toml"}, want: []string{"/nonexistent/statusd.toml"}},
		{name: "unknown flag", args: []string{"--bogus"}, want: []string{"bogus"}},
		{name: "ens.rpc not a URL", args: []string{"--ens.rpc", "localhost:8545"}, want: []string{"--ens.rpc", "http://"}},
		{name: "ens.rpc from env", env: map[string]string{"STATUSD_ENS_RPC": "ftp://x"}, want: []string{"--ens.rpc"}},
		{name: "datasync.retainids not a duration", args: []string{"--datasync.retainids", "7d"}, want: []string{"--datasync.retainids", "positive duration"}},
		{name: "datasync.retainids zero", file: "[datasync]\nretainids = '0s'\n", want: []string{"--datasync.retainids"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.file != "" {
				args = append([]string{"--config", writeFile(t, tc.file)}, args...)
			}
			_, err := Load(args, envMap(tc.env), io.Discard)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestHelp(t *testing.T) {
	var out bytes.Buffer
	_, err := Load([]string{"-h"}, noEnv, &out)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"-http.addr", "STATUSD_HTTP_ADDR", "-config"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("usage lacks %q", want)
		}
	}
}

func TestDumpRoundTrip(t *testing.T) {
	c := Default()
	c.P2P.StaticNodes = []string{"enode://x@127.0.0.1:1"}
	c.HTTP.Enabled = true
	var buf bytes.Buffer
	if err := Dump(&buf, &c); err != nil {
		t.Fatal(err)
	}
	back := Default()
	if err := Decode("dump", buf.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(c, back) {
		t.Fatalf("round trip differs:\n%+v\n%+v", c, back)
	}
}

// TestClearTextRPCBeyondLoopbackRefused: a non-loopback HTTP or WS address
// needs TLS or --http.insecure, and the refusal names both.
func TestClearTextRPCBeyondLoopbackRefused(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // "" = accepted
	}{
		{[]string{"--http", "--http.addr", "0.0.0.0"}, "--http.addr 0.0.0.0 is reachable from other machines"},
		{[]string{"--ws", "--ws.addr", "192.0.2.1"}, "--ws.addr 192.0.2.1 is reachable from other machines"},
		{[]string{"--http", "--http.addr", "0.0.0.0", "--http.insecure"}, ""},
		{[]string{"--http", "--http.addr", "0.0.0.0", "--http.tls.cert", "c.pem", "--http.tls.key", "k.pem"}, ""},
		{[]string{"--http", "--http.addr", "localhost"}, ""},
		{[]string{"--http", "--http.addr", "::1"}, ""},
		{[]string{"--http.addr", "0.0.0.0"}, ""}, // HTTP off
		{[]string{"--http.tls.cert", "c.pem"}, "--http.tls.cert and --http.tls.key go together"},
	} {
		_, err := Load(tc.args, func(string) string { return "" }, io.Discard)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%v: %v", tc.args, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		case tc.want != "" && strings.Contains(tc.want, "reachable") && !strings.Contains(err.Error(), "pass --http.insecure to allow it"):
			t.Errorf("%v: the message does not name --http.insecure: %v", tc.args, err)
		}
	}
}

// TestMailServerConfirmationsSetting: off by default, as status-go's
// MailServerConfirmations; the flag and its environment variable set it.
func TestMailServerConfirmationsSetting(t *testing.T) {
	if Default().Mailserver.Confirmations {
		t.Fatal("mailserver confirmations on by default")
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
	}{
		{args: []string{"--mailserver.confirmations"}},
		{env: map[string]string{"STATUSD_MAILSERVER_CONFIRMATIONS": "true"}},
	} {
		res, err := Load(tc.args, envMap(tc.env), io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Config.Mailserver.Confirmations {
			t.Errorf("%v %v: confirmations not set", tc.args, tc.env)
		}
	}
}
