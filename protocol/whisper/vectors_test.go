package whisper

//lint:file-ignore SA1019 ecdsa keys here are secp256k1, which crypto/ecdh and the ecdsa Bytes/Parse APIs do not support: the big.Int coordinates X, Y and D are the only access to them.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

// vectors mirrors testdata/vectors.json, the Whisper/topic/key vectors of
// docs/PROTOCOL.md §10.
type vectors struct {
	Keys   map[string]string `json:"keys"`
	Topics []struct {
		Section, Name, Topic string
	} `json:"topics"`
	Partition struct {
		Section, Pub string
		Modulus      int64
		Partition    int64
	} `json:"partition"`
	SymKeys []struct {
		Section, Password, Key string
	} `json:"sym_keys"`
	Blooms []struct {
		Section, Name, Bloom string
	} `json:"blooms"`
	KeyIDs []struct {
		Section, Pub, ID string
	} `json:"key_ids"`
	Envelope struct {
		Signer             string  `json:"signer"`
		Payload            string  `json:"payload_utf8"`
		Password           string  `json:"password"`
		TopicName          string  `json:"topic_name"`
		PaddingLen         int     `json:"padding_len"`
		GCMNonce           string  `json:"gcm_nonce"`
		Expiry             uint32  `json:"expiry"`
		TTL                uint32  `json:"ttl"`
		Nonce              uint64  `json:"nonce"`
		PlaintextPrefix    string  `json:"plaintext_prefix"`
		PlaintextLen       int     `json:"plaintext_len"`
		DataLen            int     `json:"data_len"`
		RLPWithoutNonceLen int     `json:"rlp_without_nonce_len"`
		RLPLen             int     `json:"rlp_len"`
		Hash               string  `json:"hash"`
		PoWBits            int     `json:"pow_leading_zero_bits"`
		PoW                float64 `json:"pow"`
		PoWLegacyBits      int     `json:"pow_legacy_trailing_zero_bits"`
		PoWLegacy          float64 `json:"pow_legacy"`
	} `json:"envelope"`
}

