package sessions

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/storage"
)

// Sentinel errors.
var (
	// ErrWrongPassword: the password does not open this store.
	ErrWrongPassword = errors.New("sessions: wrong password")
	// ErrCorrupt: a stored value fails authentication or has a bad shape.
	// Get and Iterate return it wrapping encryption.ErrCorrupt too, so that
	// the encryption layer does not take it for a failure that may pass.
	ErrCorrupt = errors.New("sessions: corrupt record")
)

// TableName is the storage table this package owns.
const TableName = "encryption"

// DefaultKDFIterations is the PBKDF2-HMAC-SHA256 count used for new stores.
const DefaultKDFIterations = 210000

const (
	saltLen  = 16
	nonceLen = 12
	checkPT  = "statusd encryption store v1"
)

var (
	metaSalt       = []byte("\x00salt")
	metaIterations = []byte("\x00iterations")
	metaCheck      = []byte("\x00check")
)

// Options configure Open.
type Options struct {
	// KDFIterations is the PBKDF2 count for a new store (0: the default).
	// An existing store keeps the count it was created with.
	KDFIterations int
}

// Store implements encryption.Store over a storage.KV. It is safe for
// concurrent use (the KV is).
type Store struct {
	kv   storage.KV
	aead cipher.AEAD
}

var _ encryption.Store = (*Store)(nil)

// Open opens (or initialises) the encryption state in kv, deriving the
// at-rest key from password. A store created with another password gives
// ErrWrongPassword.
func Open(kv storage.KV, password []byte, opts Options) (*Store, error) {
	t := storage.NewTable(kv, TableName)
	salt, err := t.Get(metaSalt)
	if errors.Is(err, storage.ErrNotFound) {
		return create(t, password, opts)
	}
	if err != nil {
		return nil, fmt.Errorf("sessions: open: %w", err)
	}
	it, err := t.Get(metaIterations)
	if err != nil || len(it) != 4 {
		return nil, fmt.Errorf("%w: iterations: %v", ErrCorrupt, err)
	}
	s, err := newStore(t, password, salt, int(binary.BigEndian.Uint32(it)))
	if err != nil {
		return nil, err
	}
	check, err := t.Get(metaCheck)
	if err != nil {
		return nil, fmt.Errorf("%w: check: %v", ErrCorrupt, err)
	}
	if pt, err := s.open(metaCheck, check); err != nil || string(pt) != checkPT {
		return nil, ErrWrongPassword
	}
	return s, nil
}

func create(t *storage.Table, password []byte, opts Options) (*Store, error) {
	iter := opts.KDFIterations
	if iter <= 0 {
		iter = DefaultKDFIterations
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	s, err := newStore(t, password, salt, iter)
	if err != nil {
		return nil, err
	}
	check, err := s.seal(metaCheck, []byte(checkPT))
	if err != nil {
		return nil, err
	}
	var b storage.Batch
	b.Put(metaSalt, salt)
	b.Put(metaIterations, binary.BigEndian.AppendUint32(nil, uint32(iter)))
	b.Put(metaCheck, check)
	if err := t.Write(&b); err != nil {
		return nil, fmt.Errorf("sessions: create: %w", err)
	}
	return s, nil
}

func newStore(kv storage.KV, password, salt []byte, iter int) (*Store, error) {
	key, err := pbkdf2.Key(sha256.New, string(password), salt, iter, 32)
	if err != nil {
		return nil, fmt.Errorf("sessions: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Store{kv: kv, aead: aead}, nil
}

func (s *Store) seal(ad, pt []byte) ([]byte, error) {
	nonce := make([]byte, nonceLen, nonceLen+len(pt)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, pt, ad), nil
}

func (s *Store) open(ad, ct []byte) ([]byte, error) {
	if len(ct) < nonceLen+s.aead.Overhead() {
		return nil, fmt.Errorf("%w (%w): %d-byte sealed value", ErrCorrupt, encryption.ErrCorrupt, len(ct))
	}
	pt, err := s.aead.Open(nil, ct[:nonceLen], ct[nonceLen:], ad)
	if err != nil {
		return nil, fmt.Errorf("%w (%w): %v", ErrCorrupt, encryption.ErrCorrupt, err)
	}
	return pt, nil
}

func recordKey(k encryption.Kind, key []byte) []byte {
	return append([]byte{byte(k)}, key...)
}

// Get implements encryption.Store.
func (s *Store) Get(k encryption.Kind, key []byte) ([]byte, error) {
	rk := recordKey(k, key)
	v, err := s.kv.Get(rk)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, encryption.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if k.Secret() {
		return s.open(rk, v)
	}
	return v, nil
}

// Iterate implements encryption.Store.
func (s *Store) Iterate(k encryption.Kind, prefix []byte, fn func(key, value []byte) error) error {
	return s.kv.Iterate(recordKey(k, prefix), nil, func(rk, v []byte) error {
		if k.Secret() {
			pt, err := s.open(rk, v)
			if err != nil {
				return err
			}
			v = pt
		}
		return fn(rk[1:], v)
	})
}

// Commit implements encryption.Store: one atomic batch.
func (s *Store) Commit(ops []encryption.Op) error {
	var b storage.Batch
	for _, op := range ops {
		rk := recordKey(op.Kind, op.Key)
		switch {
		case op.Delete:
			b.Delete(rk)
		case op.Kind.Secret():
			ct, err := s.seal(rk, op.Value)
			if err != nil {
				return err
			}
			b.Put(rk, ct)
		default:
			b.Put(rk, op.Value)
		}
	}
	return s.kv.Write(&b)
}
