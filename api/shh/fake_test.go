package shh

import (
	"fmt"
	"math"
	"math/rand"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap/zaptest"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// fakeWhisper is a hand-written Backend: settings in fields, sent envelopes
// recorded, one connected peer. Keys is a real key store and Filters the
// registry of a router that is never started (both are in-memory), fed
// by a seeded random source so that symmetric-key and filter IDs are the
// same on every run.
type fakeWhisper struct {
	keys    *whisper.KeyStore
	filters *whisper.Filters

	mu      sync.Mutex
	minPoW  float64
	maxSize uint32
	bloom   wproto.Bloom
	light   bool
	peer    enode.ID // the one connected peer
	trusted []enode.ID
	sent    []*wproto.Envelope
	p2p     map[enode.ID][]*wproto.Envelope
	sendErr error
}

var _ Backend = (*fakeWhisper)(nil)

func newFakeWhisper(t *testing.T) *fakeWhisper {
	t.Helper()
	cfg := whisper.DefaultConfig()
	cfg.Rand = rand.New(rand.NewSource(2))
	router, err := whisper.New(cfg, nil, zaptest.NewLogger(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	return &fakeWhisper{
		keys:    whisper.NewKeyStore(rand.New(rand.NewSource(1)), 0),
		filters: router.Filters(),
		minPoW:  0.002, maxSize: 1 << 20,
		peer: enode.MustParse(peerURL).ID(),
		p2p:  map[enode.ID][]*wproto.Envelope{},
	}
}

func (f *fakeWhisper) Info() whisper.Info {
	f.mu.Lock()
	defer f.mu.Unlock()
	return whisper.Info{Memory: 512 * len(f.sent), Messages: len(f.sent), MinPow: f.minPoW, MaxMessageSize: f.maxSize}
}

func (f *fakeWhisper) SetMaxMessageSize(size uint32) error {
	if size == 0 || size > wproto.MaxMessageSize {
		return fmt.Errorf("%w: max message size %d", whisper.ErrInvalidSetting, size)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.maxSize = size
	return nil
}

func (f *fakeWhisper) SetMinPoW(pow float64) error {
	if pow < 0 || math.IsNaN(pow) {
		return fmt.Errorf("%w: PoW %v", whisper.ErrInvalidSetting, pow)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.minPoW = pow
	return nil
}

func (f *fakeWhisper) SetBloomFilter(b wproto.Bloom) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.bloom = b
	return nil
}

func (f *fakeWhisper) MinPoW() float64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.minPoW
}

func (f *fakeWhisper) MarkTrustedPeer(id enode.ID) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id != f.peer {
		return fmt.Errorf("%w: %s", whisper.ErrPeerNotFound, id.TerminalString())
	}
	f.trusted = append(f.trusted, id)
	return nil
}

func (f *fakeWhisper) SetLightClient(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.light = on
}

func (f *fakeWhisper) Keys() *whisper.KeyStore   { return f.keys }
func (f *fakeWhisper) Filters() *whisper.Filters { return f.filters }

func (f *fakeWhisper) Send(env *wproto.Envelope) (common.Hash, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sendErr != nil {
		return common.Hash{}, f.sendErr
	}
	f.sent = append(f.sent, env)
	return env.Hash(), nil
}

func (f *fakeWhisper) SendP2P(id enode.ID, env *wproto.Envelope) (common.Hash, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if id != f.peer {
		return common.Hash{}, fmt.Errorf("%w: %s", whisper.ErrPeerNotFound, id.TerminalString())
	}
	f.p2p[id] = append(f.p2p[id], env)
	return env.Hash(), nil
}

// peerURL is the fake router's one connected peer.
const peerURL = "enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304"

// newFakeServer registers the namespace over a fake router on an
// in-process server; both are stopped when t ends.
func newFakeServer(t *testing.T, cfg Config) (*rpc.Server, *fakeWhisper, *Service) {
	t.Helper()
	w := newFakeWhisper(t)
	svc := New(w, cfg)
	srv := rpc.NewServer()
	if err := srv.RegisterName("shh", svc.API()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop(); svc.Close() })
	return srv, w, svc
}