func loadVectors(t testing.TB) *vectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	if len(s) >= 2 && s[:2] == "0x" {
		s = s[2:]
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVectorTopics(t *testing.T) {
	for _, c := range loadVectors(t).Topics {
		if got := TopicFromName(c.Name); hex.EncodeToString(got[:]) != c.Topic {
			t.Errorf("§%s TopicFromName(%.30q) = %x, want %s", c.Section, c.Name, got, c.Topic)
		}
	}
}

func TestVectorPartition(t *testing.T) {
	v := loadVectors(t)
	pub, err := crypto.UnmarshalPubkey(mustHex(t, v.Keys[v.Partition.Pub]))
	if err != nil {
		t.Fatal(err)
	}
	got := new(big.Int).Mod(pub.X, big.NewInt(v.Partition.Modulus)).Int64()
	if got != v.Partition.Partition {
		t.Fatalf("§4.3 partition = %d, want %d", got, v.Partition.Partition)
	}
}

func TestVectorSymKeys(t *testing.T) {
	for _, c := range loadVectors(t).SymKeys {
		k, err := SymKeyFromPassword(c.Password)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(k[:]) != c.Key {
			t.Errorf("§%s SymKeyFromPassword(%.20q) = %x, want %s", c.Section, c.Password, k[:], c.Key)
		}
	}
}

func TestVectorBlooms(t *testing.T) {
	for _, c := range loadVectors(t).Blooms {
		b := TopicToBloom(TopicFromName(c.Name))
		if hex.EncodeToString(b[:]) != c.Bloom {
			t.Errorf("§%s bloom(%q) = %x, want %s", c.Section, c.Name, b[:], c.Bloom)
		}
		if !b.Contains(TopicFromName(c.Name)) {
			t.Errorf("bloom of %q does not contain its topic", c.Name)
		}
	}
}

func TestVectorKeyIDs(t *testing.T) {
	for _, c := range loadVectors(t).KeyIDs {
		pub, err := crypto.UnmarshalPubkey(mustHex(t, c.Pub))
		if err != nil {
			t.Fatal(err)
		}
		id, err := KeyPairID(pub)
		if err != nil || id != c.ID {
			t.Errorf("§%s KeyPairID = %s, %v; want %s", c.Section, id, err, c.ID)
		}
		if id2, _ := ToDeterministicID(c.Pub); id2 != c.ID {
			t.Errorf("ToDeterministicID(pub) = %s, want %s", id2, c.ID)
		}
		if id3, _ := ToDeterministicID(c.ID); id3 != c.ID {
			t.Errorf("ToDeterministicID(id) changed a 64-char ID: %s", id3)
		}
	}
}

// TestVectorEnvelope rebuilds the §5.10 envelope through the public API
// (fixed GCM nonce, zero padding) and checks it byte for byte, then opens it
// and checks the §5.4 PoW figures of both formulas.
func TestVectorEnvelope(t *testing.T) {
	v := loadVectors(t)
	ev := v.Envelope
	alice, err := crypto.HexToECDSA(v.Keys[ev.Signer])
	if err != nil {
		t.Fatal(err)
	}
	key, err := SymKeyFromPassword(ev.Password)
	if err != nil {
		t.Fatal(err)
	}
	p := &MessageParams{
		TTL:     ev.TTL,
		Src:     alice,
		KeySym:  &key,
		Topic:   TopicFromName(ev.TopicName),
		Payload: []byte(ev.Payload),
		Padding: make([]byte, ev.PaddingLen),
	}
	now := time.Unix(int64(ev.Expiry-ev.TTL), 0)
	env, err := Wrap(p, now, bytes.NewReader(mustHex(t, ev.GCMNonce)))
	if err != nil {
		t.Fatal(err)
	}
	env.Nonce = ev.Nonce
	if env.Expiry != ev.Expiry || len(env.Data) != ev.DataLen {
		t.Fatalf("expiry %d data %d; want %d, %d", env.Expiry, len(env.Data), ev.Expiry, ev.DataLen)
	}
	if n := len(env.RLPWithoutNonce()); n != ev.RLPWithoutNonceLen {
		t.Errorf("RLP without nonce %d bytes, want %d", n, ev.RLPWithoutNonceLen)
	}
	full := env.AppendRLP(nil)
	if len(full) != ev.RLPLen {
		t.Errorf("RLP %d bytes, want %d", len(full), ev.RLPLen)
	}
	if h := env.Hash(); hex.EncodeToString(h[:]) != ev.Hash {
		t.Errorf("hash %x, want %s", h, ev.Hash)
	}
	dec, err := DecodeEnvelope(full, DefaultMaxMessageSize)
	if err != nil || !bytes.Equal(dec.AppendRLP(nil), full) {
		t.Fatalf("decode/re-encode: %v", err)
	}

	msg, err := OpenSymmetric(dec, &key, now)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(msg.Raw, mustHex(t, ev.PlaintextPrefix)) || len(msg.Raw) != ev.PlaintextLen {
		t.Errorf("plaintext %x… (%d bytes)", msg.Raw[:8], len(msg.Raw))
	}
	if string(msg.Payload) != ev.Payload || len(msg.Padding) != ev.PaddingLen {
		t.Errorf("payload %q padding %d", msg.Payload, len(msg.Padding))
	}
	if !msg.SignedBy(&alice.PublicKey) {
		t.Error("signer is not Alice")
	}
	if !bytes.Equal(msg.SignerPublicKey(), mustHex(t, v.Keys["alice_pub"])) {
		t.Error("signer key bytes differ from alice_pub")
	}
	checkPoW(t, dec, now, ev.PoWBits, ev.PoW, ev.PoWLegacyBits, ev.PoWLegacy)
}

func checkPoW(t *testing.T, e *Envelope, now time.Time, bits int, pow float64, legacyBits int, legacy float64) {
	t.Helper()
	wantNew := math.Pow(2, float64(bits)) / float64(len(e.RLPWithoutNonce())) / float64(e.TTL)
	if got := e.PoW(now); got != wantNew || math.Abs(got-pow) > 5e-7 {
		t.Errorf("PoW = %v, want %v (≈%v)", got, wantNew, pow)
	}
	wantOld := math.Pow(2, float64(legacyBits)) / float64(e.Size()) / float64(e.TTL)
	if got := e.PoWLegacy(now); got != wantOld || math.Abs(got-legacy) > 5e-7 {
		t.Errorf("PoWLegacy = %v, want %v (≈%v)", got, wantOld, legacy)
	}
}
