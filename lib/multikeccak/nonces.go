package multikeccak

import (
	"encoding/binary"
	"math/bits"
)

// Prefix is a message prefix absorbed once, for hashing it followed by
// many different 8-byte nonces (NonceHasher.Sum8): a proof-of-work search,
// whose input is fixed but for a nonce at its end. The blocks the prefix
// fills are permuted once, here; each nonce then costs the one or two
// blocks that hold the rest of the prefix, the nonce and the padding. A
// Prefix is immutable and safe to share between goroutines.
type Prefix struct {
	mid    [25]uint64          // the sponge after the prefix's full blocks
	final  [2][rate / 8]uint64 // last block(s): the tail and the padding, zero where the nonce goes
	at     int                 // offset of the nonce in final, in bytes
	blocks int                 // 1, or 2 when tail, nonce and padding overflow a block
}

// NewPrefix absorbs prefix. The slice is not kept.
func NewPrefix(prefix []byte) *Prefix {
	p := new(Prefix)
	full := len(prefix) / rate * rate
	if full > 0 {
		// The full blocks go through lane 0 of an eight-state permutation
		// (the other lanes idle): the same result as one state, at the
		// speed of the vector code.
		var st state8
		var tmp [25][4]uint64
		for off := 0; off < full; off += rate {
			for i := range rate / 8 {
				st[i][0] ^= binary.LittleEndian.Uint64(prefix[off+8*i:])
			}
			permute8(&st, &tmp, best, 0x01)
		}
		for i := range p.mid {
			p.mid[i] = st[i][0]
		}
	}
	tail := prefix[full:]
	var buf [2 * rate]byte
	copy(buf[:], tail)
	p.at = len(tail)
	end := p.at + 8 // the padding starts here
	p.blocks = 1
	if end+1 > rate {
		p.blocks = 2
	}
	buf[end] = 0x01
	buf[p.blocks*rate-1] |= 0x80
	for b := range p.blocks {
		for i := range rate / 8 {
			p.final[b][i] = binary.LittleEndian.Uint64(buf[b*rate+8*i:])
		}
	}
	return p
}

// NonceHasher hashes a Prefix followed by eight consecutive nonces at a
// time, eight states permuted together (four twice with AVX2, in portable
// Go without either; see Accelerated). It holds the states as scratch, is
// not safe for concurrent use, and belongs to one goroutine at a time. The
// zero value is not ready: use NewNonceHasher.
type NonceHasher struct {
	impl impl
	st   state8
	tmp  [25][4]uint64
}

// NewNonceHasher returns a NonceHasher that uses the fastest permutation
// this CPU offers.
func NewNonceHasher() *NonceHasher { return &NonceHasher{impl: best} }

// Sum8 sets out[i] to the legacy Keccak-256 of the prefix of p followed by
// first+i (wrapping at 2^64) as 8 big-endian bytes, for i < 8.
func (h *NonceHasher) Sum8(p *Prefix, first uint64, out *[lanes][32]byte) {
	// The nonce's bytes, in the little-endian words the sponge reads:
	// byte k of the big-endian nonce sits at byte p.at+k of the final
	// blocks, so the whole nonce is one byte-reversed word shifted to
	// p.at, spread over word w and, unless aligned, w+1.
	w, shift := p.at/8, 8*uint(p.at%8)
	for b := range p.blocks {
		for i := range rate / 8 {
			v := p.final[b][i]
			if b == 0 {
				v ^= p.mid[i]
			}
			row := &h.st[i]
			if b == 0 {
				for j := range row {
					row[j] = v
				}
			} else {
				for j := range row {
					row[j] ^= v
				}
			}
		}
		if b == 0 {
			for i := rate / 8; i < len(h.st); i++ {
				row := &h.st[i]
				for j := range row {
					row[j] = p.mid[i]
				}
			}
		}
		for j := range lanes {
			be := bits.ReverseBytes64(first + uint64(j))
			h.xorWord(j, b, w, be<<shift)
			if shift != 0 {
				h.xorWord(j, b, w+1, be>>(64-shift))
			}
		}
		permute8(&h.st, &h.tmp, h.impl, 0xFF)
	}
	for j := range lanes {
		for i := range 4 {
			binary.LittleEndian.PutUint64(out[j][8*i:], h.st[i][j])
		}
	}
}

// xorWord XORs v into lane j at word i of the final blocks (counted across
// both), if that word is in block b.
func (h *NonceHasher) xorWord(j, b, i int, v uint64) {
	if i/(rate/8) == b {
		h.st[i%(rate/8)][j] ^= v
	}
}
