package whisper

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// mixedEnvelope returns an envelope that §5.8 accepts or refuses for one of
// its reasons, chosen at random: good, expired (within and beyond 20 s),
// from the future, too large, below the minimum PoW (random nonces score
// around the test's minimum, and a long TTL lowers it), outside the bloom. The PoW is never sealed: the nonce is
// random, so the PoW check goes either way.
func mixedEnvelope(rng *rand.Rand, now time.Time, topics []wproto.Topic) *wproto.Envelope {
	n := uint32(now.Unix())
	e := &wproto.Envelope{TTL: 50, Expiry: n + 40, Topic: topics[0], Nonce: rng.Uint64()}
	e.Data = make([]byte, 200+rng.IntN(300))
	switch rng.IntN(8) {
	case 0:
		e.Expiry = n - 5 // expired, within the allowance: dropped silently
	case 1:
		e.Expiry = n - 100 // very old
	case 2:
		e.Expiry = n + e.TTL + 30 // sent 30 s from now
	case 3:
		e.Data = make([]byte, 1500) // over the test's 1,024-byte limit
	case 4:
		e.Topic = topics[1] // not in the node's bloom
	case 5:
		e.TTL, e.Expiry = 5000, n+4990 // a PoW 100 times lower
	}
	for i := range e.Data {
		e.Data[i] = byte(rng.Uint32())
	}
	return e
}

// TestBatchedPoWDecisions: over random packets mixing good and bad
// envelopes, the entries prepare fills (PoW batched eight lanes at a time,
// on two goroutines) get exactly the decisions of the former path, where
// CheckEnvelope computes each envelope's PoW with Envelope.PoW: the same
// PoW bit for bit, the same accept or the same refusal reason.
func TestBatchedPoWDecisions(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	w := newTestWhisper(t, func(c *Config) { c.IngestWorkers = 2 })
	topics := []wproto.Topic{wproto.TopicFromName("in"), wproto.TopicFromName("out")}
	params := wproto.AcceptParams{MaxMessageSize: 1024, MinPoW: 2e-4, MinPoWTolerance: 2e-4, Bloom: wproto.TopicToBloom(topics[0])}
	rng := rand.New(rand.NewPCG(11, 12))
	counts := map[string]int{}
	for range 40 {
		es := make([]*entry, 1+rng.IntN(150))
		for i := range es {
			env := mixedEnvelope(rng, now, topics)
			es[i] = &entry{env: env, raw: env.AppendRLP(nil)}
		}
		for i, pooled := range w.prepare(es, now) {
			e := es[i]
			if pooled != nil || !e.powSet {
				t.Fatalf("entry %d: pooled %v, PoW set %v", i, pooled != nil, e.powSet)
			}
			gotPoW, gotErr := wproto.CheckEnvelopeWithPoW(e.env, now, &params, e.pow)
			wantPoW, wantErr := wproto.CheckEnvelope(e.env, now, &params)
			if (gotErr == nil) != (wantErr == nil) || (gotErr != nil && dropReason(gotErr) != dropReason(wantErr)) {
				t.Fatalf("entry %d: batched path %v, former path %v", i, gotErr, wantErr)
			}
			if math.Float64bits(gotPoW) != math.Float64bits(wantPoW) || math.Float64bits(e.pow) != math.Float64bits(e.env.PoW(now)) {
				t.Fatalf("entry %d: PoW %v / %v, want %v", i, gotPoW, e.pow, wantPoW)
			}
			reason := "accepted"
			if gotErr != nil {
				reason = dropReason(gotErr)
			}
			counts[reason]++
		}
	}
	for _, r := range []string{"accepted", dropExpired, dropVeryOld, dropFuture, dropTooLarge, dropLowPoW, dropBloom} {
		if counts[r] == 0 {
			t.Errorf("the mix had no %q envelope: %v", r, counts)
		}
	}
}

