package atrest

import (
	"crypto/ecdsa"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ethereum/go-ethereum/crypto"
	lstorage "github.com/syndtr/goleveldb/leveldb/storage"

	"github.com/statusnode/statusd/storage"
)

// DeriveKey derives the database key from the account's private key. The
// private key is only ever obtained by decrypting the keystore file with
// the account password (scrypt, the keystore's KDF settings), so the
// database key needs the password too, and costs no second slow KDF at
// start-up.
func DeriveKey(account *ecdsa.PrivateKey) (Key, error) {
	var k Key
	secret := crypto.FromECDSA(account)
	b, err := hkdf.Key(sha256.New, secret, nil, "statusd database at rest v1", KeySize)
	if err != nil {
		return k, fmt.Errorf("atrest: derive key: %w", err)
	}
	copy(k[:], b)
	return k, nil
}

// Result says what Open found.
type Result struct {
	// Migrated is the number of records copied from a plaintext database
	// that Open encrypted in place; 0 when none was found.
	Migrated int
	// Recovered is set when Open finished a migration that a crash had
	// interrupted.
	Recovered bool
}

// Suffixes of the directories a migration uses beside dir.
const (
	suffixNew   = ".encrypting" // the encrypted copy being written
	suffixPlain = ".plaintext"  // the old database once the copy is done
)

// Open opens the encrypted goleveldb database in dir under key, creating
// it if needed. A plaintext database found in dir (written before
// encryption at rest) is copied record by record into an encrypted one
// beside it, which then takes its place; the plaintext files are removed.
// Each step is a rename, so a crash at any point leaves either the old
// database (the copy is redone) or the complete new one (Open finishes the
// swap). A database written under another key is ErrWrongKey.
func Open(dir string, key Key) (*storage.LevelDB, Result, error) {
	var res Result
	recovered, err := resume(dir)
	if err != nil {
		return nil, res, err
	}
	res.Recovered = recovered
	plain, err := isPlaintext(dir, key)
	if err != nil {
		return nil, res, err
	}
	if plain {
		if res.Migrated, err = migrate(dir, key); err != nil {
			return nil, res, err
		}
	}
	db, err := openEncrypted(dir, key)
	return db, res, err
}

func openEncrypted(dir string, key Key) (*storage.LevelDB, error) {
	db, err := storage.OpenLevelDBWith(dir, func() (lstorage.Storage, error) {
		base, err := lstorage.OpenFile(dir, false)
		if err != nil {
			return nil, err
		}
		enc, err := Wrap(base, key)
		if err != nil {
			base.Close()
			return nil, err
		}
		return enc, nil
	})
	if errors.Is(err, ErrWrongKey) {
		return nil, fmt.Errorf("atrest: %s: %w", dir, ErrWrongKey)
	}
	return db, err
}

// resume completes or discards a migration that was interrupted.
func resume(dir string) (bool, error) {
	newDir, plainDir := dir+suffixNew, dir+suffixPlain
	switch {
	case exists(plainDir) && !exists(dir) && exists(newDir):
		// Crashed between the two renames: the copy was complete.
		if err := os.Rename(newDir, dir); err != nil {
			return false, fmt.Errorf("atrest: finish migration: %w", err)
		}
		return true, os.RemoveAll(plainDir)
	case exists(plainDir) && exists(dir):
		// Crashed before removing the old files.
		return true, os.RemoveAll(plainDir)
	case exists(newDir):
		// Crashed while copying: the old database is still in place.
		return true, os.RemoveAll(newDir)
	}
	return false, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// isPlaintext reports whether dir holds a database whose current manifest
// has no at-rest header.
func isPlaintext(dir string, key Key) (bool, error) {
	if !exists(dir) {
		return false, nil
	}
	base, err := lstorage.OpenFile(dir, true)
	if err != nil {
		return false, fmt.Errorf("atrest: open %s: %w", dir, err)
	}
	defer base.Close()
	fd, err := base.GetMeta()
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil // empty directory: a new database
	}
	if err != nil {
		return false, fmt.Errorf("atrest: %s: %w", dir, err)
	}
	r, err := base.Open(fd)
	if err != nil {
		return false, fmt.Errorf("atrest: %s: %w", dir, err)
	}
	defer r.Close()
	k, err := newKeys(key)
	if err != nil {
		return false, err
	}
	_, err = k.readHeader(r)
	switch {
	case errors.Is(err, ErrNotEncrypted):
		return true, nil
	case errors.Is(err, ErrWrongKey):
		return false, fmt.Errorf("atrest: %s: %w", dir, ErrWrongKey)
	}
	return false, err
}

// migrate copies the plaintext database in dir into an encrypted one and
// swaps them; it returns the number of records copied.
func migrate(dir string, key Key) (int, error) {
	newDir := dir + suffixNew
	plain, err := storage.OpenLevelDB(dir)
	if err != nil {
		return 0, err
	}
	defer plain.Close()
	enc, err := openEncrypted(newDir, key)
	if err != nil {
		return 0, err
	}
	n, err := copyAll(enc, plain)
	if cerr := enc.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = plain.Close()
	}
	if err != nil {
		os.RemoveAll(newDir)
		return 0, fmt.Errorf("atrest: encrypt %s: %w", dir, err)
	}
	if err := os.Rename(dir, dir+suffixPlain); err != nil {
		return 0, fmt.Errorf("atrest: encrypt %s: %w", dir, err)
	}
	if err := os.Rename(newDir, dir); err != nil {
		return 0, fmt.Errorf("atrest: encrypt %s: %w", dir, err)
	}
	return n, os.RemoveAll(dir + suffixPlain)
}

// copyAll copies every record of src into dst in batches and checks that
// dst then holds as many.
func copyAll(dst, src storage.KV) (int, error) {
	const batchBytes = 4 << 20
	var b storage.Batch
	n, size := 0, 0
	err := src.Iterate(nil, nil, func(k, v []byte) error {
		b.Put(append([]byte(nil), k...), append([]byte(nil), v...))
		n, size = n+1, size+len(k)+len(v)
		if size < batchBytes {
			return nil
		}
		size = 0
		err := dst.Write(&b)
		b.Reset()
		return err
	})
	if err == nil && b.Len() > 0 {
		err = dst.Write(&b)
	}
	if err != nil {
		return n, err
	}
	got := 0
	if err := dst.Iterate(nil, nil, func(_, _ []byte) error { got++; return nil }); err != nil {
		return n, err
	}
	if got != n {
		return n, fmt.Errorf("copied %d records, the copy holds %d", n, got)
	}
	return n, nil
}
