package bip39

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/sha512"
	_ "embed"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"
)

// Spec constants (BIP-39, "Generating the mnemonic" and "From mnemonic to
// seed").
const (
	wordBits   = 11   // bits encoded by one word
	listSize   = 2048 // words in a list
	seedIter   = 2048 // PBKDF2 iterations
	SeedSize   = 64   // bytes of seed
	saltPrefix = "mnemonic"

	// MaxPhraseBytes bounds the text Parse reads: 24 words of at most 8
	// letters with generous white space fit many times over.
	MaxPhraseBytes = 4096
)

// Sentinel errors. Errors returned by Parse wrap one of them and say which
// word or what count is at fault.
var (
	ErrUnknownWord = errors.New("bip39: word is not in the English word list")
	ErrChecksum    = errors.New("bip39: checksum does not match")
	ErrWordCount   = errors.New("bip39: a phrase has 12, 15, 18, 21 or 24 words")
	ErrTooLong     = errors.New("bip39: phrase text too long")
	ErrEntropySize = errors.New("bip39: entropy must be 16, 20, 24, 28 or 32 bytes")
)

//go:embed english.txt
var englishText string

// wordList is the English list and its reverse index, built on first use and
// read-only afterwards.
type wordList struct {
	words []string
	index map[string]uint16
}

var english = sync.OnceValue(func() wordList {
	w := strings.Fields(englishText)
	idx := make(map[string]uint16, len(w))
	for i, s := range w {
		idx[s] = uint16(i)
	}
	return wordList{words: w, index: idx}
})

// UnknownWordError says which word of a phrase is not in the list. It
// matches ErrUnknownWord with errors.Is. It carries the position only, never
// the word: a mistyped word is still most of a secret.
type UnknownWordError struct {
	Position int // 1-based
}

func (e *UnknownWordError) Error() string {
	return fmt.Sprintf("bip39: word %d is not in the English word list", e.Position)
}

// Is reports target == ErrUnknownWord.
func (e *UnknownWordError) Is(target error) bool { return target == ErrUnknownWord }

// Mnemonic is a phrase whose words and checksum have been checked. The zero
// value is not a valid phrase.
type Mnemonic struct {
	idx []uint16 // word indices, in order
}

// Parse checks a phrase: words are separated by any white space, compared
// after NFKD normalisation and lower-casing (as Status clients cleaned what
// the user typed). The error is an *UnknownWordError naming the first
// unknown word by position, or says the count or the checksum is wrong. No
// error repeats any part of the phrase.
func Parse(phrase string) (Mnemonic, error) {
	if len(phrase) > MaxPhraseBytes {
		return Mnemonic{}, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(phrase), MaxPhraseBytes)
	}
	words := strings.Fields(strings.ToLower(norm.NFKD.String(phrase)))
	list := english()
	idx := make([]uint16, len(words))
	for i, w := range words {
		n, ok := list.index[w]
		if !ok {
			return Mnemonic{}, &UnknownWordError{Position: i + 1}
		}
		idx[i] = n
	}
	if !validCount(len(words)) {
		return Mnemonic{}, fmt.Errorf("%w, not %d", ErrWordCount, len(words))
	}
	m := Mnemonic{idx: idx}
	ent, cs := m.split()
	if want := checksum(ent, len(idx)); cs != want {
		return Mnemonic{}, ErrChecksum
	}
	return m, nil
}

// FromEntropy encodes 16 to 32 bytes of entropy (a multiple of 4) as a
// phrase: 16 bytes give 12 words. The caller supplies the randomness.
func FromEntropy(entropy []byte) (Mnemonic, error) {
	n := len(entropy)
	if n < 16 || n > 32 || n%4 != 0 {
		return Mnemonic{}, fmt.Errorf("%w, not %d", ErrEntropySize, n)
	}
	words := (n*8 + n/4) / wordBits
	bits := newBitWriter(n + 1)
	for _, b := range entropy {
		bits.write(uint32(b), 8)
	}
	bits.write(uint32(checksum(entropy, words)), n/4)
	idx := make([]uint16, words)
	r := bitReader{buf: bits.buf}
	for i := range idx {
		idx[i] = uint16(r.read(wordBits))
	}
	return Mnemonic{idx: idx}, nil
}