// TestBatchedIngestMatchesModel feeds random mixed packets (good, expired,
// very old, from the future, below the minimum PoW, repeated) through the
// read path and compares the pool, the drop counters and each packet's
// verdict with a model that applies CheckEnvelope (Envelope.PoW) to the
// envelopes one by one, stopping a packet at its first refusal that
// disconnects the peer.
func TestBatchedIngestMatchesModel(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	w := newTestWhisper(t, func(c *Config) {
		c.IngestWorkers = 2
		c.MinPoW = 3e-5 // what a random nonce scores, with TTL 50
		c.Now = func() time.Time { return now }
	})
	p := newPeer(w.Whisper, randomID(t), nil, func() {}, &wproto.Status{Version: 6, Bloom: wproto.FullBloom()}, true)
	params := w.acceptParams(now)
	topics := []wproto.Topic{wproto.TopicFromName("in"), wproto.TopicFromName("in")}
	rng := rand.New(rand.NewPCG(13, 14))
	model := map[common.Hash]bool{}
	drops := map[string]float64{}
	var sent []*wproto.Envelope
	for k := range 60 {
		envs := make([]*wproto.Envelope, 1+rng.IntN(100))
		for i := range envs {
			if len(sent) > 0 && rng.IntN(10) == 0 {
				envs[i] = sent[rng.IntN(len(sent))] // seen before, or in this packet
				continue
			}
			envs[i] = mixedEnvelope(rng, now, topics)
			if len(envs[i].Data) > 1000 {
				envs[i].Data = envs[i].Data[:500] // the wire decoder refuses the packet otherwise
			}
			sent = append(sent, envs[i])
		}
		var wantErr error
		for _, e := range envs {
			h := e.Hash()
			if model[h] {
				drops[dropDuplicate]++
				continue
			}
			if _, err := wproto.CheckEnvelope(e, now, &params); err != nil {
				drops[dropReason(err)]++
				if mustDisconnect(err) {
					wantErr = err
					break
				}
				continue
			}
			model[h] = true
		}
		err := w.handleEnvelopes(p, wproto.EncodeEnvelopes(envs))
		if (err == nil) != (wantErr == nil) || (err != nil && !errors.Is(err, wproto.ErrPoWTooLow)) {
			t.Fatalf("packet %d: error %v, model %v", k, err, wantErr)
		}
	}
	var got, want []common.Hash
	for _, e := range w.pool.snapshot() {
		got = append(got, e.hash())
	}
	for h := range model {
		want = append(want, h)
	}
	slices.SortFunc(got, func(a, b common.Hash) int { return a.Cmp(b) })
	slices.SortFunc(want, func(a, b common.Hash) int { return a.Cmp(b) })
	if !slices.Equal(got, want) {
		t.Fatalf("pool holds %d envelopes, the model %d", len(got), len(want))
	}
	for r, n := range drops {
		if v := w.m.dropped.Value(r); v != n {
			t.Errorf("dropped %q: %v, model %v", r, v, n)
		}
	}
	t.Logf("%d pooled, drops %v", len(want), drops)
	if len(want) == 0 || drops[dropLowPoW] == 0 || drops[dropDuplicate] == 0 || drops[dropFuture] == 0 {
		t.Errorf("the mix lacks a case: %d pooled, drops %v", len(want), drops)
	}
}

