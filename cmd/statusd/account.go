package main

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/identity"
	"github.com/statusnode/statusd/protocol/identity/account"
	"github.com/statusnode/statusd/protocol/identity/alias"
	"github.com/statusnode/statusd/protocol/identity/bip39"
)

// accountUsage is the help of `statusd account`.
const accountUsage = `usage:
  statusd [flags] account new
      Create the account of this data directory from a new 12-word recovery
      phrase. The phrase is printed once, on standard output: write it down.
  statusd [flags] account import [--phrase-file FILE]
      Create the account of this data directory from an existing recovery
      phrase, read from FILE or from standard input (never from the command
      line).

The chat key is derived on m/43'/60'/1581'/0'/0 (EIP-1581) and the wallet
address on m/44'/60'/0'/0/0, as Status did, and the chat key is stored in
<datadir>/keystore as a keystore v3 file encrypted with the account password
(--password FILE or STATUSD_PASSWORD). A data directory that already holds an
account is left alone.
`

// phraseFileFlag names the file `account import` reads the phrase from.
const phraseFileFlag = "phrase-file"

// entropyBytes is the entropy of a new phrase: 128 bits, 12 words, as Status
// clients generated.
const entropyBytes = 16

// errPhraseOnCommandLine refuses a phrase given as arguments.
var errPhraseOnCommandLine = errors.New("the recovery phrase is not accepted on the command line " +
	"(it would be visible to other users and kept in shell history); pass it on standard input or with --phrase-file FILE")

// accountArgs is what runAccount needs besides the settings.
type accountArgs struct {
	phraseFile string // --phrase-file value, "" for standard input
	phraseFlag bool   // a --phrase-file flag was given at all
	refused    error  // a flag that must not be used (a phrase on the command line)
}

// splitAccountFlags removes --phrase-file FILE (and -phrase-file, =FILE
// forms) from args, which the general flag set does not know, and notes any
// attempt to pass the phrase itself as a flag. It never copies a flag's value
// into an error.
func splitAccountFlags(args []string) ([]string, accountArgs) {
	var out []string
	var a accountArgs
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			out = append(out, args[i:]...)
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") {
			out = append(out, arg)
			continue
		}
		switch {
		case name == phraseFileFlag:
			a.phraseFlag = true
			if hasValue {
				a.phraseFile = value
			} else if i+1 < len(args) {
				a.phraseFile = args[i+1]
				i++
			}
			if a.phraseFile == "" {
				a.refused = errors.New("--phrase-file needs a file name")
			}
		case name == "phrase" || name == "mnemonic" || name == "seed":
			a.refused = errPhraseOnCommandLine
			if !hasValue && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++ // drop the value unseen
			}
		default:
			out = append(out, arg)
		}
	}
	return out, a
}

// runAccountCommand runs `statusd account …` when args name that command,
// reporting whether they did; other commands are left to run. stdin is where
// `account import` reads the phrase when no --phrase-file is given.
func runAccountCommand(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) (int, bool) {
	rest, a := splitAccountFlags(args)
	res, err := config.Load(rest, getenv, io.Discard)
	if err != nil || res.Command != "account" {
		if a.phraseFlag || a.refused != nil {
			if a.refused == nil {
				a.refused = errors.New("--phrase-file is only for `statusd account import`")
			}
			fmt.Fprintf(stderr, "statusd: %v\n", a.refused)
			return 2, true
		}
		return 0, false
	}
	if a.refused != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", a.refused)
		return 2, true
	}
	sub := ""
	if len(res.Args) > 0 {
		sub = res.Args[0]
	}
	switch {
	case sub == "new" && len(res.Args) == 1 && !a.phraseFlag:
		return accountNew(res.Config, getenv, stdout, stderr), true
	case sub == "import" && len(res.Args) == 1:
		return accountImport(res.Config, getenv, a.phraseFile, stdin, stdout, stderr), true
	case sub == "import":
		fmt.Fprintf(stderr, "statusd: %v\n", errPhraseOnCommandLine)
		return 2, true
	default:
		fmt.Fprint(stderr, accountUsage)
		return 2, true
	}
}

