package whisper

import (
	"crypto/rand"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

func TestFilterMatching(t *testing.T) {
	w := newTestWhisper(t, nil)
	key, other := testKey(t), testKey(t)
	topic, t2 := wproto.TopicFromName("a"), wproto.TopicFromName("b")
	alice, _ := crypto.GenerateKey()
	bob, _ := crypto.GenerateKey()

	sym, _ := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
	wrongKey, _ := w.Filters().Install(&Filter{KeySym: other, Topics: []wproto.Topic{topic}})
	wrongTopic, _ := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{t2}})
	highPoW, _ := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}, PoW: 1e9})
	fromAlice, _ := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}, Src: &alice.PublicKey})
	fromBob, _ := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}, Src: &bob.PublicKey})
	asym, _ := w.Filters().Install(&Filter{KeyAsym: bob})
	notLocal, _ := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}, NotLocal: true})

	p := &wproto.MessageParams{TTL: 50, KeySym: key, Topic: topic, Payload: []byte("sym"), Src: alice, PoW: 0.002}
	e, _ := wproto.Wrap(p, time.Now(), rand.Reader)
	Seal(t.Context(), e, p.PoW, time.Minute)
	if _, err := w.Send(e); err != nil {
		t.Fatal(err)
	}
	pa := &wproto.MessageParams{TTL: 50, Dst: &bob.PublicKey, Topic: t2, Payload: []byte("asym"), PoW: 0.002}
	ea, _ := wproto.Wrap(pa, time.Now(), rand.Reader)
	Seal(t.Context(), ea, pa.PoW, time.Minute)
	if _, err := w.Send(ea); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{sym: 1, wrongKey: 0, wrongTopic: 0, highPoW: 0, fromAlice: 1, fromBob: 0, asym: 1, notLocal: 0}
	for id, n := range want {
		f, err := w.Filters().Get(id)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := f.Retrieve(0); err != nil || len(got) != n {
			t.Errorf("filter %s: %d messages, want %d", id[:8], len(got), n)
		}
	}
	if !w.Filters().Uninstall(sym) || w.Filters().Uninstall(sym) {
		t.Fatal("uninstall")
	}
	if _, err := w.Filters().Get(sym); !errors.Is(err, ErrFilterNotFound) {
		t.Fatal(err)
	}
}

func TestFilterValidation(t *testing.T) {
	w := newTestWhisper(t, nil)
	priv, _ := crypto.GenerateKey()
	for name, f := range map[string]*Filter{
		"no key":         {Topics: []wproto.Topic{{1}}},
		"both keys":      {KeySym: testKey(t), KeyAsym: priv, Topics: []wproto.Topic{{1}}},
		"sym w/o topics": {KeySym: testKey(t)},
		"zero sym key":   {KeySym: &wproto.SymKey{}, Topics: []wproto.Topic{{1}}},
	} {
		if _, err := w.Filters().Install(f); !errors.Is(err, ErrInvalidFilter) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFilterWidensBloom: a node with an explicit bloom widens it for a new
// filter's topic and announces it; a full node stays full.
func TestFilterWidensBloom(t *testing.T) {
	w := newTestWhisper(t, nil)
	w.Filters().Install(&Filter{KeySym: testKey(t), Topics: []wproto.Topic{{1, 2, 3, 4}}})
	if !w.BloomFilter().IsFull() {
		t.Fatal("full node lost its full bloom")
	}
	a, b := wproto.TopicFromName("a"), wproto.TopicFromName("b")
	w.SetBloomFilter(wproto.TopicToBloom(a))
	w.Filters().Install(&Filter{KeySym: testKey(t), Topics: []wproto.Topic{b}})
	if got := w.BloomFilter(); got != wproto.BloomFromTopics(a, b) {
		t.Fatalf("bloom %s", got)
	}
}

func TestKeyStore(t *testing.T) {
	ks := NewKeyStore(rand.Reader, 0)
	id, err := ks.NewKeyPair()
	if err != nil || len(id) != 64 {
		t.Fatal(id, err)
	}
	key, _ := ks.PrivateKey(id)
	pubHex := "0x" + crypto.PubkeyToAddress(key.PublicKey).Hex()[2:] // not a key: must not match
	if ks.HasKeyPair(pubHex) {
		t.Fatal("address accepted as key")
	}
	// Every key-pair API accepts the 0x04… public key too (§5.9).
	pub := "0x" + hexString(crypto.FromECDSAPub(&key.PublicKey))
	if !ks.HasKeyPair(pub) || !ks.DeleteKeyPair(pub) || ks.HasKeyPair(id) {
		t.Fatal("public key as ID")
	}
	sid, err := ks.AddSymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ks.SymKey(sid)
	if hexString(k[:]) != "36224048e42c49e5c59c57bba5024fbb8822d6b4ee6ac5fbefd8b77f5323ecc4" {
		t.Fatalf("§4.2 vector: %s", hexString(k[:]))
	}
	if _, err := ks.AddSymKey(make([]byte, 31)); !errors.Is(err, wproto.ErrInvalidSymKey) {
		t.Fatal(err)
	}
	if !ks.DeleteSymKey(sid) || ks.HasSymKey(sid) {
		t.Fatal("delete sym")
	}
	if _, err := ks.SymKey(sid); !errors.Is(err, ErrKeyNotFound) {
		t.Fatal(err)
	}
}

func TestPoolSweep(t *testing.T) {
	clock := &fakeClock{now: time.Now()}
	w := newTestWhisper(t, func(c *Config) { c.Now = clock.Now })
	h, err := w.Send(sealed(t, testKey(t), wproto.TopicFromName("x"), nil, clock.Now(), 0.002))
	if err != nil {
		t.Fatal(err)
	}
	w.sweep()
	if !w.pool.has(h) {
		t.Fatal("swept too early")
	}
	clock.Add(51 * time.Second)
	w.sweep()
	if n, b := w.pool.stats(); n != 0 || b != 0 || w.Info().Memory != 0 {
		t.Fatalf("pool %d envelopes %d bytes after expiry", n, b)
	}
}

func TestStopIsIdempotentAndRefusesPeers(t *testing.T) {
	w := newTestWhisper(t, nil)
	r := handshaken(t, w)
	w.Stop()
	w.Stop()
	if _, ok := r.waitDisconnect(5 * time.Second); !ok {
		t.Fatal("peer not disconnected by Stop")
	}
	if _, err := w.Send(&wproto.Envelope{}); !errors.Is(err, ErrStopped) {
		t.Fatal(err)
	}
	if err := w.runPeer(randomID(t), "late", nil, false, func() {}); !errors.Is(err, ErrStopped) {
		t.Fatal(err)
	}
}

func hexString(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}
