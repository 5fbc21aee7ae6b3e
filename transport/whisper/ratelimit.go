package whisper

import (
	"time"
)

// bucket is a token bucket that may go into debt: rate tokens per second,
// at most burst saved. A rate of 0 means unlimited.
type bucket struct {
	rate, burst, tokens float64
	last                time.Time
}

func newBucket(rate, burst float64) bucket {
	return bucket{rate: rate, burst: burst, tokens: burst}
}

func (b *bucket) refill(now time.Time) {
	if b.last.IsZero() {
		b.last = now
		return
	}
	// A clock that steps back (the NTP offset of Config.Now changing)
	// counts as no time passing, rather than stalling the refill until
	// it catches up with last.
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(b.burst, b.tokens+dt*b.rate)
	}
	b.last = now
}

// take spends n tokens at now and returns how long it takes for the
// balance to come back to zero (0 when there was enough).
func (b *bucket) take(now time.Time, n float64) time.Duration {
	if b.rate <= 0 {
		return 0
	}
	b.refill(now)
	b.tokens -= n
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / b.rate * float64(time.Second))
}

// rateLimiter applies RateLimit to one peer (§4.6). It does not drop: the
// peer's read loop reserves each packet's envelopes and bytes, and when the
// budget (a burst, then the steady rate) is spent it waits before reading
// on, so TCP flow control slows the sender and nothing it sent is lost.
//
// Separately, an abuse score rises for input no honest peer sends — an
// envelope it already sent on this connection, one from the future — and
// drains at AbuseDrainPerSecond; above DisconnectAfter the peer is
// disconnected. It is owned by the peer's read loop and is not safe for
// concurrent use.
type rateLimiter struct {
	envs, bytes bucket
	abuse       float64
	abuseLast   time.Time
	cfg         RateLimit
}

func newRateLimiter(cfg RateLimit, maxMessageSize uint32) *rateLimiter {
	envBurst := cfg.BurstEnvelopes
	if envBurst <= 0 {
		envBurst = cfg.EnvelopesPerSecond * DefaultBurstSeconds
	}
	byteBurst := cfg.BurstBytes
	if byteBurst <= 0 {
		byteBurst = cfg.BytesPerSecond * DefaultBurstSeconds
	}
	return &rateLimiter{
		cfg:   cfg,
		envs:  newBucket(cfg.EnvelopesPerSecond, max(envBurst, 1)),
		bytes: newBucket(cfg.BytesPerSecond, max(byteBurst, float64(maxMessageSize))),
	}
}

// reserve spends the budget for a packet of n envelopes and size bytes at
// now and returns how long the read loop must wait before it reads the
// next packet (0 while within the burst).
func (r *rateLimiter) reserve(now time.Time, n, size int) time.Duration {
	return max(r.envs.take(now, float64(n)), r.bytes.take(now, float64(size)))
}

// penalize raises the abuse score by weight at now.
func (r *rateLimiter) penalize(now time.Time, weight float64) {
	if !r.abuseLast.IsZero() {
		// max(0, …): a clock stepping back must not raise the score.
		r.abuse = max(0, r.abuse-max(0, now.Sub(r.abuseLast).Seconds())*r.cfg.AbuseDrainPerSecond)
	}
	r.abuseLast = now
	r.abuse += weight
}

// abusive reports whether the peer has sent so much that no honest peer
// sends that it should be disconnected.
func (r *rateLimiter) abusive() bool {
	return r.cfg.DisconnectAfter > 0 && r.abuse > r.cfg.DisconnectAfter
}
