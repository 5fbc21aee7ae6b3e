package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/identity"
	"github.com/statusnode/statusd/protocol/identity/bip39"
)

// knownPhrase and its chat key and wallet address as status-go v0.35.1
// derived them (protocol/identity/account/testdata).
const (
	knownPhrase   = "legal winner thank year wave sausage worth useful legal winner thank yellow"
	knownChatKey  = "0x043caf8e6901ac688a87a019ab863a85e9a6e6a8ff85ad730f09259f277f98399ef19a3952654d3ce1ff661b5ab8e3c69fb99189678e52ad00f5b0f8fd36481600"
	knownWallet   = "0x58A57ed9d8d624cBD12e2C467D34787555bB1b25"
	knownPassword = "account test password"
)

type accountRun struct {
	code           int
	stdout, stderr string
}

// runAccount drives `statusd --datadir dir --lightkdf <args>` with stdin.
func runAccount(t *testing.T, dir, stdin string, args ...string) accountRun {
	t.Helper()
	var out, errb bytes.Buffer
	env := map[string]string{"STATUSD_PASSWORD": knownPassword}
	full := append([]string{"--datadir", dir, "--lightkdf"}, args...)
	code, ok := runAccountCommand(full, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
	if !ok {
		t.Fatalf("%v: not handled as an account command", args)
	}
	return accountRun{code, out.String(), errb.String()}
}

// assertNoPhrase fails if any word of phrase longer than three letters shows
// in the texts (the output, the errors, the files written).
func assertNoPhrase(t *testing.T, phrase string, texts ...string) {
	t.Helper()
	for _, text := range texts {
		for _, w := range strings.Fields(phrase) {
			if len(w) > 3 && regexp.MustCompile(`\b`+w+`\b`).MatchString(text) {
				t.Fatalf("the phrase's word %q leaked into:\n%s", w, text)
			}
		}
	}
}

// assertNoPhrasePairs fails if any two neighbouring words of a random
// phrase show in the texts, one after the other with anything but letters
// between them. Single words are not looked for: the BIP-39 list holds
// words such as "version", "address" and "salt" that a keystore file or a
// log line holds whatever the phrase (assertNoPhrase is for fixed
// phrases, whose words such texts do not hold).
func assertNoPhrasePairs(t *testing.T, phrase string, texts ...string) {
	t.Helper()
	words := strings.Fields(phrase)
	for _, text := range texts {
		for i := 1; i < len(words); i++ {
			if regexp.MustCompile(`\b` + words[i-1] + `[^a-z]+` + words[i] + `\b`).MatchString(text) {
				t.Fatalf("the phrase's words %q %q leaked into:\n%s", words[i-1], words[i], text)
			}
		}
	}
}

// keystoreText returns every file under dir/keystore, concatenated.
func keystoreText(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	entries, _ := os.ReadDir(filepath.Join(dir, "keystore"))
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, "keystore", e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
	}
	return b.String()
}

