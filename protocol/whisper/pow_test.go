package whisper

import (
	"errors"
	"math"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

func TestZeroBitCounters(t *testing.T) {
	for _, c := range []struct {
		hex            string
		lead, trailing int
	}{
		{"8000000000000000000000000000000000000000000000000000000000000000", 0, 255},
		{"0000000000000000000000000000000000000000000000000000000000000001", 255, 0},
		{"00000000000000000000000000000000000000000000000000000000000000f0", 248, 4},
		{"0000000000000000000100000000000000000000000000000000000000000000", 79, 176},
		{"0000000000000000000000000000000000000000000000000000000000000000", 256, 0},
	} {
		var h [32]byte
		copy(h[:], mustHex(t, c.hex))
		if l := leadingZeroBits(&h); l != c.lead {
			t.Errorf("%s leading = %d, want %d", c.hex, l, c.lead)
		}
		if tr := trailingZeroBits(&h); tr != c.trailing {
			t.Errorf("%s trailing = %d, want %d", c.hex, tr, c.trailing)
		}
		if n := new(big.Int).SetBytes(h[:]); n.Sign() != 0 && 256-n.BitLen() != c.lead {
			t.Errorf("%s: bitlen disagrees", c.hex)
		}
	}
}

func TestPoWFutureDiff(t *testing.T) {
	e := &Envelope{Expiry: 1015, TTL: 15, Data: []byte("x"), Nonce: 3}
	base := e.PoW(time.Unix(1000, 0)) // sent == now: diff 0
	if got := e.PoW(time.Unix(2000, 0)); got != base {
		t.Fatalf("past sent time changed PoW: %v vs %v", got, base)
	}
	// sent = 1000 is 5 s ahead of now = 995: diff = 5 + 1 = 6 (§5.4).
	want := base * 15 / (15 + 6)
	if got := e.PoW(time.Unix(995, 0)); math.Abs(got-want) > 1e-15 {
		t.Fatalf("future PoW = %v, want %v", got, want)
	}
	wantLegacy := e.PoWLegacy(time.Unix(1000, 0)) * 15 / 21
	if got := e.PoWLegacy(time.Unix(995, 0)); math.Abs(got-wantLegacy) > 1e-15 {
		t.Fatalf("future legacy PoW = %v, want %v", got, wantLegacy)
	}
}

func TestPoWFormula(t *testing.T) {
	e := &Envelope{Expiry: 500, TTL: 20, Topic: Topic{9}, Data: make([]byte, 40), Nonce: 77}
	prefix := e.RLPWithoutNonce()
	buf := append(append([]byte{}, prefix...), 0, 0, 0, 0, 0, 0, 0, 77)
	h := new(big.Int).SetBytes(crypto.Keccak256(buf))
	want := math.Pow(2, float64(256-h.BitLen())) / float64(len(prefix)) / 20
	if got := e.PoW(time.Unix(480, 0)); got != want {
		t.Fatalf("PoW = %v, want %v", got, want)
	}
}

func TestTargetBits(t *testing.T) {
	e := &Envelope{TTL: 10, Data: make([]byte, 80)} // size 100
	for _, c := range []struct {
		pow  float64
		bits int
	}{
		{0.001, 1}, {0.002, 1}, {0.01, 4}, {1, 10}, {1.024, 10}, {1.025, 11}, {1e300, 257},
	} {
		if got := e.TargetBits(c.pow); got != c.bits {
			t.Errorf("TargetBits(%v) = %d, want %d", c.pow, got, c.bits)
		}
	}
}

func TestSealNoncesReachesTarget(t *testing.T) {
	e := &Envelope{Expiry: 1015, TTL: 15, Topic: TopicFromName("status"), Data: make([]byte, 200)}
	target := 64.0 / float64(e.Size()) / float64(e.TTL) // 6 bits
	if err := SealNonces(e, target, 1<<20); err != nil {
		t.Fatal(err)
	}
	w, _ := NewWork(e, target)
	if w.TargetBits() != 6 {
		t.Fatalf("target bits %d", w.TargetBits())
	}
	if _, z := w.NewSearcher().Search(e.Nonce, 1); z < 6 {
		t.Fatalf("nonce %d has %d bits", e.Nonce, z)
	}
	if e.PoW(time.Unix(1000, 0)) < math.Pow(2, 6)/float64(len(e.RLPWithoutNonce()))/15 {
		t.Fatal("PoW below the 6-bit figure")
	}
}

func TestSealNoncesEdges(t *testing.T) {
	e := &Envelope{Expiry: 10, TTL: 5, Data: []byte{1, 2}, Nonce: 99}
	if err := SealNonces(e, 0, 100); err != nil || e.Nonce != 99 {
		t.Fatalf("target 0 must be a no-op: %v %d", err, e.Nonce)
	}
	if err := SealNonces(e, 1e60, 50); !errors.Is(err, ErrPoWTargetMissed) {
		t.Fatalf("impossible target: %v", err)
	}
	if err := SealNonces(e, -1, 300); err != nil {
		t.Fatalf("negative target: %v", err)
	}
	best := e.Nonce
	_, bestBits := mustWork(t, e, -1).NewSearcher().Search(best, 1)
	_, all := mustWork(t, e, -1).NewSearcher().Search(0, 300)
	if bestBits != all {
		t.Fatalf("negative target kept %d bits, best in range is %d", bestBits, all)
	}
	if _, err := NewWork(e, math.NaN()); !errors.Is(err, ErrInvalidPoW) {
		t.Fatalf("NaN target: %v", err)
	}
	if _, z := mustWork(t, e, 1).NewSearcher().Search(0, 0); z != -1 {
		t.Fatalf("empty range returned %d bits", z)
	}
}

func mustWork(t *testing.T, e *Envelope, target float64) *Work {
	t.Helper()
	w, err := NewWork(e, target)
	if err != nil {
		t.Fatal(err)
	}
	return w
}
