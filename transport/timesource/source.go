package timesource

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"
)

// Defaults, as status-go's timesource package had them in 2019.
const (
	DefaultAllowedFailures = 1
	DefaultTimeout         = 2 * time.Second
	DefaultFastPeriod      = 2 * time.Minute
	DefaultSlowPeriod      = time.Hour
)

// DefaultServers are the pool.ntp.org zones status-go queried in 2019; each
// name resolves to a nearby server, most likely a different one per zone.
func DefaultServers() []string {
	return []string{"0.pool.ntp.org", "1.pool.ntp.org", "2.pool.ntp.org", "3.pool.ntp.org"}
}

// Config configures a Source. The zero value of a field means its default.
type Config struct {
	// Servers are SNTP servers, host or host:port. With none the Source
	// never queries and Now is the host clock.
	Servers []string
	// AllowedFailures is how many servers may fail in one round before the
	// round is discarded (the offset stays as it was).
	AllowedFailures int
	Timeout         time.Duration // per query
	// FastPeriod is the wait between rounds until one succeeds, SlowPeriod
	// the wait after a success.
	FastPeriod, SlowPeriod time.Duration
	// Host is the host clock the offset applies to; nil means time.Now.
	Host func() time.Time
}

func (c *Config) setDefaults() {
	if c.AllowedFailures <= 0 {
		c.AllowedFailures = DefaultAllowedFailures
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	if c.FastPeriod <= 0 {
		c.FastPeriod = DefaultFastPeriod
	}
	if c.SlowPeriod <= 0 {
		c.SlowPeriod = DefaultSlowPeriod
	}
	if c.Host == nil {
		c.Host = time.Now
	}
}

// Source is a clock corrected by SNTP. Now and Offset are safe for
// concurrent use and never block; Start and Stop own the refresh goroutine.
type Source struct {
	cfg Config
	log *zap.Logger

	offset atomic.Int64 // time.Duration
	synced atomic.Bool

	mu     sync.Mutex
	cancel context.CancelFunc
	done   chan struct{}
}

// New returns a Source that reports the host clock until its first
// successful round. log may be nil.
func New(cfg Config, log *zap.Logger) *Source {
	cfg.setDefaults()
	cfg.Servers = slices.Clone(cfg.Servers)
	if log == nil {
		log = zap.NewNop()
	}
	return &Source{cfg: cfg, log: log.Named("ntp")}
}

// Now is the host clock plus the latest offset. Its monotonic reading is
// the host's shifted by the offset, so durations between two calls include
// any change of offset in between.
func (s *Source) Now() time.Time { return s.cfg.Host().Add(s.Offset()) }

// Offset is the correction applied by Now; zero before the first
// successful round.
func (s *Source) Offset() time.Duration { return time.Duration(s.offset.Load()) }

// Synced reports whether a round has succeeded.
func (s *Source) Synced() bool { return s.synced.Load() }

// Start launches the refresh goroutine, whose first round begins at once.
// With no servers it does nothing.
func (s *Source) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.done != nil {
		return errors.New("timesource: already started")
	}
	if len(s.cfg.Servers) == 0 {
		s.log.Info("no SNTP servers; using the host clock")
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel, s.done = cancel, make(chan struct{})
	go s.run(ctx)
	return nil
}

// Stop ends the refresh goroutine, abandoning a round in flight, and waits
// for it. It is idempotent.
func (s *Source) Stop() error {
	s.mu.Lock()
	cancel, done := s.cancel, s.done
	s.cancel = nil
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	return nil
}

func (s *Source) run(ctx context.Context) {
	defer close(s.done)
	wait := time.Duration(0)
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if err := s.Update(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("clock offset not updated", zap.Error(err))
			if !s.Synced() {
				wait = s.cfg.FastPeriod
			}
		} else {
			wait = s.cfg.SlowPeriod
		}
		timer.Reset(wait)
	}
}

// Update runs one round now: every server is queried at once and, if
// enough answer, the median of their offsets becomes the offset. It blocks
// for at most Config.Timeout and may be called from any goroutine.
func (s *Source) Update(ctx context.Context) error {
	offset, err := s.round(ctx)
	if err != nil {
		return err
	}
	old := time.Duration(s.offset.Swap(int64(offset)))
	s.synced.Store(true)
	s.log.Info("clock offset updated", zap.Duration("offset", offset), zap.Duration("previous", old),
		zap.Int("servers", len(s.cfg.Servers)))
	return nil
}

func (s *Source) round(ctx context.Context) (time.Duration, error) {
	if len(s.cfg.Servers) == 0 {
		return 0, fmt.Errorf("%w: none configured", ErrNoServers)
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	type result struct {
		r   Response
		err error
	}
	results := make(chan result, len(s.cfg.Servers))
	for _, server := range s.cfg.Servers {
		go func() {
			r, err := Query(ctx, server, s.cfg.Host)
			results <- result{r, err}
		}()
	}
	var offsets []time.Duration
	var errs []error
	for range s.cfg.Servers {
		res := <-results
		if res.err != nil {
			errs = append(errs, res.err)
			continue
		}
		offsets = append(offsets, res.r.Offset)
	}
	if len(offsets) == 0 || len(errs) > s.cfg.AllowedFailures {
		return 0, fmt.Errorf("%w: %d of %d: %w", ErrNoServers, len(errs), len(s.cfg.Servers), errors.Join(errs...))
	}
	return median(offsets), nil
}

// median returns the middle offset, or the mean of the two middle ones;
// it sorts offsets in place.
func median(offsets []time.Duration) time.Duration {
	slices.Sort(offsets)
	mid := len(offsets) / 2
	if len(offsets)%2 == 0 {
		return offsets[mid-1] + (offsets[mid]-offsets[mid-1])/2
	}
	return offsets[mid]
}