// TestSparsePacketDetached: the new envelopes of a packet that is mostly
// duplicates are pooled as copies of their own (detachFew), so the pool
// does not keep the packet alive; those of a packet that is mostly new
// alias it, as the wire decoder gives them. The test overwrites a packet
// body once it is handled (which the router's contract forbids, hence only
// for packets whose envelopes are not needed again): a pooled envelope
// that still aliases it no longer holds its bytes.
func TestSparsePacketDetached(t *testing.T) {
	w, p, envs := sparseRouter(t, 13, 1)
	// holds reports whether the pool has e with its wire bytes intact.
	holds := func(e *wproto.Envelope) bool {
		raw := e.AppendRLP(nil)
		for _, x := range w.pool.snapshot() {
			if bytes.Equal(x.raw, raw) && bytes.Equal(x.env.Data, e.Data) {
				return true
			}
		}
		return false
	}
	handle := func(overwrite bool, es ...*wproto.Envelope) {
		t.Helper()
		body := wproto.EncodeEnvelopes(es)
		if err := w.handleEnvelopes(p, body); err != nil {
			t.Fatal(err)
		}
		if overwrite {
			clear(body)
		}
	}
	pooled := func(want int) {
		t.Helper()
		if n, _ := w.pool.stats(); n != want {
			t.Fatalf("%d pooled, want %d", n, want)
		}
	}

	handle(false, envs[:8]...) // eight new envelopes
	pooled(8)
	// The same eight, now duplicates, around two new ones: fewer than a
	// quarter new, so those two are copied out of the packet.
	handle(true, append([]*wproto.Envelope{envs[8]}, append(envs[:8:8], envs[9])...)...)
	pooled(10)
	for i, e := range envs[8:10] {
		if !holds(e) {
			t.Fatalf("new envelope %d of a packet of duplicates lost its bytes with the packet", i)
		}
	}
	// Three new envelopes: pooled where they lie in the packet.
	handle(true, envs[10:]...)
	pooled(13)
	for i, e := range envs[10:] {
		if holds(e) {
			t.Fatalf("envelope %d of a packet of new envelopes was copied out of it", i)
		}
	}
}

// TestSparsePacketsRetainLittle: a relay whose peers send mostly
// duplicates keeps about the bytes of what it pools, not the packets they
// came in. 256 packets of 127 pooled envelopes and one new one each add
// 256 envelopes to the pool; without detachFew each pins its packet (some
// 54 KB of body and slabs), with it the heap grows by well under 4 KiB an
// envelope.
func TestSparsePacketsRetainLittle(t *testing.T) {
	const dups, packets = 127, 256
	w, p, envs := sparseRouter(t, dups+packets, 200)
	if err := w.handleEnvelopes(p, wproto.EncodeEnvelopes(envs[:dups])); err != nil {
		t.Fatal(err)
	}
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	before := heap()
	for k := range packets {
		packet := append(envs[:dups:dups], envs[dups+k])
		if err := w.handleEnvelopes(p, wproto.EncodeEnvelopes(packet)); err != nil {
			t.Fatal(err)
		}
	}
	grown := int64(heap()) - int64(before)
	runtime.KeepAlive(envs) // counted in before, so alive in after too
	if n, _ := w.pool.stats(); n != dups+packets {
		t.Fatalf("%d pooled, want %d", n, dups+packets)
	}
	t.Logf("heap grew %d B for %d envelopes pooled from packets of duplicates", grown, packets)
	if per := grown / packets; per > 4096 {
		t.Fatalf("heap grew %d B an envelope pooled from a packet of duplicates, want at most 4096", per)
	}
}

// sparseRouter returns a router at a fixed time, a trusted peer of it, and
// n envelopes it accepts, each a distinct payload of size bytes or more.
func sparseRouter(t *testing.T, n, size int) (*testNode, *peer, []*wproto.Envelope) {
	now := time.Unix(1_700_000_000, 0)
	w := newTestWhisper(t, func(c *Config) {
		c.MinPoW = 1e-4
		c.Now = func() time.Time { return now }
	})
	p := newPeer(w.Whisper, randomID(t), nil, func() {}, &wproto.Status{Version: 6, Bloom: wproto.FullBloom()}, true)
	key := testKey(t)
	topic := wproto.TopicFromName("sparse")
	envs := make([]*wproto.Envelope, n)
	for i := range envs {
		payload := binary.BigEndian.AppendUint32(make([]byte, size), uint32(i))
		envs[i] = sealed(t, key, topic, payload, now, 1e-4)
	}
	return w, p, envs
}
