package shh

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// Config configures the namespace.
type Config struct {
	// AllowPrivateKeyExport enables shh_getPrivateKey (off by default).
	AllowPrivateKeyExport bool
	// CallContext, when set, gives shh_post's sealing a context that also
	// ends when the caller's connection closes or the server stops
	// (api.Server.CallContext); release frees it.
	CallContext func(ctx context.Context) (work context.Context, release context.CancelFunc)
	// MaxSubscriptions bounds the subscriptions of one connection; 0
	// means DefaultMaxSubscriptions.
	MaxSubscriptions int
	// Now stamps the envelopes of shh_post: the node's clock, which
	// the router also judges envelopes by; nil means time.Now.
	Now func() time.Time
}

func (a *API) now() time.Time {
	if a.cfg.Now != nil {
		return a.cfg.Now()
	}
	return time.Now()
}

// DefaultMaxSubscriptions is the default of Config.MaxSubscriptions.
const DefaultMaxSubscriptions = 1000

func (a *API) maxSubscriptions() int {
	if a.cfg.MaxSubscriptions > 0 {
		return a.cfg.MaxSubscriptions
	}
	return DefaultMaxSubscriptions
}

// Backend is what the namespace needs from the Whisper router
// (*whisper.Whisper in the node; a fake in tests). Implementations must be
// safe for concurrent use: RPC calls arrive on many goroutines. None of the
// methods may block on the network; Send and SendP2P only queue the
// envelope. Keys and Filters return the router's stores, which the
// namespace uses directly.
type Backend interface {
	// Info reports the envelope pool and the node's limits (shh_info).
	Info() whisper.Info
	// SetMaxMessageSize, SetMinPoW and SetBloomFilter change what the node
	// accepts and tell the peers; an out-of-range value is an error the
	// namespace reports as -32602.
	SetMaxMessageSize(size uint32) error
	SetMinPoW(pow float64) error
	SetBloomFilter(b wproto.Bloom) error
	// MinPoW is the node's current minimum PoW.
	MinPoW() float64
	// MarkTrustedPeer trusts a connected peer; whisper.ErrPeerNotFound when
	// it is not connected.
	MarkTrustedPeer(id enode.ID) error
	// SetLightClient switches light mode on or off.
	SetLightClient(on bool)
	// Keys is the key store behind key and symmetric-key IDs.
	Keys() *whisper.KeyStore
	// Filters is the filter registry behind filter IDs and subscriptions.
	Filters() *whisper.Filters
	// Send queues a sealed envelope for every peer and the node's own
	// filters, and returns its hash.
	Send(env *wproto.Envelope) (common.Hash, error)
	// SendP2P queues a sealed envelope for one connected trusted peer as a
	// P2P message and returns its hash.
	SendP2P(id enode.ID, env *wproto.Envelope) (common.Hash, error)
}

var _ Backend = (*whisper.Whisper)(nil)

// Service owns the namespace and its subscription goroutines. Register
// API() under "shh"; call Close after the RPC server has stopped.
type Service struct {
	api *API
}

// API is the "shh" namespace. Every exported method is a JSON-RPC method
// (shh_<lowerCamelName>); they are safe for concurrent use and never block
// on the network, except Post, which seals (up to powTime seconds).
type API struct {
	w   Backend
	cfg Config

	mu     sync.Mutex // guards closed, subs and wg.Add
	closed bool
	subs   map[string]int // subscriptions per connection (rpc.PeerInfo.RemoteAddr)
	quit   chan struct{}
	wg     sync.WaitGroup // subscription goroutines
}

// New returns the namespace over the router w.
func New(w Backend, cfg Config) *Service {
	return &Service{api: &API{w: w, cfg: cfg, quit: make(chan struct{}), subs: make(map[string]int)}}
}

// API is the value to register under "shh".
func (s *Service) API() *API { return s.api }

// Close ends every subscription and waits for their goroutines. It is
// idempotent.
func (s *Service) Close() error {
	a := s.api
	a.mu.Lock()
	if !a.closed {
		a.closed = true
		close(a.quit)
	}
	a.mu.Unlock()
	a.wg.Wait()
	return nil
}

