package whisper

import (
	"context"
	"crypto/rand"
	"errors"
	"runtime"
	"testing"
	"time"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

var testNow = time.Unix(1565000000, 0)

func testEnvelope(t testing.TB, payload int) *wproto.Envelope {
	t.Helper()
	key, err := wproto.GenerateSymKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	p := &wproto.MessageParams{
		TTL:     15,
		KeySym:  &key,
		Topic:   wproto.TopicFromName("status"),
		Payload: make([]byte, payload),
		PoW:     0.002,
	}
	e, err := wproto.Wrap(p, testNow, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// waitGoroutines waits, with a deadline, until the goroutine count is back
// to at most want: Seal's workers must all have exited.
func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want {
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d, want ≤ %d", runtime.NumGoroutine(), want)
		}
		runtime.Gosched()
	}
}

func TestSealReachesTarget(t *testing.T) {
	before := runtime.NumGoroutine()
	e := testEnvelope(t, 100)
	target := 0.01 // a handful of bits
	if err := Seal(context.Background(), e, target, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	w, _ := wproto.NewWork(e, target)
	// The sealer's target is in leading zero bits (§5.4); check that directly.
	s := w.NewSearcher()
	if _, bits := s.Search(e.Nonce, 1); !w.Reached(bits) {
		t.Fatalf("nonce %d has %d bits, target %d", e.Nonce, bits, w.TargetBits())
	}
	waitGoroutines(t, before)
}

// TestSealLowTargetOnCaller: a target that the first chunk of nonces meets
// (a status message's) is searched on the caller's goroutine: the seal
// costs no more allocations than its Work and one Searcher, where starting
// workers would add their searchers, a timer and the goroutines' state.
func TestSealLowTargetOnCaller(t *testing.T) {
	e := testEnvelope(t, 100)
	const target = 0.002
	base := testing.AllocsPerRun(50, func() {
		w, err := wproto.NewWork(e, target)
		if err != nil {
			t.Fatal(err)
		}
		w.NewSearcher()
	})
	seal := testing.AllocsPerRun(50, func() {
		e.Nonce = 0
		e.Expiry++ // a new search each time
		if err := Seal(context.Background(), e, target, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	})
	if seal > base {
		t.Fatalf("a low-target seal allocates %v times, its Work and Searcher %v", seal, base)
	}
}

func TestSealZeroTargetIsNoop(t *testing.T) {
	e := testEnvelope(t, 10)
	e.Nonce = 42
	if err := Seal(context.Background(), e, 0, time.Second); err != nil || e.Nonce != 42 {
		t.Fatalf("err %v nonce %d", err, e.Nonce)
	}
}

func TestSealMissesImpossibleTarget(t *testing.T) {
	before := runtime.NumGoroutine()
	e := testEnvelope(t, 10)
	err := Seal(context.Background(), e, 1e60, 30*time.Millisecond)
	if !errors.Is(err, wproto.ErrPoWTargetMissed) {
		t.Fatalf("err = %v, want ErrPoWTargetMissed", err)
	}
	waitGoroutines(t, before)
}

func TestSealNegativeTargetKeepsBest(t *testing.T) {
	e := testEnvelope(t, 10)
	e.Nonce = 0
	zero := e.PoW(testNow)
	if err := Seal(context.Background(), e, -1, 30*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if got := e.PoW(testNow); got < zero {
		t.Fatalf("best PoW %v below nonce-0 PoW %v", got, zero)
	}
}

func TestSealCancelled(t *testing.T) {
	before := runtime.NumGoroutine()
	e := testEnvelope(t, 10)
	e.Nonce = 7
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Seal(ctx, e, 1e60, time.Hour) }()
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Seal did not return after cancel")
	}
	if e.Nonce != 7 {
		t.Fatalf("nonce changed to %d after cancel", e.Nonce)
	}
	waitGoroutines(t, before)
}

func TestSealRejectsNaN(t *testing.T) {
	e := testEnvelope(t, 10)
	nan := 0.0
	nan /= nan
	if err := Seal(context.Background(), e, nan, time.Second); !errors.Is(err, wproto.ErrInvalidPoW) {
		t.Fatalf("err = %v", err)
	}
}

func BenchmarkSealLowTarget(b *testing.B) {
	e := testEnvelope(b, 100)
	b.ReportAllocs()
	for b.Loop() {
		e.Nonce = 0
		if err := Seal(context.Background(), e, 0.002, 10*time.Second); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSealTarget8Bits(b *testing.B) {
	e := testEnvelope(b, 100)
	target := 256.0 / float64(e.Size()) / float64(e.TTL) // 8 leading zero bits
	b.ReportAllocs()
	for b.Loop() {
		e.Expiry++ // a new search each time
		if err := Seal(context.Background(), e, target, 10*time.Second); err != nil {
			b.Fatal(err)
		}
	}
}
