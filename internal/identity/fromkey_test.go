package identity

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
)

// TestCreateAccountFromKey: the given key is stored as a keystore v3 file
// the node unlocks as its account, and an existing account is never
// replaced.
func TestCreateAccountFromKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keystore")
	priv, _ := crypto.GenerateKey()
	acc, err := CreateAccountFromKey(dir, "correct horse", priv, KDFLight)
	if err != nil {
		t.Fatal(err)
	}
	if acc.Address != crypto.PubkeyToAddress(priv.PublicKey) || !acc.PrivateKey.Equal(priv) {
		t.Fatal("stored account is not the given key")
	}
	if m := mode(t, acc.File); m != 0o600 {
		t.Fatalf("mode %o", m)
	}
	data, _ := os.ReadFile(acc.File)
	key, err := keystore.DecryptKey(data, "correct horse")
	if err != nil || !key.PrivateKey.Equal(priv) || strings.Contains(string(data), "correct horse") {
		t.Fatalf("not a v3 file of the key: %v", err)
	}
	back, created, err := LoadOrCreateAccount(dir, "correct horse", KDFLight)
	if err != nil || created || !back.PrivateKey.Equal(priv) {
		t.Fatalf("node does not unlock it: %v %v", created, err)
	}
	other, _ := crypto.GenerateKey()
	if _, err := CreateAccountFromKey(dir, "correct horse", other, KDFLight); !errors.Is(err, ErrAccountExists) {
		t.Fatalf("second account: %v", err)
	}
	if _, err := CreateAccountFromKey(t.TempDir(), "", other, KDFLight); !errors.Is(err, ErrNoPassword) {
		t.Fatalf("empty password: %v", err)
	}
}
