package identity

import (
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"
)

// scryptKey derives keyLen bytes from password and salt with scrypt
// (RFC 7914) at cost n (a power of two above 1), block size r and
// parallelism p. It computes the same function as golang.org/x/crypto/scrypt
// but keeps its large working array (128·r·n bytes: 256 MiB at the
// keystore's standard cost) in an anonymous memory mapping outside the Go
// heap, unmapped before it returns. Allocated on the heap, that array would
// grow the heap to its size once per start, and later large allocations
// would reuse its freed pages, which the runtime zeroes (so makes resident)
// unless they went back to the OS in between: a daemon that derives one key
// at start-up would keep megabytes more resident for the rest of its life
// than one that never did.
//
// Every buffer holding intermediate state is wiped before it is released;
// the returned key belongs to the caller, who should wipe it after use.
// It runs on the caller's goroutine and blocks for the whole derivation.
func scryptKey(password, salt []byte, n, r, p, keyLen int) ([]byte, error) {
	if err := checkScryptParams(n, r, p, keyLen); err != nil {
		return nil, err
	}
	words := 32 * r // a 128·r-byte block as 32-bit words
	v, err := mapWords(words * n)
	if err != nil {
		return nil, fmt.Errorf("identity: scrypt working memory of %d MiB: %w", 128*r*n>>20, err)
	}
	defer v.release()
	b, err := pbkdf2.Key(sha256.New, string(password), salt, 1, p*128*r)
	if err != nil {
		return nil, fmt.Errorf("identity: scrypt: %w", err)
	}
	defer clear(b)
	xy := make([]uint32, 2*words)
	defer clear(xy)
	for i := range p {
		roMix(b[i*128*r:(i+1)*128*r], v.words, xy, n, r)
	}
	key, err := pbkdf2.Key(sha256.New, string(password), b, 1, keyLen)
	if err != nil {
		return nil, fmt.Errorf("identity: scrypt: %w", err)
	}
	return key, nil
}

// errScryptParams is returned for scrypt costs the function is not
// defined for or that overflow the address space.
var errScryptParams = errors.New("identity: invalid scrypt parameters")

// checkScryptParams accepts what RFC 7914 section 2 defines (n a power of two
// above 1, r·p < 2^30) and what fits in memory arithmetic.
func checkScryptParams(n, r, p, keyLen int) error {
	switch {
	case n <= 1 || n&(n-1) != 0:
		return fmt.Errorf("%w: n = %d is not a power of two above 1", errScryptParams, n)
	case r <= 0 || p <= 0 || uint64(r)*uint64(p) >= 1<<30:
		return fmt.Errorf("%w: r = %d, p = %d", errScryptParams, r, p)
	case r > math.MaxInt/256/p || n > math.MaxInt/128/r:
		return fmt.Errorf("%w: n = %d, r = %d, p = %d overflow", errScryptParams, n, r, p)
	case keyLen <= 0:
		return fmt.Errorf("%w: key length %d", errScryptParams, keyLen)
	}
	return nil
}

// roMix is scryptROMix (RFC 7914 section 5) on the 128·r bytes of b, in place.
// v holds n blocks of 32·r words and xy two; both are scratch.
func roMix(b []byte, v, xy []uint32, n, r int) {
	words := 32 * r
	x, y := xy[:words], xy[words:]
	for i := range x {
		x[i] = binary.LittleEndian.Uint32(b[4*i:])
	}
	for i := range n {
		copy(v[i*words:(i+1)*words], x)
		blockMix(x, y, r)
		x, y = y, x
	}
	mask := uint64(n - 1)
	for range n {
		j := int(integerify(x, r) & mask)
		xorWords(x, v[j*words:(j+1)*words])
		blockMix(x, y, r)
		x, y = y, x
	}
	for i, w := range x {
		binary.LittleEndian.PutUint32(b[4*i:], w)
	}
}

// integerify reads the first 64 bits of the last 64-byte block of x as a
// little-endian integer (RFC 7914 section 5, Integerify).
func integerify(x []uint32, r int) uint64 {
	last := (2*r - 1) * 16
	return uint64(x[last]) | uint64(x[last+1])<<32
}

func xorWords(dst, src []uint32) {
	src = src[:len(dst)]
	for i := range dst {
		dst[i] ^= src[i]
	}
}

// blockMix is scryptBlockMix (RFC 7914 section 4) of the 2·r 64-byte blocks in
// into out: each block is XORed into a running state that Salsa20/8 then
// mixes, and the results land at even positions first, odd ones after.
func blockMix(in, out []uint32, r int) {
	s := *(*[16]uint32)(in[(2*r-1)*16:])
	for i := range 2 * r {
		salsa208XOR(&s, (*[16]uint32)(in[i*16:]))
		*(*[16]uint32)(out[(i/2+(i%2)*r)*16:]) = s
	}
}

// salsa208XOR replaces s with the Salsa20/8 core (RFC 7914 section 3) of s XOR b:
// four double rounds of quarter-rounds on the columns, then the rows, of
// the 4×4 word matrix, added to that input.
func salsa208XOR(s, b *[16]uint32) {
	w0, w1, w2, w3 := s[0]^b[0], s[1]^b[1], s[2]^b[2], s[3]^b[3]
	w4, w5, w6, w7 := s[4]^b[4], s[5]^b[5], s[6]^b[6], s[7]^b[7]
	w8, w9, w10, w11 := s[8]^b[8], s[9]^b[9], s[10]^b[10], s[11]^b[11]
	w12, w13, w14, w15 := s[12]^b[12], s[13]^b[13], s[14]^b[14], s[15]^b[15]
	x0, x1, x2, x3, x4, x5, x6, x7 := w0, w1, w2, w3, w4, w5, w6, w7
	x8, x9, x10, x11, x12, x13, x14, x15 := w8, w9, w10, w11, w12, w13, w14, w15
	for range 4 {
		// Columns.
		x0, x4, x8, x12 = quarterRound(x0, x4, x8, x12)
		x5, x9, x13, x1 = quarterRound(x5, x9, x13, x1)
		x10, x14, x2, x6 = quarterRound(x10, x14, x2, x6)
		x15, x3, x7, x11 = quarterRound(x15, x3, x7, x11)
		// Rows.
		x0, x1, x2, x3 = quarterRound(x0, x1, x2, x3)
		x5, x6, x7, x4 = quarterRound(x5, x6, x7, x4)
		x10, x11, x8, x9 = quarterRound(x10, x11, x8, x9)
		x15, x12, x13, x14 = quarterRound(x15, x12, x13, x14)
	}
	*s = [16]uint32{
		x0 + w0, x1 + w1, x2 + w2, x3 + w3, x4 + w4, x5 + w5, x6 + w6, x7 + w7,
		x8 + w8, x9 + w9, x10 + w10, x11 + w11, x12 + w12, x13 + w13, x14 + w14, x15 + w15,
	}
}

// quarterRound is Salsa20's quarter-round on (a, b, c, d).
func quarterRound(a, b, c, d uint32) (uint32, uint32, uint32, uint32) {
	b ^= bits.RotateLeft32(a+d, 7)
	c ^= bits.RotateLeft32(b+a, 9)
	d ^= bits.RotateLeft32(c+b, 13)
	a ^= bits.RotateLeft32(d+c, 18)
	return a, b, c, d
}
