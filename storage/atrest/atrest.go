package atrest

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	lstorage "github.com/syndtr/goleveldb/leveldb/storage"
)

// KeySize is the size of the database key.
const KeySize = 32

// Key is a database key; see DeriveKey.
type Key [KeySize]byte

// Errors.
var (
	// ErrWrongKey: a file was written under another key (another account,
	// or the password does not match).
	ErrWrongKey = errors.New("atrest: file written under another key")
	// ErrNotEncrypted: a file has no at-rest header (a plaintext database).
	ErrNotEncrypted = errors.New("atrest: file is not encrypted")
)

// File layout: magic ‖ nonce ‖ check ‖ AES-256-CTR(key, nonce, content).
const (
	magic      = "statusdE" // 8 bytes; version 1 of this layout
	nonceSize  = aes.BlockSize
	checkSize  = 16
	headerSize = len(magic) + nonceSize + checkSize
)

// keys holds the expanded key material of one database.
type keys struct {
	block cipher.Block
	mac   []byte // HMAC key for the per-file check
}

func newKeys(k Key) (*keys, error) {
	encKey := hmac.New(sha256.New, k[:])
	encKey.Write([]byte("statusd at-rest file encryption"))
	block, err := aes.NewCipher(encKey.Sum(nil))
	if err != nil {
		return nil, err
	}
	macKey := hmac.New(sha256.New, k[:])
	macKey.Write([]byte("statusd at-rest key check"))
	return &keys{block: block, mac: macKey.Sum(nil)}, nil
}

// check is the value stored after a file's nonce: it tells a wrong key
// from a corrupted file before any content is decrypted.
func (k *keys) check(nonce []byte) []byte {
	m := hmac.New(sha256.New, k.mac)
	m.Write(nonce)
	return m.Sum(nil)[:checkSize]
}

// stream returns the keystream positioned at content offset off.
func (k *keys) stream(nonce []byte, off int64) cipher.Stream {
	var iv [aes.BlockSize]byte
	copy(iv[:], nonce)
	// Add off/16 to the 128-bit big-endian counter.
	blk := uint64(off / aes.BlockSize)
	lo := binary.BigEndian.Uint64(iv[8:])
	hi := binary.BigEndian.Uint64(iv[:8])
	sum := lo + blk
	if sum < lo {
		hi++
	}
	binary.BigEndian.PutUint64(iv[8:], sum)
	binary.BigEndian.PutUint64(iv[:8], hi)
	s := cipher.NewCTR(k.block, iv[:])
	if skip := int(off % aes.BlockSize); skip > 0 {
		var junk [aes.BlockSize]byte
		s.XORKeyStream(junk[:skip], junk[:skip])
	}
	return s
}

// readHeader reads and checks a file's header.
func (k *keys) readHeader(r io.ReaderAt) ([]byte, error) {
	var h [headerSize]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, ErrNotEncrypted
		}
		return nil, err
	}
	if string(h[:len(magic)]) != magic {
		return nil, ErrNotEncrypted
	}
	nonce := h[len(magic) : len(magic)+nonceSize]
	if !hmac.Equal(h[len(magic)+nonceSize:], k.check(nonce)) {
		return nil, ErrWrongKey
	}
	return append([]byte(nil), nonce...), nil
}

// Storage wraps a goleveldb storage so that every file it writes is
// encrypted: each file starts with a header holding a random nonce and a
// key check, and its content is AES-256-CTR under the database key. Reads
// may seek anywhere (CTR). Meta (the name of the current manifest) and
// the lock are passed through; the info log is discarded, since goleveldb
// writes key ranges into it.
//
// Confidentiality only: integrity comes from goleveldb's own block
// checksums, which a modified ciphertext fails.
type Storage struct {
	lstorage.Storage
	k *keys
}

// Wrap returns an encrypting storage over base, keyed by key.
func Wrap(base lstorage.Storage, key Key) (*Storage, error) {
	k, err := newKeys(key)
	if err != nil {
		return nil, err
	}
	return &Storage{Storage: base, k: k}, nil
}

// Log discards goleveldb's info log (it holds keys in plain text).
func (s *Storage) Log(string) {}

// Open opens fd for reading and decrypting.
func (s *Storage) Open(fd lstorage.FileDesc) (lstorage.Reader, error) {
	r, err := s.Storage.Open(fd)
	if err != nil {
		return nil, err
	}
	nonce, err := s.k.readHeader(r)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("%w (%s)", err, fd)
	}
	return &reader{r: r, k: s.k, nonce: nonce}, nil
}

// Create creates fd for writing and encrypting.
func (s *Storage) Create(fd lstorage.FileDesc) (lstorage.Writer, error) {
	w, err := s.Storage.Create(fd)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, nonceSize)
	if _, err := rand.Read(nonce); err != nil {
		w.Close()
		return nil, err
	}
	h := append(append([]byte(magic), nonce...), s.k.check(nonce)...)
	if _, err := w.Write(h); err != nil {
		w.Close()
		return nil, err
	}
	return &writer{w: w, s: s.k.stream(nonce, 0)}, nil
}

// reader decrypts one file; its offsets are content offsets (after the
// header).
type reader struct {
	r     lstorage.Reader
	k     *keys
	nonce []byte
	pos   int64
}

func (r *reader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("atrest: negative offset")
	}
	n, err := r.r.ReadAt(p, off+int64(headerSize))
	r.k.stream(r.nonce, off).XORKeyStream(p[:n], p[:n])
	return n, err
}

func (r *reader) Read(p []byte) (int, error) {
	n, err := r.ReadAt(p, r.pos)
	r.pos += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

func (r *reader) Seek(offset int64, whence int) (int64, error) {
	var abs int64
	switch whence {
	case io.SeekStart:
		abs = offset
	case io.SeekCurrent:
		abs = r.pos + offset
	case io.SeekEnd:
		end, err := r.r.Seek(0, io.SeekEnd)
		if err != nil {
			return 0, err
		}
		abs = end - int64(headerSize) + offset
	default:
		return 0, errors.New("atrest: bad whence")
	}
	if abs < 0 {
		return 0, errors.New("atrest: negative position")
	}
	r.pos = abs
	return abs, nil
}

func (r *reader) Close() error { return r.r.Close() }

// writer encrypts one file sequentially.
type writer struct {
	w   lstorage.Writer
	s   cipher.Stream
	buf []byte
}

func (w *writer) Write(p []byte) (int, error) {
	if cap(w.buf) < len(p) {
		w.buf = make([]byte, len(p))
	}
	b := w.buf[:len(p)]
	w.s.XORKeyStream(b, p)
	n, err := w.w.Write(b)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		// The keystream has moved past what was written: the file can
		// no longer be continued consistently.
		w.s = nil
	}
	return n, err
}

// Sync fsyncs the file below: every byte Write returned for is
// encrypted and handed to it, so it is on disk after Sync. It touches
// nothing Write does, so storage.LevelDB.Sync may call it while goleveldb
// writes the journal on another goroutine.
func (w *writer) Sync() error { return w.w.Sync() }

func (w *writer) Close() error { return w.w.Close() }
