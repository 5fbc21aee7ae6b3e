package mailserver

import (
	"crypto/ecdsa"
	"encoding/hex"
	"math/rand"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/whisper"
)

// Keys and values from docs/PROTOCOL.md §10, §4.2, §5.7 and §5.10.
const (
	alicePrivHex = "838fbdd1b670209a258b90af25653a018bc582c44c56e6290a973eebbeb15732"
	alicePubHex  = "04745e0d27132e2e8915096b08739bf2dc1165642b81bdffb8a9d5e4a9849c6a2a433e343f7a6597568dd0d1e978311c15626a6cbfc11236502ad7f98493481928"
	bobPrivHex   = "0b0ed3f2a4e4e7f4ba0b3bb0d1ad7e0e9e4c3a6f4f7aa7c5a3e5c9e5b0f1a2b3"
	// inboxKeyHex is PBKDF2("status-offline-inbox"), the default mailserver key (§4.2).
	inboxKeyHex = "765df27c0765526f920ba742ff4b9452bb0064e016435ffccd81186aa6feaae8"
	// statusBloomHex is the bloom of topic "status" (§5.7).
	statusBloomHex = "00000000000080000400000000000000000000000000000000200000000000000000000000000000000000000000000000000000000000000000000000000000"
	// envelopeHashHex is the §5.10 envelope hash, used as a cursor hash.
	envelopeHashHex = "206fd78f3873e16560e0ba72ae74812b59f3e306d88b1b731eed5d7042986fb3"
)

func mustKey(t testing.TB, h string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.HexToECDSA(h)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustHex(t testing.TB, h string) []byte {
	t.Helper()
	b, err := hex.DecodeString(h)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func inboxKey(t testing.TB) *whisper.SymKey {
	t.Helper()
	k, err := whisper.SymKeyFromBytes(mustHex(t, inboxKeyHex))
	if err != nil {
		t.Fatal(err)
	}
	return &k
}

func statusBloom(t testing.TB) whisper.Bloom {
	t.Helper()
	b, err := whisper.BloomFromBytes(mustHex(t, statusBloomHex))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sampleCursor is (1565000015, §5.10 hash).
func sampleCursor() *Cursor {
	return &Cursor{Time: 1565000015, Hash: common.HexToHash(envelopeHashHex)}
}

// vectorNow is the fixed clock of the vectors: the §5.10 envelope's send time.
var vectorNow = time.Unix(1565000000, 0)

func samplePayload(t testing.TB) *RequestPayload {
	return &RequestPayload{
		Lower: 1564913600, Upper: 1565000000, Bloom: statusBloom(t),
		Limit: 100, Cursor: sampleCursor(), Batch: true,
	}
}

// detRand is a seeded randomness source for reproducible envelopes.
func detRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

func equalCursor(a, b *Cursor) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