func TestAccountImportKnownPhrase(t *testing.T) {
	for _, viaFile := range []bool{false, true} {
		dir := t.TempDir()
		var r accountRun
		if viaFile {
			f := filepath.Join(t.TempDir(), "phrase")
			os.WriteFile(f, []byte("  "+strings.ToUpper(knownPhrase)+"\n"), 0o600)
			r = runAccount(t, dir, "", "account", "import", "--phrase-file", f)
		} else {
			r = runAccount(t, dir, knownPhrase+"\n", "account", "import")
		}
		if r.code != 0 {
			t.Fatalf("import: %d %s", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "chat key:       "+knownChatKey) || !strings.Contains(r.stdout, knownWallet) {
			t.Fatalf("import output:\n%s", r.stdout)
		}
		assertNoPhrase(t, knownPhrase, r.stdout, r.stderr, keystoreText(t, dir))
		acc, created, err := identity.LoadOrCreateAccount(filepath.Join(dir, "keystore"), knownPassword, identity.KDFLight)
		if err != nil || created {
			t.Fatalf("node cannot unlock the imported account: %v %v", created, err)
		}
		if got := fmt.Sprintf("%#x", crypto.FromECDSAPub(&acc.PrivateKey.PublicKey)); got != knownChatKey {
			t.Fatalf("keystore holds %s, want the chat key", got)
		}
	}
}

func TestAccountImportRefusesBadPhrases(t *testing.T) {
	cases := []struct {
		name, phrase, says string
	}{
		{"checksum", "legal winner thank year wave sausage worth useful legal winner thank thank", "checksum does not match"},
		{"unknown word", "legal winner thank year wave sausage worth usefull legal winner thank yellow", "word 8 is not in the English word list"},
		{"count", "legal winner thank year wave sausage worth useful legal winner thank", "12, 15, 18, 21 or 24 words, not 11"},
		{"empty", "\n", "not 0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			r := runAccount(t, dir, c.phrase, "account", "import")
			if r.code != 1 || !strings.Contains(r.stderr, "recovery phrase refused") || !strings.Contains(r.stderr, c.says) {
				t.Fatalf("%d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
			}
			assertNoPhrase(t, c.phrase, r.stdout, r.stderr)
			if _, err := os.Stat(filepath.Join(dir, "keystore")); !os.IsNotExist(err) {
				t.Fatalf("a refused phrase created a keystore: %v", err)
			}
		})
	}
}

// TestAccountPhraseNeverOnCommandLine: a phrase given as arguments or as a
// flag value is refused, and not repeated in the message.
func TestAccountPhraseNeverOnCommandLine(t *testing.T) {
	words := strings.Fields(knownPhrase)
	for _, args := range [][]string{
		append([]string{"account", "import"}, words...),
		{"account", "import", knownPhrase},
		{"account", "import", "--phrase", knownPhrase},
		{"account", "import", "--phrase=" + knownPhrase},
		{"--mnemonic", knownPhrase, "account", "import"},
	} {
		dir := t.TempDir()
		r := runAccount(t, dir, "", args...)
		if r.code != 2 || !strings.Contains(r.stderr, "not accepted on the command line") {
			t.Fatalf("%q: %d %s", args, r.code, r.stderr)
		}
		assertNoPhrase(t, knownPhrase, r.stdout, r.stderr)
		if _, err := os.Stat(filepath.Join(dir, "keystore")); !os.IsNotExist(err) {
			t.Fatal("keystore created")
		}
	}
}

// TestAccountNew: the phrase is printed once, on stdout only, and importing
// it elsewhere gives the same chat key.
func TestAccountNew(t *testing.T) {
	dir := t.TempDir()
	r := runAccount(t, dir, "", "account", "new")
	if r.code != 0 {
		t.Fatalf("new: %d %s", r.code, r.stderr)
	}
	m := regexp.MustCompile(`(?m)^    ((?:[a-z]+ ){11}[a-z]+)$`).FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no 12-word phrase in:\n%s", r.stdout)
	}
	phrase := m[1]
	if _, err := bip39.Parse(phrase); err != nil {
		t.Fatalf("printed phrase does not parse: %v", err)
	}
	if n := strings.Count(r.stdout, phrase); n != 1 {
		t.Fatalf("phrase printed %d times", n)
	}
	assertNoPhrasePairs(t, phrase, r.stderr, keystoreText(t, dir))
	chat := regexp.MustCompile(`chat key:\s+(0x04[0-9a-f]{128})`).FindStringSubmatch(r.stdout)
	if chat == nil {
		t.Fatalf("no chat key in:\n%s", r.stdout)
	}
	other := t.TempDir()
	r2 := runAccount(t, other, phrase, "account", "import")
	if r2.code != 0 || !strings.Contains(r2.stdout, chat[1]) {
		t.Fatalf("re-import: %d %s %s", r2.code, r2.stdout, r2.stderr)
	}
}

func TestAccountKeepsExistingAccount(t *testing.T) {
	dir := t.TempDir()
	if r := runAccount(t, dir, knownPhrase, "account", "import"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	before := keystoreText(t, dir)
	r := runAccount(t, dir, "", "account", "new")
	if r.code != 1 || !strings.Contains(r.stderr, "already holds an account") || strings.Contains(r.stdout, "Recovery phrase") {
		t.Fatalf("%d %s %s", r.code, r.stdout, r.stderr)
	}
	if keystoreText(t, dir) != before {
		t.Fatal("existing account changed")
	}
}

func TestAccountUsageAndDispatch(t *testing.T) {
	dir := t.TempDir()
	if r := runAccount(t, dir, "", "account"); r.code != 2 || !strings.Contains(r.stderr, "account import") {
		t.Fatalf("bare account: %d %s", r.code, r.stderr)
	}
	if r := runAccount(t, dir, "", "account", "frobnicate"); r.code != 2 {
		t.Fatalf("unknown subcommand: %d", r.code)
	}
	// run itself dispatches to the account command.
	f := filepath.Join(t.TempDir(), "phrase")
	os.WriteFile(f, []byte(knownPhrase), 0o600)
	code, out, errs := runCmd(t, map[string]string{"STATUSD_PASSWORD": knownPassword},
		"--datadir", dir, "--lightkdf", "account", "import", "--phrase-file", f)
	if code != 0 || !strings.Contains(out, knownChatKey) {
		t.Fatalf("run: %d %s %s", code, out, errs)
	}
	// other commands are not taken, and --phrase-file belongs to import only.
	if _, ok := runAccountCommand([]string{"version"}, func(string) string { return "" }, nil, nil, nil); ok {
		t.Fatal("version taken as an account command")
	}
	if code, _, errs := runCmd(t, nil, "version", "--phrase-file", f); code != 2 || !strings.Contains(errs, "only for") {
		t.Fatalf("--phrase-file on version: %d %s", code, errs)
	}
}
