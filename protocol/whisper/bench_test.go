package whisper

import (
	"crypto/rand"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func benchEnvelope(b *testing.B, payload int) *Envelope {
	b.Helper()
	e, err := Wrap(&MessageParams{TTL: 15, KeySym: &fuzzSymKey, Topic: TopicFromName("status"), Payload: make([]byte, payload)}, fuzzNow, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

func BenchmarkPoW(b *testing.B) {
	e := benchEnvelope(b, 100)
	b.ReportAllocs()
	for b.Loop() {
		e.Nonce++
		_ = e.PoW(fuzzNow)
	}
}

// BenchmarkSearch measures raw nonce throughput of one Searcher (per core),
// in runs of 64 nonces as a seal worker's chunks are, eight at a time
// where the CPU has vector Keccak ("as built") and one at a time.
func BenchmarkSearch(b *testing.B) {
	const run = 64
	e := benchEnvelope(b, 100)
	built, _ := NewWork(e, -1)
	single := *built
	single.lanes = nil
	for _, m := range []struct {
		name string
		w    *Work
	}{{"as built", built}, {"single state", &single}} {
		b.Run(m.name, func(b *testing.B) {
			s := m.w.NewSearcher()
			b.ReportAllocs()
			var start uint64
			for b.Loop() {
				s.Search(start, run)
				start += run
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*run), "ns/nonce")
		})
	}
}

func BenchmarkSealLowTarget(b *testing.B) {
	p := &MessageParams{TTL: 15, KeySym: &fuzzSymKey, Topic: TopicFromName("status"), Payload: make([]byte, 100), PoW: StatusPoWTarget}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Seal(p, fuzzNow, rand.Reader, 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeEnvelope(b *testing.B) {
	in := benchEnvelope(b, 1000).AppendRLP(nil)
	b.SetBytes(int64(len(in)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeEnvelope(in, DefaultMaxMessageSize); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEnvelopeHash(b *testing.B) {
	e := benchEnvelope(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		_ = e.Hash()
	}
}

func BenchmarkOpenSymmetric(b *testing.B) {
	alice, _ := crypto.GenerateKey()
	e, _ := Wrap(&MessageParams{KeySym: &fuzzSymKey, Src: alice, Payload: make([]byte, 200)}, fuzzNow, rand.Reader)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenSymmetric(e, &fuzzSymKey, fuzzNow); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenAsymmetric(b *testing.B) {
	alice, _ := crypto.GenerateKey()
	e, _ := Wrap(&MessageParams{Dst: &fuzzBob.PublicKey, Src: alice, Payload: make([]byte, 200)}, fuzzNow, rand.Reader)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenAsymmetric(e, fuzzBob, fuzzNow); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenSymmetricWrongKey is the common filter case: a key that fails.
func BenchmarkOpenSymmetricWrongKey(b *testing.B) {
	e := benchEnvelope(b, 200)
	other := SymKey{9}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := OpenSymmetric(e, &other, fuzzNow); err == nil {
			b.Fatal("opened with the wrong key")
		}
	}
}

func BenchmarkSymKeyFromPassword(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SymKeyFromPassword("status"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPoWBatch is the PoW of a 128-envelope packet, batched, per
// envelope (compare BenchmarkPoW).
func BenchmarkPoWBatch(b *testing.B) {
	envs := make([]*Envelope, 128)
	for i := range envs {
		envs[i] = benchEnvelope(b, 100)
	}
	out := make([]float64, len(envs))
	var p PoWBatch
	b.ReportAllocs()
	for b.Loop() {
		p.PoW(envs, fuzzNow, out)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(envs)), "ns/envelope")
}
