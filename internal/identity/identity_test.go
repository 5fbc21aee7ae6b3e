package identity

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

func TestNodeKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodekey")
	k1, created, err := LoadOrCreateNodeKey(path)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if m := mode(t, path); m != 0o600 {
		t.Fatalf("nodekey mode %o", m)
	}
	k2, created, err := LoadOrCreateNodeKey(path)
	if err != nil || created {
		t.Fatalf("load: %v %v", created, err)
	}
	if !k1.Equal(k2) {
		t.Fatal("reloaded node key differs")
	}
	os.Chmod(path, 0o644)
	if _, _, err := LoadOrCreateNodeKey(path); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, path); m != 0o600 {
		t.Fatalf("loose mode not tightened: %o", m)
	}
	os.WriteFile(path, []byte("zz"), 0o600)
	if _, _, err := LoadOrCreateNodeKey(path); !errors.Is(err, ErrBadKeyFile) {
		t.Fatalf("corrupt nodekey: %v", err)
	}
}

func TestToken(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rpc.token")
	tok, created, err := LoadOrCreateToken(path)
	if err != nil || !created || len(tok) != 64 {
		t.Fatalf("create: %q %v %v", tok, created, err)
	}
	if m := mode(t, path); m != 0o600 {
		t.Fatalf("token mode %o", m)
	}
	again, created, err := LoadOrCreateToken(path)
	if err != nil || created || again != tok {
		t.Fatalf("reload: %q %v %v", again, created, err)
	}
}

func TestAccount(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keystore")
	acc, created, err := LoadOrCreateAccount(dir, "correct horse", KDFLight)
	if err != nil || !created {
		t.Fatalf("create: %v %v", created, err)
	}
	if crypto.PubkeyToAddress(acc.PrivateKey.PublicKey) != acc.Address {
		t.Fatal("address does not match key")
	}
	if m := mode(t, acc.File); m != 0o600 {
		t.Fatalf("keystore file mode %o", m)
	}
	data, _ := os.ReadFile(acc.File)
	if strings.Contains(string(data), "correct horse") || !strings.Contains(string(data), `"version":3`) {
		t.Fatalf("keystore file is not an encrypted v3 file: %s", data)
	}
	back, created, err := LoadOrCreateAccount(dir, "correct horse", KDFLight)
	if err != nil || created || back.Address != acc.Address || !back.PrivateKey.Equal(acc.PrivateKey) {
		t.Fatalf("unlock: %v %v", created, err)
	}
	if _, _, err := LoadOrCreateAccount(dir, "wrong", KDFLight); !errors.Is(err, ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if _, _, err := LoadOrCreateAccount(dir, "", KDFLight); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("empty password: %v", err)
	}
	os.WriteFile(acc.File, []byte("{not json"), 0o600)
	if _, _, err := LoadOrCreateAccount(dir, "correct horse", KDFLight); !errors.Is(err, ErrBadKeyFile) {
		t.Fatalf("corrupt keystore: %v", err)
	}
}
