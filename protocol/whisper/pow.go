package whisper

import (
	"encoding"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/lib/multikeccak"
)

// PoW returns the envelope's proof of work as status-im/whisper ≥ v1.5 and
// go-ethereum ≥ PR #19753 (v1.9.x) compute it (docs/PROTOCOL.md §5.4):
//
//	h   = keccak256(RLP([Expiry, TTL, Topic, Data]) ‖ Nonce as 8 bytes BE)
//	PoW = 2^(256 − bitlen(h)) / (len(RLP without nonce) × (TTL + diff))
//
// diff is 0 unless the envelope claims a sent time after now, in which case
// diff = sent − now + 1 (§5.4, §5.8). TTL + diff is uint32 arithmetic, as
// in the peers; a zero result gives +Inf (see doc.go: reject TTL 0 first).
func (e *Envelope) PoW(now time.Time) float64 {
	var h [32]byte
	n := e.powSum(&h)
	return powValue(leadingZeroBits(&h), n, e.TTL+e.powDiff(now))
}

// PoWLegacy returns the proof of work as status-im/whisper ≤ v1.4.14 and
// geth ≤ 1.8 compute it (§5.4), for talking about old peers' numbers:
//
//	d   = keccak256(keccak256(RLP without nonce) ‖ 24 zero bytes ‖ Nonce BE)
//	PoW = 2^(lowest set bit of d) / ((20 + len(Data)) × (TTL + diff))
func (e *Envelope) PoWLegacy(now time.Time) float64 {
	var buf [64]byte
	copy(buf[:32], crypto.Keccak256(e.RLPWithoutNonce()))
	binary.BigEndian.PutUint64(buf[56:], e.Nonce)
	var d [32]byte
	copy(d[:], crypto.Keccak256(buf[:]))
	return powValue(trailingZeroBits(&d), e.Size(), e.TTL+e.powDiff(now))
}

// powDiff is the §5.4 future-timestamp adjustment.
func (e *Envelope) powDiff(now time.Time) uint32 {
	sent, n := int64(e.Sent()), now.Unix()
	if sent > n {
		return uint32(sent - n + 1)
	}
	return 0
}

func powValue(zeroBits, size int, ttl uint32) float64 {
	x := math.Pow(2, float64(zeroBits))
	x /= float64(size)
	x /= float64(ttl)
	return x
}

// powHash writes keccak256(buf) to out after putting nonce (8 bytes BE)
// into the last 8 bytes of buf, which is RLP-without-nonce ‖ 8 bytes of room.
func powHash(h crypto.KeccakState, buf []byte, nonce uint64, out *[32]byte) {
	binary.BigEndian.PutUint64(buf[len(buf)-8:], nonce)
	h.Reset()
	h.Write(buf)
	h.Read(out[:])
}

// leadingZeroBits is 256 − bitlen(h) for h read as a big-endian integer.
func leadingZeroBits(h *[32]byte) int {
	for i := 0; i < 32; i += 8 {
		if w := binary.BigEndian.Uint64(h[i:]); w != 0 {
			return i*8 + bits.LeadingZeros64(w)
		}
	}
	return 256
}

// trailingZeroBits is the index of the lowest set bit of h read as a
// big-endian integer; 0 for h = 0, as the reference code's FirstBitSet.
func trailingZeroBits(h *[32]byte) int {
	for i := 24; i >= 0; i -= 8 {
		if w := binary.BigEndian.Uint64(h[i:]); w != 0 {
			return (24-i)*8 + bits.TrailingZeros64(w)
		}
	}
	return 0
}

// TargetBits converts a PoW target into the number of leading zero bits the
// sealer looks for: ceil(log2(pow × (20 + len(Data)) × TTL)), at least 1
// (§5.4). It uses size() and the bare TTL, as the reference sealer does, so a
// nonce meeting it may still score slightly differently under PoW.
func (e *Envelope) TargetBits(pow float64) int {
	x := pow * float64(e.Size()) * float64(e.TTL)
	b := math.Ceil(math.Log2(x))
	if math.IsNaN(b) || b < 1 {
		return 1
	}
	if b > 256 {
		return 257 // unreachable on purpose
	}
	return int(b)
}

// Work is the nonce search of one envelope. It is immutable once built and
// may be shared by several goroutines, each with its own Searcher.
type Work struct {
	prefix []byte
	target int // leading zero bits wanted; 0 = no target (keep the best)
	// lanes is prefix absorbed once, for Searchers that try eight nonces
	// at a time; nil without vector Keccak.
	lanes *multikeccak.Prefix
}

// NewWork prepares the search for e. target > 0 asks for TargetBits(target)
// leading zero bits; target < 0 means "no target, keep the best found in the
// time given" (the caller then adds WorkTime to Expiry, see Wrap); target 0
// needs no work and is rejected here. Changing e afterwards does not affect w.
func NewWork(e *Envelope, target float64) (*Work, error) {
	if target == 0 || math.IsNaN(target) || math.IsInf(target, 0) {
		return nil, fmt.Errorf("%w: target %v", ErrInvalidPoW, target)
	}
	w := &Work{prefix: e.RLPWithoutNonce()}
	if multikeccak.Accelerated() {
		w.lanes = multikeccak.NewPrefix(w.prefix)
	}
	if target > 0 {
		w.target = e.TargetBits(target)
	}
	return w, nil
}

