package whisper

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"time"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// Sentinel errors of the router. Functions wrap them with %w.
var (
	ErrInvalidConfig   = errors.New("whisper: invalid config")
	ErrStopped         = errors.New("whisper: service stopped")
	ErrNotStarted      = errors.New("whisper: service not started")
	ErrPeerNotFound    = errors.New("whisper: peer not found")
	ErrKeyNotFound     = errors.New("whisper: key not found")
	ErrFilterNotFound  = errors.New("whisper: filter not found")
	ErrInvalidFilter   = errors.New("whisper: invalid filter")
	ErrInvalidSetting  = errors.New("whisper: invalid setting")
	ErrHandshake       = errors.New("whisper: handshake failed")
	ErrPacketTooLarge  = errors.New("whisper: packet too large")
	ErrRateLimited     = errors.New("whisper: peer exceeds rate limits")
	ErrLightClientPeer = errors.New("whisper: two restricted light clients")
)

// RateLimit bounds what one peer may send us (§4.6). Zero values mean
// unlimited. Trusted peers are exempt. Envelopes over the limit are dropped
// and counted; a peer whose dropped envelopes exceed DisconnectAfter within
// the leak of its buckets (see ratelimit.go) is disconnected.
type RateLimit struct {
	EnvelopesPerSecond float64
	BytesPerSecond     float64
	// DisconnectAfter is how many excess envelopes, net of the allowance
	// regained over time, a peer may send before it is disconnected; 0
	// never disconnects.
	DisconnectAfter float64
}

// Config configures a Whisper service. DefaultConfig gives the defaults.
type Config struct {
	MinPoW         float64 // node minimum PoW (§4.4, §5.8)
	MaxMessageSize uint32  // per envelope and per packet (§5.1, §5.8)
	LightClient    bool    // do not forward others' envelopes (§4.6)
	// RestrictLightClients refuses a peer when both sides are light clients.
	RestrictLightClients bool
	RateLimit            RateLimit
	// PeerQueue is the length of each peer's outgoing envelope queue; when
	// full, new envelopes for that peer are dropped and counted.
	PeerQueue int
	// BatchEnvelopes and BatchBytes bound one Messages packet.
	BatchEnvelopes int
	BatchBytes     int
	// HandshakeTimeout bounds the wait for the peer's Status packet.
	HandshakeTimeout time.Duration
	// FilterQueue is the per-filter buffer of messages (polling and
	// subscriptions); the oldest are dropped when it is full.
	FilterQueue int
	// EnablePrivateKeyExport allows GetPrivateKey (shh_getPrivateKey).
	EnablePrivateKeyExport bool
	// IngestWorkers bounds the goroutines that hash the envelopes of one
	// packet and compute their PoW (the keccak work of ingest) before they
	// are accepted in order on the peer's goroutine; 0 means GOMAXPROCS,
	// 1 keeps it all on the peer's goroutine.
	IngestWorkers int

	Now  func() time.Time // clock; nil means time.Now
	Rand io.Reader        // randomness for keys; nil means crypto/rand
}

// DefaultConfig returns the defaults: Status's node minimum PoW 0.001
// (§4.4), 1 MiB messages, 500 envelopes/s and 4 MiB/s per peer.
func DefaultConfig() Config {
	return Config{
		MinPoW:               wproto.StatusMinimumPoW,
		MaxMessageSize:       wproto.DefaultMaxMessageSize,
		RestrictLightClients: true,
		RateLimit: RateLimit{
			EnvelopesPerSecond: 500,
			BytesPerSecond:     4 << 20,
			DisconnectAfter:    2000,
		},
		PeerQueue:        1024,
		BatchEnvelopes:   64,
		BatchBytes:       256 << 10,
		HandshakeTimeout: 5 * time.Second,
		FilterQueue:      1024,
	}
}

// validate checks cfg and fills the zero-valued knobs with defaults.
func (c *Config) validate() error {
	d := DefaultConfig()
	switch {
	case math.IsNaN(c.MinPoW) || math.IsInf(c.MinPoW, 0) || c.MinPoW < 0:
		return fmt.Errorf("%w: min PoW %v", ErrInvalidConfig, c.MinPoW)
	case c.MaxMessageSize == 0 || c.MaxMessageSize > wproto.MaxMessageSize:
		return fmt.Errorf("%w: max message size %d (1..%d)", ErrInvalidConfig, c.MaxMessageSize, wproto.MaxMessageSize)
	case c.RateLimit.EnvelopesPerSecond < 0 || c.RateLimit.BytesPerSecond < 0 || c.RateLimit.DisconnectAfter < 0:
		return fmt.Errorf("%w: negative rate limit", ErrInvalidConfig)
	}
	setDefault(&c.PeerQueue, d.PeerQueue)
	setDefault(&c.BatchEnvelopes, d.BatchEnvelopes)
	setDefault(&c.BatchBytes, d.BatchBytes)
	setDefault(&c.FilterQueue, d.FilterQueue)
	setDefault(&c.IngestWorkers, runtime.GOMAXPROCS(0))
	if c.HandshakeTimeout <= 0 {
		c.HandshakeTimeout = d.HandshakeTimeout
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	return nil
}

func setDefault(v *int, d int) {
	if *v <= 0 {
		*v = d
	}
}