// Version is shh_version: the Whisper protocol version, "6.0".
//
// Example: Get the Whisper version
//
//	params: []
//	result: "6.0"
func (a *API) Version() string { return wproto.ProtocolVersionString }

// Info is shh_info: the envelope pool's size in bytes ("memory") and in
// envelopes ("messages"), and the node's minimum PoW and maximum message
// size.
//
// Example: Get the Whisper node's state
//
//	params: []
//	result: {"memory":0,"messages":0,"minPow":0.001,"maxMessageSize":1048576}
func (a *API) Info() Info { return toInfo(a.w.Info()) }

// SetMaxMessageSize is shh_setMaxMessageSize: the largest envelope or
// packet, in bytes, that the node accepts from now on: from 256 KiB (the
// node's own largest message must still fit) to 10 MiB; outside that it is
// -32602 naming the bound.
func (a *API) SetMaxMessageSize(size uint32) (bool, error) {
	if err := a.w.SetMaxMessageSize(size); err != nil {
		return false, rpcError(invalid("size", err))
	}
	return true, nil
}

// SetMinPoW is shh_setMinPoW: the minimum PoW of the envelopes the node
// accepts from now on. Peers are told with a PoW Requirement packet (code
// 2). A negative or NaN value, or one above the PoW the node's own
// messages are sealed to (0.002, or the configured minimum if higher), is
// -32602 naming the bound: the node could no longer send.
func (a *API) SetMinPoW(pow float64) (bool, error) {
	if err := a.w.SetMinPoW(pow); err != nil {
		return false, rpcError(invalid("pow", err))
	}
	return true, nil
}

// SetBloomFilter is shh_setBloomFilter: the topic bloom filter (64 bytes
// of hex) that peers should match before forwarding to this node. Peers are
// told with a Bloom Filter packet (code 3).
func (a *API) SetBloomFilter(bloom hexutil.Bytes) (bool, error) {
	b, err := wproto.BloomFromBytes(bloom)
	if err != nil || len(bloom) != wproto.BloomFilterSize {
		return false, rpcError(invalid("bloom", fmt.Errorf("%w: %d bytes, want 64", wproto.ErrInvalidBloom, len(bloom))))
	}
	return true, rpcError(a.w.SetBloomFilter(b))
}

// MarkTrustedPeer is shh_markTrustedPeer: trust the peer with this enode URL
// (typically a mailserver): it is exempt from rate limits and may send P2P
// messages (code 127), such as history. The peer must be connected;
// otherwise, or for a malformed URL, it is -32602.
func (a *API) MarkTrustedPeer(url string) (bool, error) {
	n, err := enode.Parse(enode.ValidSchemes, url)
	if err != nil {
		return false, rpcError(invalid("enode", err))
	}
	if err := a.w.MarkTrustedPeer(n.ID()); err != nil {
		return false, rpcError(invalid("enode", err))
	}
	return true, nil
}

// MakeLightClient is shh_makeLightClient: switch to light mode, in which
// the node forwards only its own envelopes (§4.6). Peers learn it at their
// next handshake.
func (a *API) MakeLightClient() bool { a.w.SetLightClient(true); return true }

// CancelLightClient is shh_cancelLightClient: leave light mode. Peers learn
// it at their next handshake.
func (a *API) CancelLightClient() bool { a.w.SetLightClient(false); return true }

// NewKeyPair is shh_newKeyPair: generate a secp256k1 key pair, keep it in
// memory and return its ID, used as privateKeyID in filters and as sig when
// posting.
func (a *API) NewKeyPair() (string, error) {
	id, err := a.w.Keys().NewKeyPair()
	return id, rpcError(err)
}

// AddPrivateKey is shh_addPrivateKey: store a secp256k1 private key (32
// bytes of hex) and return its ID.
func (a *API) AddPrivateKey(privateKey hexutil.Bytes) (string, error) {
	key, err := crypto.ToECDSA(privateKey)
	if err != nil {
		return "", rpcError(invalid("privateKey", fmt.Errorf("%w: %v", wproto.ErrInvalidPrivateKey, err)))
	}
	id, err := a.w.Keys().AddKeyPair(key)
	return id, rpcError(invalid("privateKey", err))
}

