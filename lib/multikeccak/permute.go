package multikeccak

import "math/bits"

// state8 is eight Keccak-f[1600] states interleaved: word i of state j is
// s[i][j], so word i of all eight states fills one 512-bit register.
type state8 [25][lanes]uint64

// lanes is the number of states permuted together.
const lanes = 8

// impl is a permutation of eight states.
type impl int

const (
	implGeneric impl = iota // portable Go, one state after another
	implAVX2                // four states at a time in YMM registers
	implAVX512              // eight states at once in ZMM registers
)

func (i impl) String() string {
	switch i {
	case implAVX2:
		return "avx2"
	case implAVX512:
		return "avx512"
	}
	return "generic"
}

// rho is the rotation of word x+5y (FIPS 202 section 3.2.2).
var rho = [25]uint{
	0, 1, 62, 28, 27,
	36, 44, 6, 55, 20,
	3, 10, 43, 25, 39,
	41, 45, 15, 21, 8,
	18, 2, 61, 56, 14,
}

// roundConsts are the ι constants (FIPS 202 section 3.2.5).
var roundConsts = [24]uint64{
	0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
	0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
	0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
	0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
	0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
	0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
}

// piDst is where π moves word x+5y: to y+5((2x+3y) mod 5) (FIPS 202
// section 3.2.3).
var piDst = func() (t [25]int) {
	for x := range 5 {
		for y := range 5 {
			t[x+5*y] = y + 5*((2*x+3*y)%5)
		}
	}
	return t
}()

// keccakF1600 is the portable Keccak-f[1600] permutation of one state,
// written for clarity from FIPS 202 section 3.3 rather than speed.
func keccakF1600(a *[25]uint64) {
	var c [5]uint64
	var b [25]uint64
	for _, k := range roundConsts {
		for x := range 5 {
			c[x] = a[x] ^ a[x+5] ^ a[x+10] ^ a[x+15] ^ a[x+20]
		}
		for x := range 5 {
			d := c[(x+4)%5] ^ bits.RotateLeft64(c[(x+1)%5], 1)
			for y := 0; y < 25; y += 5 {
				a[x+y] ^= d
			}
		}
		for i, w := range a {
			b[piDst[i]] = bits.RotateLeft64(w, int(rho[i]))
		}
		for y := 0; y < 25; y += 5 {
			b0, b1, b2, b3, b4 := b[y], b[y+1], b[y+2], b[y+3], b[y+4]
			a[y] = b0 ^ (^b1 & b2)
			a[y+1] = b1 ^ (^b2 & b3)
			a[y+2] = b2 ^ (^b3 & b4)
			a[y+3] = b3 ^ (^b4 & b0)
			a[y+4] = b4 ^ (^b0 & b1)
		}
		a[0] ^= k
	}
}

// permute8Generic permutes the eight states of s one after another.
func permute8Generic(s *state8) {
	for j := range lanes {
		var a [25]uint64
		for i := range a {
			a[i] = s[i][j]
		}
		keccakF1600(&a)
		for i := range a {
			s[i][j] = a[i]
		}
	}
}
