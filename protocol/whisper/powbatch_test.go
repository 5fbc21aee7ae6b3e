package whisper

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// randomPoWEnvelope varies every field that changes the PoW input's encoding:
// integer sizes, Data lengths around the RLP string-header borders and
// the Keccak block size, single-byte Data, and sent times in the future.
func randomPoWEnvelope(rng *rand.Rand, now time.Time) *Envelope {
	e := &Envelope{TTL: uint32(rng.IntN(1000)), Nonce: rng.Uint64() >> rng.IntN(64)}
	e.Expiry = uint32(now.Unix()) + e.TTL - 30 + uint32(rng.IntN(60))
	if rng.IntN(8) == 0 {
		e.Expiry, e.TTL = rng.Uint32(), rng.Uint32()
	}
	for i := range e.Topic {
		e.Topic[i] = byte(rng.Uint32())
	}
	e.Data = make([]byte, rng.IntN(1100))
	for i := range e.Data {
		e.Data[i] = byte(rng.Uint32())
	}
	return e
}

// TestPoWBatchEqualsPoW: the batched PoW equals Envelope.PoW bit for bit
// for packets of every size 0…40.
func TestPoWBatchEqualsPoW(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	now := time.Unix(1_600_000_000, 0)
	var p PoWBatch
	for n := 0; n <= 40; n++ {
		for range 5 {
			envs := make([]*Envelope, n)
			for i := range envs {
				envs[i] = randomPoWEnvelope(rng, now)
			}
			// single-byte Data, both sides of 0x80
			if n > 2 {
				envs[0].Data, envs[1].Data = []byte{0x7f}, []byte{0x80}
			}
			out := make([]float64, n)
			p.PoW(envs, now, out)
			for i, e := range envs {
				if want := e.PoW(now); math.Float64bits(out[i]) != math.Float64bits(want) {
					t.Fatalf("n=%d envelope %d (%d bytes): batch %v, PoW %v", n, i, len(e.Data), out[i], want)
				}
			}
		}
	}
}

// FuzzPoWBatch compares the batched PoW with Envelope.PoW for envelopes
// cut from the fuzz input.
func FuzzPoWBatch(f *testing.F) {
	f.Add([]byte("some data"), uint64(1), uint32(5))
	f.Fuzz(func(t *testing.T, data []byte, nonce uint64, ttl uint32) {
		now := time.Unix(1_600_000_000, 0)
		var envs []*Envelope
		for i := 0; i <= len(data); i += 1 + len(data)/5 {
			envs = append(envs, &Envelope{Expiry: uint32(now.Unix()) + ttl, TTL: ttl + uint32(i), Data: data[i:], Nonce: nonce + uint64(i)})
		}
		out := make([]float64, len(envs))
		new(PoWBatch).PoW(envs, now, out)
		for i, e := range envs {
			if want := e.PoW(now); math.Float64bits(out[i]) != math.Float64bits(want) {
				t.Fatalf("envelope %d: batch %v, PoW %v", i, out[i], want)
			}
		}
	})
}
