package whisper

import (
	"encoding/binary"
	"time"

	"github.com/statusnode/statusd/lib/multikeccak"
)

// minPoWBatch is the fewest envelopes PoWBatch hashes together: below it,
// one by one with the single-state assembly Keccak costs no more.
const minPoWBatch = 2

// PoWBatch computes the proof of work (§5.4) of many envelopes at once: the
// Keccak-256 of their RLP-without-nonce ‖ nonce inputs run eight (AVX-512)
// or four (AVX2) at a time through lib/multikeccak, and one by one (as
// Envelope.PoW) on other CPUs. The results equal Envelope.PoW bit for bit.
//
// A PoWBatch keeps its buffers between calls, is not safe for concurrent
// use, and belongs to one goroutine at a time. The zero value is ready.
type PoWBatch struct {
	b     *multikeccak.Batch
	sums  [][32]byte
	sizes []int
	head  [maxEnvelopeRLPOverhead]byte
	nonce [8]byte
}

// PoW sets out[i] = envs[i].PoW(now) for every envelope; out must be at
// least as long as envs.
func (p *PoWBatch) PoW(envs []*Envelope, now time.Time, out []float64) {
	out = out[:len(envs)]
	if len(envs) < minPoWBatch || !multikeccak.Accelerated() {
		for i, e := range envs {
			out[i] = e.PoW(now)
		}
		return
	}
	if p.b == nil {
		p.b = multikeccak.New()
	}
	p.b.Reset()
	p.sizes = p.sizes[:0]
	for _, e := range envs {
		head, n := e.appendHead(p.head[:0], false)
		p.b.Write(head)
		p.b.Write(e.Data)
		binary.BigEndian.PutUint64(p.nonce[:], e.Nonce)
		p.b.Write(p.nonce[:])
		p.b.End()
		p.sizes = append(p.sizes, n)
	}
	if cap(p.sums) < len(envs) {
		p.sums = make([][32]byte, len(envs))
	}
	sums := p.sums[:len(envs)]
	p.b.Sum(sums)
	for i, e := range envs {
		out[i] = powValue(leadingZeroBits(&sums[i]), p.sizes[i], e.TTL+e.powDiff(now))
	}
}