// TargetBits is the number of leading zero bits searched for (0: none).
func (w *Work) TargetBits() int { return w.target }

// Reached reports whether a result of zeroBits meets the target.
func (w *Work) Reached(zeroBits int) bool { return w.target > 0 && zeroBits >= w.target }

// Searcher tries nonces for one Work. It owns a buffer of the envelope's size
// and is not safe for concurrent use; make one per goroutine.
//
// The hash input is the envelope's RLP followed by the nonce, so the RLP is
// absorbed once and its sponge state kept; each nonce then costs the
// permutation of the last block instead of hashing the whole envelope
// again, which made sealing quadratic in the envelope size. On CPUs with
// vector Keccak (lib/multikeccak: AVX-512 or AVX2) a Searcher tries eight
// consecutive nonces per call of the eight-state permutation (a sixth of
// the time a nonce with AVX-512, BenchmarkNonces); otherwise it restores a
// marshaled single state per nonce, or without one hashes buf whole. The
// hashes, and so the nonce found, are the same every way.
type Searcher struct {
	w     *Work
	buf   []byte // prefix ‖ nonce room, when mid is nil
	h     crypto.KeccakState
	out   [32]byte
	mid   []byte                     // h's marshaled state after the prefix
	reset encoding.BinaryUnmarshaler // h, restoring mid
	nonce [8]byte

	lanes *multikeccak.NonceHasher // set when w.lanes is
	sums  [8][32]byte
}

// NewSearcher returns a Searcher for w.
func (w *Work) NewSearcher() *Searcher {
	if w.lanes != nil {
		return &Searcher{w: w, lanes: multikeccak.NewNonceHasher()}
	}
	s := &Searcher{w: w, h: crypto.NewKeccakState()}
	m, okM := s.h.(encoding.BinaryMarshaler)
	u, okU := s.h.(encoding.BinaryUnmarshaler)
	if okM && okU {
		s.h.Write(w.prefix)
		if mid, err := m.MarshalBinary(); err == nil {
			s.mid, s.reset = mid, u
			return s
		}
	}
	s.h.Reset()
	s.buf = make([]byte, len(w.prefix)+8)
	copy(s.buf, w.prefix)
	return s
}

// hash writes keccak256(prefix ‖ n as 8 bytes BE) to s.out.
func (s *Searcher) hash(n uint64) {
	if s.lanes != nil {
		s.lanes.Sum8(s.w.lanes, n, &s.sums)
		s.out = s.sums[0]
		return
	}
	if s.mid == nil || s.reset.UnmarshalBinary(s.mid) != nil {
		if s.buf == nil {
			s.buf = append(append([]byte(nil), s.w.prefix...), s.nonce[:]...)
		}
		powHash(s.h, s.buf, n, &s.out)
		return
	}
	binary.BigEndian.PutUint64(s.nonce[:], n)
	s.h.Write(s.nonce[:])
	s.h.Read(s.out[:])
}

// Search tries nonces start, start+1, … (count of them, wrapping at 2^64)
// and returns the one with the most leading zero bits (the first on ties)
// and that number (−1 when count is 0). It stops early as soon as the
// target is reached.
func (s *Searcher) Search(start, count uint64) (nonce uint64, zeroBits int) {
	if s.lanes != nil {
		return s.searchLanes(start, count)
	}
	nonce, zeroBits = start, -1
	for i := uint64(0); i < count; i++ {
		n := start + i
		s.hash(n)
		if z := leadingZeroBits(&s.out); z > zeroBits {
			nonce, zeroBits = n, z
			if s.w.Reached(z) {
				return nonce, zeroBits
			}
		}
	}
	return nonce, zeroBits
}

// searchLanes is Search eight nonces at a time; of the last eight it
// looks only at those within count. i advances by the nonces looked at,
// so it reaches count exactly and never wraps, whatever count is.
func (s *Searcher) searchLanes(start, count uint64) (nonce uint64, zeroBits int) {
	nonce, zeroBits = start, -1
	for i := uint64(0); i < count; {
		s.lanes.Sum8(s.w.lanes, start+i, &s.sums)
		n := min(uint64(len(s.sums)), count-i)
		for j := range n {
			if z := leadingZeroBits(&s.sums[j]); z > zeroBits {
				nonce, zeroBits = start+i+j, z
				if s.w.Reached(z) {
					return nonce, zeroBits
				}
			}
		}
		i += n
	}
	return nonce, zeroBits
}

// SealNonces is the serial, clock-free sealer: it searches nonces
// [0, maxNonces) of e for the target (see NewWork; target 0 leaves e as it
// is) and stores the best nonce in e.Nonce. It returns ErrPoWTargetMissed
// if a positive target was not reached. transport/whisper spreads the same
// search over all cores under a time budget.
func SealNonces(e *Envelope, target float64, maxNonces uint64) error {
	if target == 0 {
		return nil
	}
	w, err := NewWork(e, target)
	if err != nil {
		return err
	}
	nonce, z := w.NewSearcher().Search(0, maxNonces)
	e.Nonce = nonce
	if target > 0 && !w.Reached(z) {
		return fmt.Errorf("%w: best %d of %d bits in %d nonces", ErrPoWTargetMissed, z, w.target, maxNonces)
	}
	return nil
}
