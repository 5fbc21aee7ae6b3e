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
	ErrAbusivePeer     = errors.New("whisper: peer sends what no honest peer sends")
	ErrTooManyFilters  = errors.New("whisper: too many filters")
	ErrTooManyKeys     = errors.New("whisper: too many keys")
	ErrMessagesLost    = errors.New("whisper: messages lost")
	ErrLightClientPeer = errors.New("whisper: two restricted light clients")
)

// RateLimit bounds what one untrusted peer may send us (§4.6). Trusted
// peers are exempt. The limits are budgets, not drop thresholds: a peer
// may send a burst (a pool sync, a history page) at once, then its rate;
// beyond that the router stops reading from it until the budget allows
// (see ratelimit.go), so an honest fast sender is slowed, never dropped.
// Only input no honest peer sends — an envelope it already sent on the
// same connection, envelopes from the future — raises an abuse score that
// disconnects the peer above DisconnectAfter.
type RateLimit struct {
	// EnvelopesPerSecond and BytesPerSecond are the steady rates; 0 is
	// unlimited.
	EnvelopesPerSecond float64
	BytesPerSecond     float64
	// BurstEnvelopes and BurstBytes are what a peer may send at once
	// before the rates apply; 0 means DefaultBurstSeconds of the rate.
	BurstEnvelopes float64
	BurstBytes     float64
	// DisconnectAfter is the abuse score at which the peer is
	// disconnected; 0 never disconnects.
	DisconnectAfter float64
	// AbuseDrainPerSecond is how fast the abuse score falls back; 0 means
	// the default (DefaultAbuseDrain).
	AbuseDrainPerSecond float64
}

// Bounds of the runtime setters (shh_setMinPoW, shh_setMaxMessageSize).
const (
	// DefaultMaxSettablePoW is the PoW target of the messenger's envelopes.
	DefaultMaxSettablePoW = wproto.StatusPoWTarget
	// DefaultMinSettableMessageSize holds the messenger's largest envelope:
	// a 64 KiB text with its wrapper, encryption, MVDS framing and Whisper
	// padding, with room to spare.
	DefaultMinSettableMessageSize = 256 << 10
)

// DefaultBurstSeconds sizes a default burst as that many seconds of the
// steady rate: at the default 500 envelopes/s, 20 000 envelopes, several
// history pages (2 000 envelopes each) or the pool of a busy relay.
const DefaultBurstSeconds = 40

// DefaultAbuseDrain is how many abusive envelopes per second are forgiven.
const DefaultAbuseDrain = 50

// Config configures a Whisper service. DefaultConfig gives the defaults.
type Config struct {
	MinPoW         float64 // node minimum PoW (§4.4, §5.8)
	MaxMessageSize uint32  // per envelope and per packet (§5.1, §5.8)
	LightClient    bool    // do not forward others' envelopes (§4.6)
	// RestrictLightClients refuses a peer when both sides are light clients.
	RestrictLightClients bool
	RateLimit            RateLimit
	// PeerQueue is the length of each peer's outgoing envelope queue; when
	// it is full, the peer is marked behind and its writer later sends it
	// what the pool holds that it has not had (nothing pooled is lost).
	PeerQueue int
	// BatchEnvelopes and BatchBytes bound one Messages packet.
	BatchEnvelopes int
	BatchBytes     int
	// HandshakeTimeout bounds the wait for the peer's Status packet.
	HandshakeTimeout time.Duration
	// FilterQueue is the channel capacity of a subscription (Subscribe);
	// what a lagging reader cannot take is counted (Filter.TakeLost).
	FilterQueue int
	// FilterBytes bounds what one polled filter holds between two polls;
	// past it new messages are counted as lost and the next poll says so
	// (Filter.Retrieve).
	FilterBytes int
	// MaxFilters bounds the filters installed at once (ErrTooManyFilters).
	MaxFilters int
	// MaxKeys bounds the key pairs and symmetric keys held at once
	// (ErrTooManyKeys).
	MaxKeys int
	// Confirmations advertises confirmationsEnabled in our Status and
	// answers each Messages packet from a peer that advertised it with a
	// Message Response (12) and a Batch Acknowledged (11) packet, as the
	// Status fork does (§4.6); the peer's acknowledgements of our batches
	// are reported as EventEnvelopeAcknowledged either way.
	Confirmations bool
	// PaceBurstSeconds sizes the burst we send a peer that advertised a
	// rate (code 20) before pacing to it; 0 means DefaultBurstSeconds.
	PaceBurstSeconds float64
	// MaxSettablePoW bounds SetMinPoW: the PoW the node's own envelopes
	// are sealed to (Status's 0.002), so that raising the minimum cannot
	// stop the node from sending. 0 means DefaultMaxSettablePoW.
	MaxSettablePoW float64
	// MinSettableMessageSize bounds SetMaxMessageSize from below: the
	// largest envelope the node itself sends must still fit. 0 means
	// DefaultMinSettableMessageSize.
	MinSettableMessageSize uint32
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
		FilterBytes:      16 << 20,
		MaxFilters:       5000,
		MaxKeys:          10000,
		Confirmations:    true,
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
	case c.RateLimit.EnvelopesPerSecond < 0 || c.RateLimit.BytesPerSecond < 0 || c.RateLimit.DisconnectAfter < 0 ||
		c.RateLimit.BurstEnvelopes < 0 || c.RateLimit.BurstBytes < 0 || c.RateLimit.AbuseDrainPerSecond < 0:
		return fmt.Errorf("%w: negative rate limit", ErrInvalidConfig)
	}
	if c.PaceBurstSeconds <= 0 {
		c.PaceBurstSeconds = DefaultBurstSeconds
	}
	if c.MaxSettablePoW <= 0 {
		c.MaxSettablePoW = max(DefaultMaxSettablePoW, c.MinPoW)
	}
	if c.MinSettableMessageSize == 0 {
		c.MinSettableMessageSize = min(DefaultMinSettableMessageSize, c.MaxMessageSize)
	}
	if c.RateLimit.AbuseDrainPerSecond == 0 {
		c.RateLimit.AbuseDrainPerSecond = DefaultAbuseDrain
	}
	setDefault(&c.PeerQueue, d.PeerQueue)
	setDefault(&c.BatchEnvelopes, d.BatchEnvelopes)
	setDefault(&c.BatchBytes, d.BatchBytes)
	setDefault(&c.FilterQueue, d.FilterQueue)
	setDefault(&c.FilterBytes, d.FilterBytes)
	setDefault(&c.MaxFilters, d.MaxFilters)
	setDefault(&c.MaxKeys, d.MaxKeys)
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
