package identity

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// maxKeyFile bounds a keystore file read into memory.
const maxKeyFile = 64 << 10

// Account is the unlocked account identity.
type Account struct {
	Address    common.Address
	PrivateKey *ecdsa.PrivateKey
	File       string // keystore file path
}

// KDF selects the scrypt cost used when a new keystore file is written.
// Existing files are decrypted with the parameters they carry.
type KDF int

// KDF choices.
const (
	KDFStandard KDF = iota // go-ethereum's standard scrypt (N=2^18, P=1)
	KDFLight               // go-ethereum's light scrypt (N=2^12, P=6); tests only
)

func (k KDF) params() (int, int) {
	if k == KDFLight {
		return lightScryptN, lightScryptP
	}
	return standardScryptN, standardScryptP
}

// LoadOrCreateAccount unlocks the account in keystoreDir with password, or,
// when the directory holds no key file, creates a new secp256k1 identity and
// stores it there as a keystore v3 file. With several key files the
// lexically first (the oldest, by go-ethereum's naming) is used. A wrong
// password yields ErrWrongPassword.
func LoadOrCreateAccount(keystoreDir, password string, kdf KDF) (*Account, bool, error) {
	if password == "" {
		return nil, false, fmt.Errorf("%w: the account password is empty", ErrNoPassword)
	}
	files, err := keyFiles(keystoreDir)
	if err != nil {
		return nil, false, err
	}
	if len(files) > 0 {
		acc, err := unlock(files[0], password)
		return acc, false, err
	}
	acc, err := create(keystoreDir, password, kdf)
	return acc, true, err
}

func keyFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("identity: read keystore: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	sort.Strings(out)
	return out, nil
}

func unlock(path, password string) (*Account, error) {
	data, _, err := readSecret(path, maxKeyFile)
	if err != nil {
		return nil, err
	}
	priv, err := decryptKeyFile(data, password)
	if errors.Is(err, errMAC) {
		return nil, fmt.Errorf("%w for the account in %s", ErrWrongPassword, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBadKeyFile, path, err)
	}
	return &Account{Address: crypto.PubkeyToAddress(priv.PublicKey), PrivateKey: priv, File: path}, nil
}

func create(dir, password string, kdf KDF) (*Account, error) {
	priv, err := crypto.GenerateKey()
	if err != nil {
		return nil, fmt.Errorf("identity: generate account key: %w", err)
	}
	return store(dir, password, priv, kdf)
}

// CreateAccountFromKey stores priv as the account key of keystoreDir: a
// keystore v3 file encrypted with password, written like the one
// LoadOrCreateAccount creates (mode 0600, atomically), so the node unlocks
// it at its next start. It refuses with ErrAccountExists when the directory
// already holds a key file: an identity is never replaced silently. The
// caller keeps ownership of priv.
func CreateAccountFromKey(keystoreDir, password string, priv *ecdsa.PrivateKey, kdf KDF) (*Account, error) {
	if password == "" {
		return nil, fmt.Errorf("%w: the account password is empty", ErrNoPassword)
	}
	files, err := keyFiles(keystoreDir)
	if err != nil {
		return nil, err
	}
	if len(files) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrAccountExists, files[0])
	}
	return store(keystoreDir, password, priv, kdf)
}

func store(dir, password string, priv *ecdsa.PrivateKey, kdf KDF) (*Account, error) {
	n, p := kdf.params()
	data, err := encryptKeyFile(priv, password, n, p)
	if err != nil {
		return nil, fmt.Errorf("identity: encrypt account key: %w", err)
	}
	addr := crypto.PubkeyToAddress(priv.PublicKey)
	name := fmt.Sprintf("UTC--%s--%x", time.Now().UTC().Format("2006-01-02T15-04-05.000000000Z"), addr)
	path := filepath.Join(dir, name)
	if err := writeSecret(path, data); err != nil {
		return nil, err
	}
	return &Account{Address: addr, PrivateKey: priv, File: path}, nil
}
