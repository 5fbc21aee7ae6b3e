package messenger

import (
	"crypto/ecdsa"
	"crypto/rand"
	"fmt"
	"io"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/lib/metrics"
	"github.com/statusnode/statusd/storage/sessions"
)

// Config configures a Messenger. Zero fields take the defaults documented
// on each; New calls Validate.
type Config struct {
	// Identity is the account's chat key (required).
	Identity *ecdsa.PrivateKey
	// InstallationID names this device. "" reuses the one stored in the
	// database, or generates and stores a new one.
	InstallationID string
	// StorePassword derives the at-rest key of the encryption state
	// (storage/sessions).
	StorePassword []byte
	// KDFIterations is the PBKDF2 count of a new session store (0: the
	// storage/sessions default; tests use a small value).
	KDFIterations int
	// Name and DeviceType describe this installation to paired devices
	// (p2). What contacts see (c2/c3/c6) is the Profile (SetProfile).
	Name       string
	DeviceType string
	// ENSName, when set, is put in every text and emoji message we send as
	// the sender's name (content name, §1.4), as a 2019 client did for a
	// user who chose to show their ENS name. Not verified here.
	ENSName string
	// TTL is the Whisper TTL of posted envelopes (default 15 s, §4.4).
	TTL time.Duration
	// PublicRetryWindow is how long a public message that reached no peer
	// stays queued and is re-posted, in a fresh envelope, whenever a peer
	// connects (default 24 h); only after it does the message expire.
	PublicRetryWindow time.Duration
	// DataSyncTick is the MVDS tick (default 300 ms, §6.3);
	// DataSyncMaxBackoff bounds the retransmission gap in ticks (default 200).
	DataSyncTick       time.Duration
	DataSyncMaxBackoff uint64
	// DataSyncFirstRetry is the wait before the first MVDS retransmission
	// to a peer whose round trip was not measured yet (default 2.1 s: a
	// Whisper round trip through two relays on a 300 ms gossip cycle, with
	// the peer's ACK waiting for its next tick, takes up to about 2 s; the
	// 2019 clients' 600 ms made many messages arrive twice). It is rounded
	// up to whole ticks and capped at DataSyncMaxBackoff ticks. Once a
	// peer's ACKs were timed, its wait follows the measured round trip
	// (SRTT + 4·RTTVAR, at least 2 ticks) unless DataSyncFixedRetry is set.
	DataSyncFirstRetry time.Duration
	DataSyncFixedRetry bool
	// DataSyncRetainIDs is how long MVDS keeps the ID of a message it
	// released (one we stored, or one of ours every peer acknowledged), so
	// that a copy retransmitted meanwhile is acknowledged without being
	// handed to us again (internal/datasync Config.RetainReleased; default
	// 7 days). Past it a copy reaches the messenger, which drops it by its
	// message ID. Each ID kept costs about 100 bytes of memory.
	DataSyncRetainIDs time.Duration
	// NonACKMaxSends is how many times (first send included) MVDS sends a
	// message to a peer last seen sending without MVDS: a 2019 client with
	// data sync off reads MVDS payloads but never acknowledges them
	// (default 3). Such a message stays sent; it is never retransmitted
	// after the bound.
	NonACKMaxSends uint64
	// BundleReplyInterval is the least time between two bundle replies to
	// one sender whose message we could not decrypt for want of a session
	// (default 10 min). BundleRepublishInterval is the period at which our
	// bundle is re-published on our contact-code topic and expired sessions
	// are pruned (default 6 h, as status-go).
	BundleReplyInterval     time.Duration
	BundleRepublishInterval time.Duration
	// ContactUpdateInterval is how long after our last contact update (c6)
	// to every active contact it is sent again (default 48 h), checked
	// every ContactUpdateCheckInterval (default 2 min) when the Transport
	// has a peer: status-react 1.0's publisher (profile.go).
	ContactUpdateInterval      time.Duration
	ContactUpdateCheckInterval time.Duration
	// DataSyncClock drives MVDS ticks (default the wall clock).
	DataSyncClock datasync.Clock
	// Now is the messenger's clock (default time.Now).
	Now func() time.Time
	// Rand is the randomness source (default crypto/rand). It is used under
	// a lock, so any io.Reader will do.
	Rand io.Reader
	// Logger (default nop) and Metrics (optional).
	Logger  *zap.Logger
	Metrics *metrics.Registry
	// InboundBuffer bounds received Transport messages waiting for the
	// receive goroutine (default 1024). When it is full the Transport's
	// delivering goroutine waits (back-pressure); nothing is dropped.
	InboundBuffer int
}

// DefaultPublicRetryWindow is the default Config.PublicRetryWindow.
const DefaultPublicRetryWindow = 24 * time.Hour

// DefaultDataSyncRetainIDs is Config.DataSyncRetainIDs unset: a week, as
// internal/datasync's default.
const DefaultDataSyncRetainIDs = 7 * 24 * time.Hour

func (c *Config) setDefaults() {
	if c.TTL == 0 {
		c.TTL = 15 * time.Second
	}
	if c.PublicRetryWindow == 0 {
		c.PublicRetryWindow = DefaultPublicRetryWindow
	}
	if c.DataSyncTick == 0 {
		c.DataSyncTick = 300 * time.Millisecond
	}
	if c.DataSyncMaxBackoff == 0 {
		c.DataSyncMaxBackoff = 200
	}
	if c.DataSyncFirstRetry == 0 {
		c.DataSyncFirstRetry = 2100 * time.Millisecond
	}
	if c.DataSyncRetainIDs == 0 {
		c.DataSyncRetainIDs = DefaultDataSyncRetainIDs
	}
	if c.BundleReplyInterval == 0 {
		c.BundleReplyInterval = 10 * time.Minute
	}
	if c.BundleRepublishInterval == 0 {
		c.BundleRepublishInterval = 6 * time.Hour
	}
	if c.ContactUpdateInterval == 0 {
		c.ContactUpdateInterval = 48 * time.Hour
	}
	if c.ContactUpdateCheckInterval == 0 {
		c.ContactUpdateCheckInterval = 2 * time.Minute
	}
	if c.NonACKMaxSends == 0 {
		c.NonACKMaxSends = 3
	}
	if c.DataSyncClock == nil {
		c.DataSyncClock = datasync.SystemClock{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Logger == nil {
		c.Logger = zap.NewNop()
	}
	if c.InboundBuffer == 0 {
		c.InboundBuffer = 1024
	}
	if c.KDFIterations == 0 {
		c.KDFIterations = sessions.DefaultKDFIterations
	}
	if c.DeviceType == "" {
		c.DeviceType = "desktop"
	}
}

// Validate reports an unusable configuration as ErrInvalidConfig.
func (c Config) Validate() error {
	if c.Identity == nil {
		return fmt.Errorf("%w: no identity key", ErrInvalidConfig)
	}
	if c.TTL < 0 || c.PublicRetryWindow < 0 || c.DataSyncTick < 0 || c.DataSyncFirstRetry < 0 || c.InboundBuffer < 0 ||
		c.BundleReplyInterval < 0 || c.BundleRepublishInterval < 0 || c.KDFIterations < 0 ||
		c.ContactUpdateInterval < 0 || c.ContactUpdateCheckInterval < 0 || c.DataSyncRetainIDs < 0 {
		return fmt.Errorf("%w: negative setting", ErrInvalidConfig)
	}
	return nil
}