// DeleteKeyPair is shh_deleteKeyPair: forget the key pair with this ID; an
// unknown ID is -32602.
func (a *API) DeleteKeyPair(id string) (bool, error) {
	if a.w.Keys().DeleteKeyPair(id) {
		return true, nil
	}
	return false, rpcError(invalid("id", fmt.Errorf("%w: key pair %s not found", whisper.ErrKeyNotFound, id)))
}

// HasKeyPair is shh_hasKeyPair: whether a key pair with this ID is stored.
func (a *API) HasKeyPair(id string) bool { return a.w.Keys().HasKeyPair(id) }

// GetPublicKey is shh_getPublicKey: the public key (65 bytes, uncompressed)
// of the key pair with this ID, for others to post to with pubKey.
func (a *API) GetPublicKey(id string) (hexutil.Bytes, error) {
	key, err := a.w.Keys().PrivateKey(id)
	if err != nil {
		return nil, rpcError(invalid("id", err))
	}
	return crypto.FromECDSAPub(&key.PublicKey), nil
}

// GetPrivateKey is shh_getPrivateKey: the private key of the key pair with
// this ID. It is refused (-32000) unless the node runs with
// --shh.getprivatekey.
func (a *API) GetPrivateKey(id string) (hexutil.Bytes, error) {
	if !a.cfg.AllowPrivateKeyExport {
		return nil, rpcError(ErrPrivateKeyExportDisabled)
	}
	key, err := a.w.Keys().PrivateKey(id)
	if err != nil {
		return nil, rpcError(invalid("id", err))
	}
	return crypto.FromECDSA(key), nil
}

// NewSymKey is shh_newSymKey: generate a random symmetric key, keep it in
// memory and return its ID.
func (a *API) NewSymKey() (string, error) {
	id, err := a.w.Keys().GenerateSymKey()
	return id, rpcError(err)
}

// AddSymKey is shh_addSymKey: store a symmetric key (32 bytes of hex) and
// return its ID.
func (a *API) AddSymKey(key hexutil.Bytes) (string, error) {
	id, err := a.w.Keys().AddSymKey(key)
	if err != nil {
		return "", rpcError(invalid("key", err))
	}
	return id, nil
}

// GenerateSymKeyFromPassword is shh_generateSymKeyFromPassword: derive a
// symmetric key from a password (PBKDF2, docs/PROTOCOL.md §4.2), keep it and
// return its ID. Status public chats use the chat name as the password. A
// new ID is returned on every call, even for the same password.
//
// Example: Create a symmetric key from a password
//
//	params: ["status-public-chat"]
//	result: "d3d5ae8a1e0b1cc1e1c4aa6ea0cb7f4a2e9c7d8f1bd50c5ec1e3e4ab0aa7bc61"
//	save: SYMKEY
//	task: 5
func (a *API) GenerateSymKeyFromPassword(password string) (string, error) {
	id, err := a.w.Keys().AddSymKeyFromPassword(password)
	return id, rpcError(err)
}

// HasSymKey is shh_hasSymKey: whether a symmetric key with this ID is
// stored.
func (a *API) HasSymKey(id string) bool { return a.w.Keys().HasSymKey(id) }

// GetSymKey is shh_getSymKey: the symmetric key with this ID, as hex.
func (a *API) GetSymKey(id string) (hexutil.Bytes, error) {
	key, err := a.w.Keys().SymKey(id)
	if err != nil {
		return nil, rpcError(invalid("id", err))
	}
	return key[:], nil
}

// DeleteSymKey is shh_deleteSymKey: forget the symmetric key with this ID;
// false if there was none.
func (a *API) DeleteSymKey(id string) bool { return a.w.Keys().DeleteSymKey(id) }

