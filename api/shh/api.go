package shh

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math"
	"sync"

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
}

// Service owns the namespace and its subscription goroutines. Register
// API() under "shh"; call Close after the RPC server has stopped.
type Service struct {
	api *API
}

// API is the "shh" namespace. Every exported method is a JSON-RPC method
// (shh_<lowerCamelName>); they are safe for concurrent use and never block
// on the network, except Post, which seals (up to powTime seconds).
type API struct {
	w   *whisper.Whisper
	cfg Config

	mu     sync.Mutex // guards closed and wg.Add
	closed bool
	quit   chan struct{}
	wg     sync.WaitGroup // subscription goroutines
}

// New returns the namespace over w.
func New(w *whisper.Whisper, cfg Config) *Service {
	return &Service{api: &API{w: w, cfg: cfg, quit: make(chan struct{})}}
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

// Version is shh_version: "6.0".
func (a *API) Version() string { return wproto.ProtocolVersionString }

// Info is shh_info.
func (a *API) Info() whisper.Info { return a.w.Info() }

// SetMaxMessageSize is shh_setMaxMessageSize (at most 10 MiB).
func (a *API) SetMaxMessageSize(size uint32) (bool, error) {
	if err := a.w.SetMaxMessageSize(size); err != nil {
		return false, rpcError(invalid("size", err))
	}
	return true, nil
}

// SetMinPoW is shh_setMinPoW; peers are told with code 2.
func (a *API) SetMinPoW(pow float64) (bool, error) {
	if err := a.w.SetMinPoW(pow); err != nil {
		return false, rpcError(invalid("pow", err))
	}
	return true, nil
}

// SetBloomFilter is shh_setBloomFilter: 64 bytes of hex.
func (a *API) SetBloomFilter(bloom hexutil.Bytes) (bool, error) {
	b, err := wproto.BloomFromBytes(bloom)
	if err != nil || len(bloom) != wproto.BloomFilterSize {
		return false, rpcError(invalid("bloom", fmt.Errorf("%w: %d bytes, want 64", wproto.ErrInvalidBloom, len(bloom))))
	}
	return true, rpcError(a.w.SetBloomFilter(b))
}

// MarkTrustedPeer is shh_markTrustedPeer; the peer must be connected.
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

// MakeLightClient is shh_makeLightClient.
func (a *API) MakeLightClient() bool { a.w.SetLightClient(true); return true }

// CancelLightClient is shh_cancelLightClient.
func (a *API) CancelLightClient() bool { a.w.SetLightClient(false); return true }

// NewKeyPair is shh_newKeyPair.
func (a *API) NewKeyPair() (string, error) {
	id, err := a.w.Keys().NewKeyPair()
	return id, rpcError(err)
}

// AddPrivateKey is shh_addPrivateKey: 32 bytes of hex.
func (a *API) AddPrivateKey(privateKey hexutil.Bytes) (string, error) {
	key, err := crypto.ToECDSA(privateKey)
	if err != nil {
		return "", rpcError(invalid("privateKey", fmt.Errorf("%w: %v", wproto.ErrInvalidPrivateKey, err)))
	}
	id, err := a.w.Keys().AddKeyPair(key)
	return id, rpcError(invalid("privateKey", err))
}

// DeleteKeyPair is shh_deleteKeyPair.
func (a *API) DeleteKeyPair(id string) (bool, error) {
	if a.w.Keys().DeleteKeyPair(id) {
		return true, nil
	}
	return false, rpcError(invalid("id", fmt.Errorf("%w: key pair %s not found", whisper.ErrKeyNotFound, id)))
}

// HasKeyPair is shh_hasKeyPair.
func (a *API) HasKeyPair(id string) bool { return a.w.Keys().HasKeyPair(id) }

// GetPublicKey is shh_getPublicKey: the 65-byte public key.
func (a *API) GetPublicKey(id string) (hexutil.Bytes, error) {
	key, err := a.w.Keys().PrivateKey(id)
	if err != nil {
		return nil, rpcError(invalid("id", err))
	}
	return crypto.FromECDSAPub(&key.PublicKey), nil
}

// GetPrivateKey is shh_getPrivateKey, refused unless Config allows it.
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

// NewSymKey is shh_newSymKey.
func (a *API) NewSymKey() (string, error) {
	id, err := a.w.Keys().GenerateSymKey()
	return id, rpcError(err)
}

// AddSymKey is shh_addSymKey: 32 bytes of hex.
func (a *API) AddSymKey(key hexutil.Bytes) (string, error) {
	id, err := a.w.Keys().AddSymKey(key)
	if err != nil {
		return "", rpcError(invalid("key", err))
	}
	return id, nil
}

// GenerateSymKeyFromPassword is shh_generateSymKeyFromPassword (§4.2).
func (a *API) GenerateSymKeyFromPassword(password string) (string, error) {
	id, err := a.w.Keys().AddSymKeyFromPassword(password)
	return id, rpcError(err)
}

// HasSymKey is shh_hasSymKey.
func (a *API) HasSymKey(id string) bool { return a.w.Keys().HasSymKey(id) }

// GetSymKey is shh_getSymKey.
func (a *API) GetSymKey(id string) (hexutil.Bytes, error) {
	key, err := a.w.Keys().SymKey(id)
	if err != nil {
		return nil, rpcError(invalid("id", err))
	}
	return key[:], nil
}

// DeleteSymKey is shh_deleteSymKey.
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

// NewMessageFilter is shh_newMessageFilter: a polled filter.
func (a *API) NewMessageFilter(c Criteria) (string, error) {
	f, err := a.filter(c)
	if err != nil {
		return "", rpcError(err)
	}
	id, err := a.w.Filters().Install(f)
	return id, rpcError(err)
}

// DeleteMessageFilter is shh_deleteMessageFilter.
func (a *API) DeleteMessageFilter(id string) (bool, error) {
	if !a.w.Filters().Uninstall(id) {
		return false, rpcError(invalid("id", fmt.Errorf("%w: %s", whisper.ErrFilterNotFound, id)))
	}
	return true, nil
}

// GetFilterMessages is shh_getFilterMessages: messages since the last call.
func (a *API) GetFilterMessages(id string) ([]*Message, error) {
	f, err := a.w.Filters().Get(id)
	if err != nil {
		return nil, rpcError(invalid("id", err))
	}
	msgs := f.Retrieve()
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
