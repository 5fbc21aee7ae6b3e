// Package identity manages the secrets in a data directory: the account
// identity key (a go-ethereum keystore v3 file, encrypted with the account
// password), the devp2p node key and the RPC bearer token. Every secret file
// is written with mode 0600 and atomically (temporary file, then rename), so
// a crash never leaves a half-written key. Nothing here logs a secret.
package identity

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"
)

// Sentinel errors; callers test them with errors.Is.
var (
	ErrWrongPassword = errors.New("identity: wrong password")
	ErrNoPassword    = errors.New("identity: no password")
	ErrBadKeyFile    = errors.New("identity: bad key file")
	ErrAccountExists = errors.New("identity: the keystore already holds an account")
)

// writeSecret writes data to path with mode 0600 via a temporary file in the
// same directory, so readers never see a partial file.
func writeSecret(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("identity: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("identity: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("identity: sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("identity: %w", err)
	}
	return nil
}

// readSecret reads a secret file, tightening its mode to 0600 if group or
// others could read it. It reports whether the file existed.
func readSecret(path string, limit int64) ([]byte, bool, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("identity: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, true, fmt.Errorf("identity: %w", err)
	}
	if st.Size() > limit {
		return nil, true, fmt.Errorf("%w: %s is %d bytes, more than %d", ErrBadKeyFile, path, st.Size(), limit)
	}
	if st.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return nil, true, fmt.Errorf("identity: %s is readable by others and chmod failed: %w", path, err)
		}
	}
	data := make([]byte, st.Size())
	if _, err := f.ReadAt(data, 0); err != nil && st.Size() > 0 {
		return nil, true, fmt.Errorf("identity: read %s: %w", path, err)
	}
	return data, true, nil
}

// LoadOrCreateNodeKey returns the devp2p node key stored hex-encoded at path
// (go-ethereum's nodekey format), creating it on first use.
func LoadOrCreateNodeKey(path string) (*ecdsa.PrivateKey, bool, error) {
	data, ok, err := readSecret(path, 256)
	if err != nil {
		return nil, false, err
	}
	if ok {
		key, err := crypto.HexToECDSA(strings.TrimSpace(string(data)))
		if err != nil {
			return nil, false, fmt.Errorf("%w: %s: %v", ErrBadKeyFile, path, err)
		}
		return key, false, nil
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		return nil, false, fmt.Errorf("identity: generate node key: %w", err)
	}
	if err := writeSecret(path, []byte(hex.EncodeToString(crypto.FromECDSA(key)))); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// LoadOrCreateToken returns the RPC bearer token stored at path, creating a
// random 256-bit token on first use.
func LoadOrCreateToken(path string) (string, bool, error) {
	data, ok, err := readSecret(path, 1024)
	if err != nil {
		return "", false, err
	}
	if ok {
		tok := strings.TrimSpace(string(data))
		if len(tok) < 16 {
			return "", false, fmt.Errorf("%w: %s: token shorter than 16 characters", ErrBadKeyFile, path)
		}
		return tok, false, nil
	}
	var buf [32]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return "", false, fmt.Errorf("identity: %w", err)
	}
	tok := hex.EncodeToString(buf[:])
	if err := writeSecret(path, []byte(tok+"\n")); err != nil {
		return "", false, err
	}
	return tok, true, nil
}