// filter turns criteria into a router filter, naming the bad field.
func (a *API) filter(c Criteria) (*whisper.Filter, error) {
	f := &whisper.Filter{Topics: c.Topics, PoW: c.MinPow, AllowP2P: c.AllowP2P}
	switch {
	case c.SymKeyID != "" && c.PrivateKeyID != "":
		return nil, invalid("symKeyID", errors.New("give either symKeyID or privateKeyID, not both"))
	case c.SymKeyID == "" && c.PrivateKeyID == "":
		return nil, invalid("symKeyID", errors.New("one of symKeyID and privateKeyID is required"))
	case c.SymKeyID != "" && len(c.Topics) == 0:
		return nil, invalid("topics", errors.New("at least one topic is required with symKeyID"))
	case math.IsNaN(c.MinPow) || c.MinPow < 0:
		return nil, invalid("minPow", fmt.Errorf("%w: %v", wproto.ErrInvalidPoW, c.MinPow))
	}
	if c.SymKeyID != "" {
		key, err := a.w.Keys().SymKey(c.SymKeyID)
		if err != nil {
			return nil, invalid("symKeyID", err)
		}
		f.KeySym = &key
	} else {
		key, err := a.w.Keys().PrivateKey(c.PrivateKeyID)
		if err != nil {
			return nil, invalid("privateKeyID", err)
		}
		f.KeyAsym = key
	}
	if len(c.Sig) > 0 {
		pub, err := crypto.UnmarshalPubkey(c.Sig)
		if err != nil {
			return nil, invalid("sig", fmt.Errorf("%w: %v", wproto.ErrInvalidPublicKey, err))
		}
		f.Src = pub
	}
	return f, nil
}

// NewMessageFilter is shh_newMessageFilter: install a filter for the
// messages matching criteria and return its ID; read them with
// shh_getFilterMessages (the way to receive over HTTP, which cannot push).
// Bad criteria are -32602, naming the field.
//
// Example: Subscribe to a topic with a message filter
//
//	params: [{"symKeyID":"$SYMKEY","topics":["0xdeadbeef"]}]
//	result: "9b1d4ef5a5c8a4bd2f3e6d4c1a0b9f8e7d6c5b4a39281706f5e4d3c2b1a09f8e"
//	save: FILTER
//	task: 6
func (a *API) NewMessageFilter(c Criteria) (string, error) {
	f, err := a.filter(c)
	if err != nil {
		return "", rpcError(err)
	}
	id, err := a.w.Filters().Install(f)
	return id, rpcError(err)
}

// DeleteMessageFilter is shh_deleteMessageFilter: remove the filter with
// this ID; an unknown ID is -32602.
func (a *API) DeleteMessageFilter(id string) (bool, error) {
	if !a.w.Filters().Uninstall(id) {
		return false, rpcError(invalid("id", fmt.Errorf("%w: %s", whisper.ErrFilterNotFound, id)))
	}
	return true, nil
}

// GetFilterMessages is shh_getFilterMessages: the messages the filter with
// this ID matched since the last call (oldest first; [] if none). An
// unknown ID is -32602. The node's own posts match its filters too.
//
// Example: Read the messages of a filter
//
//	params: ["$FILTER"]
//	result: [{"ttl":60,"timestamp":1735689600,"topic":"0xdeadbeef","payload":"0x68656c6c6f","padding":"0x6d3a…","pow":2.3,"hash":"0x5f1e…"}]
//	task: 8
func (a *API) GetFilterMessages(id string) ([]*Message, error) {
	f, err := a.w.Filters().Get(id)
	if err != nil {
		return nil, rpcError(invalid("id", err))
	}
	msgs, err := f.Retrieve(MaxPollBytes)
	if err != nil {
		return nil, rpcError(err)
	}
	out := make([]*Message, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, toMessage(m))
	}
	return out, nil
}

func (a *API) signingKey(id string) (*ecdsa.PrivateKey, error) {
	if id == "" {
		return nil, nil
	}
	key, err := a.w.Keys().PrivateKey(id)
	if err != nil {
		return nil, invalid("sig", err)
	}
	return key, nil
}