// accountNew creates the account from a fresh phrase and prints the phrase
// once, after the keystore file is safely written.
func accountNew(cfg config.Config, getenv func(string) string, stdout, stderr io.Writer) int {
	entropy := make([]byte, entropyBytes)
	if _, err := rand.Read(entropy); err != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", err)
		return 1
	}
	m, err := bip39.FromEntropy(entropy)
	if err != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", err)
		return 1
	}
	file, keys, code := storeAccount(cfg, getenv, m, stderr)
	if code != 0 {
		return code
	}
	fmt.Fprintf(stdout, "Recovery phrase — write it down and keep it secret; it is shown only this once\n"+
		"and anyone who has it controls this account:\n\n    %s\n\n", m.Phrase())
	printAccount(stdout, file, keys)
	return 0
}

// accountImport creates the account from a phrase read from file or stdin.
func accountImport(cfg config.Config, getenv func(string) string, file string, stdin io.Reader, stdout, stderr io.Writer) int {
	text, err := readPhrase(file, stdin, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", err)
		return 1
	}
	m, err := bip39.Parse(text)
	if err != nil {
		fmt.Fprintf(stderr, "statusd: recovery phrase refused: %v\n", err)
		return 1
	}
	path, keys, code := storeAccount(cfg, getenv, m, stderr)
	if code != 0 {
		return code
	}
	fmt.Fprintln(stdout, "Account imported from the recovery phrase.")
	printAccount(stdout, path, keys)
	return 0
}

// storeAccount derives the keys of m (no BIP-39 passphrase, as Status
// clients) and writes the chat key into the keystore of cfg.DataDir.
func storeAccount(cfg config.Config, getenv func(string) string, m bip39.Mnemonic, stderr io.Writer) (string, account.Keys, int) {
	password, err := readPassword(cfg.PasswordFile, getenv)
	if err != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", err)
		return "", account.Keys{}, 1
	}
	if password == DevPassword {
		fmt.Fprintln(stderr, "statusd: warning: using the development password; never for a real account")
	}
	keys, err := account.FromMnemonic(m, "")
	if err != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", err)
		return "", account.Keys{}, 1
	}
	kdf := identity.KDFStandard
	if cfg.LightKDF {
		kdf = identity.KDFLight
	}
	acc, err := identity.CreateAccountFromKey(filepath.Join(cfg.DataDir, "keystore"), password, keys.Chat, kdf)
	if err != nil {
		fmt.Fprintf(stderr, "statusd: %v\n", err)
		return "", account.Keys{}, 1
	}
	return acc.File, keys, 0
}

func printAccount(w io.Writer, file string, keys account.Keys) {
	fmt.Fprintf(w, "chat key:       %s\n", keys.ChatPublicKey())
	fmt.Fprintf(w, "alias:          %s\n", alias.Alias(&keys.Chat.PublicKey))
	fmt.Fprintf(w, "wallet address: %s\n", keys.WalletAddress.Hex())
	fmt.Fprintf(w, "keystore file:  %s\n", file)
}

// readPhrase reads at most bip39.MaxPhraseBytes from file, or from stdin
// when file is "".
func readPhrase(file string, stdin io.Reader, stderr io.Writer) (string, error) {
	src, name := stdin, "standard input"
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return "", fmt.Errorf("phrase file: %w", err)
		}
		defer f.Close()
		src, name = f, file
	} else if f, ok := stdin.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			fmt.Fprintln(stderr, "Type the recovery phrase, then Enter and Ctrl-D:")
		}
	}
	data, err := io.ReadAll(io.LimitReader(src, bip39.MaxPhraseBytes+1))
	if err != nil {
		return "", fmt.Errorf("read the recovery phrase from %s: %w", name, err)
	}
	if len(data) > bip39.MaxPhraseBytes {
		return "", fmt.Errorf("%s holds more than %d bytes; it is not a recovery phrase", name, bip39.MaxPhraseBytes)
	}
	return string(data), nil
}