// Phrase returns the canonical text: lowercase English words separated by
// single spaces. It is the secret; never log it.
func (m Mnemonic) Phrase() string {
	list := english()
	words := make([]string, len(m.idx))
	for i, n := range m.idx {
		words[i] = list.words[n]
	}
	return strings.Join(words, " ")
}

// Len returns the number of words.
func (m Mnemonic) Len() int { return len(m.idx) }

// Entropy returns the entropy the phrase encodes; the caller owns the slice.
func (m Mnemonic) Entropy() []byte {
	ent, _ := m.split()
	return ent
}

// String prints the word count only, so a Mnemonic never leaks into a log.
func (m Mnemonic) String() string { return fmt.Sprintf("bip39.Mnemonic(%d words)", len(m.idx)) }

// GoString is String, for %#v.
func (m Mnemonic) GoString() string { return m.String() }

// Seed returns the 64-byte BIP-39 seed of the phrase with passphrase ("" for
// none, as Status clients used). Both are NFKD-normalised first.
func (m Mnemonic) Seed(passphrase string) ([]byte, error) {
	if len(m.idx) == 0 {
		return nil, fmt.Errorf("%w, not 0", ErrWordCount)
	}
	pw := norm.NFKD.String(m.Phrase())
	salt := norm.NFKD.Bytes([]byte(saltPrefix + passphrase))
	seed, err := pbkdf2.Key(sha512.New, pw, salt, seedIter, SeedSize)
	if err != nil {
		return nil, fmt.Errorf("bip39: seed: %w", err)
	}
	return seed, nil
}

// split returns the entropy bytes and the checksum bits of the phrase.
func (m Mnemonic) split() ([]byte, uint8) {
	total := len(m.idx) * wordBits
	csBits := total / 33
	entBytes := (total - csBits) / 8
	bits := newBitWriter(entBytes + 1)
	for _, n := range m.idx {
		bits.write(uint32(n), wordBits)
	}
	r := bitReader{buf: bits.buf}
	ent := make([]byte, entBytes)
	for i := range ent {
		ent[i] = byte(r.read(8))
	}
	return ent, uint8(r.read(csBits))
}

// checksum returns the first len(entropy)/4 bits of SHA-256(entropy) as a
// number; words is the phrase length, only used to size it.
func checksum(entropy []byte, words int) uint8 {
	csBits := words * wordBits / 33
	h := sha256.Sum256(entropy)
	return h[0] >> (8 - csBits)
}

func validCount(n int) bool { return n >= 12 && n <= 24 && n%3 == 0 }

// bitWriter appends big-endian bit fields to a byte slice.
type bitWriter struct {
	buf []byte
	n   int // bits written
}

func newBitWriter(capBytes int) *bitWriter { return &bitWriter{buf: make([]byte, 0, capBytes)} }

func (w *bitWriter) write(v uint32, bits int) {
	for i := bits - 1; i >= 0; i-- {
		if w.n%8 == 0 {
			w.buf = append(w.buf, 0)
		}
		if v>>uint(i)&1 == 1 {
			w.buf[w.n/8] |= 0x80 >> uint(w.n%8)
		}
		w.n++
	}
}

// bitReader reads big-endian bit fields from a byte slice; past the end it
// reads zeros.
type bitReader struct {
	buf []byte
	n   int
}

func (r *bitReader) read(bits int) uint32 {
	var v uint32
	for i := 0; i < bits; i++ {
		v <<= 1
		if r.n/8 < len(r.buf) && r.buf[r.n/8]&(0x80>>uint(r.n%8)) != 0 {
			v |= 1
		}
		r.n++
	}
	return v
}
