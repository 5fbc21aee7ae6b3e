package identity

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"

	xscrypt "golang.org/x/crypto/scrypt"
)

// TestScryptRFC7914: the scrypt test vectors of RFC 7914 section 12. The last one
// maps 1 GiB; it runs only with STATUSD_TEST_SCRYPT_1GIB=1.
func TestScryptRFC7914(t *testing.T) {
	data, err := os.ReadFile("testdata/rfc7914-scrypt.json")
	if err != nil {
		t.Fatal(err)
	}
	var vectors []struct {
		Source         string
		Password, Salt string
		N, R, P        int
		Large          bool
		Key            string
	}
	if err := json.Unmarshal(data, &vectors); err != nil {
		t.Fatal(err)
	}
	if len(vectors) != 4 {
		t.Fatalf("%d vectors, want 4", len(vectors))
	}
	for _, v := range vectors {
		if v.Large && os.Getenv("STATUSD_TEST_SCRYPT_1GIB") != "1" {
			t.Logf("%s skipped (1 GiB; set STATUSD_TEST_SCRYPT_1GIB=1)", v.Source)
			continue
		}
		want, err := hex.DecodeString(v.Key)
		if err != nil {
			t.Fatal(err)
		}
		got, err := scryptKey([]byte(v.Password), []byte(v.Salt), v.N, v.R, v.P, len(want))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %x, %v; want %x", v.Source, got, err, want)
		}
	}
}

// TestScryptMatchesXCrypto compares scryptKey with golang.org/x/crypto/scrypt
// on random inputs and costs.
func TestScryptMatchesXCrypto(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 14))
	for range 60 {
		pw := randBytes(rng, rng.IntN(40))
		salt := randBytes(rng, rng.IntN(40))
		n, r, p, keyLen := 1<<(1+rng.IntN(9)), 1+rng.IntN(8), 1+rng.IntN(4), 1+rng.IntN(100)
		compareScrypt(t, pw, salt, n, r, p, keyLen)
	}
}

// FuzzScryptKey compares scryptKey with golang.org/x/crypto/scrypt on any
// password and salt at small costs.
func FuzzScryptKey(f *testing.F) {
	f.Add([]byte("password"), []byte("NaCl"), uint8(4), uint8(2), uint8(1), uint8(32))
	f.Add([]byte{}, []byte{}, uint8(1), uint8(1), uint8(3), uint8(64))
	f.Fuzz(func(t *testing.T, pw, salt []byte, logN, r, p, keyLen uint8) {
		compareScrypt(t, pw, salt, 1<<(1+logN%8), 1+int(r%6), 1+int(p%3), 1+int(keyLen))
	})
}

func compareScrypt(t *testing.T, pw, salt []byte, n, r, p, keyLen int) {
	t.Helper()
	want, err := xscrypt.Key(pw, salt, n, r, p, keyLen)
	if err != nil {
		t.Fatal(err)
	}
	got, err := scryptKey(pw, salt, n, r, p, keyLen)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("n=%d r=%d p=%d len=%d: %x, %v; want %x", n, r, p, keyLen, got, err, want)
	}
}

func randBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	return b
}

// TestScryptParams: costs outside RFC 7914's domain are errors, not panics.
func TestScryptParams(t *testing.T) {
	for _, c := range []struct{ n, r, p, keyLen int }{
		{0, 8, 1, 32}, {1, 8, 1, 32}, {3, 8, 1, 32}, {-4, 8, 1, 32},
		{16, 0, 1, 32}, {16, 8, 0, 32}, {16, -1, 1, 32}, {16, 1 << 15, 1 << 15, 32},
		{1 << 62, 8, 1, 32}, {16, 8, 1, 0},
	} {
		if _, err := scryptKey([]byte("pw"), []byte("salt"), c.n, c.r, c.p, c.keyLen); !errors.Is(err, errScryptParams) {
			t.Errorf("n=%d r=%d p=%d len=%d: %v, want errScryptParams", c.n, c.r, c.p, c.keyLen, err)
		}
	}
}

// TestScryptOffHeap: the working array does not come from the Go heap. A
// 16 MiB derivation allocates a few KiB there (the 16 MiB array of
// x/crypto/scrypt would show in TotalAlloc).
func TestScryptOffHeap(t *testing.T) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if _, err := scryptKey([]byte("pw"), []byte("salt"), 1<<14, 8, 1, 32); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Fatalf("scryptKey allocated %d bytes on the heap", d)
	}
}

// BenchmarkScryptKey at go-ethereum's light keystore cost (4 MiB, p=6).
func BenchmarkScryptKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := scryptKey([]byte("pw"), []byte("salt"), lightScryptN, scryptR, lightScryptP, scryptDKLen); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScryptKeyXCrypto is the same derivation by golang.org/x/crypto/scrypt.
func BenchmarkScryptKeyXCrypto(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := xscrypt.Key([]byte("pw"), []byte("salt"), lightScryptN, scryptR, lightScryptP, scryptDKLen); err != nil {
			b.Fatal(err)
		}
	}
}
