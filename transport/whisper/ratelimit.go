package whisper

import (
	"time"
)

// bucket is a token bucket: rate tokens per second, at most burst saved.
// A rate of 0 means unlimited.
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
	if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(b.burst, b.tokens+dt*b.rate)
		b.last = now
	}
}

// rateLimiter applies RateLimit to one peer (§4.6): an envelope bucket and a
// byte bucket, each holding one second's allowance (the byte bucket at least
// one maximal envelope), and an abuse level that rises by one for every
// dropped envelope and drains at the envelope rate. It is owned by the
// peer's read loop and is not safe for concurrent use.
type rateLimiter struct {
	envs, bytes bucket
	abuse       float64
	abuseLast   time.Time
	cfg         RateLimit
}

func newRateLimiter(cfg RateLimit, maxMessageSize uint32) *rateLimiter {
	return &rateLimiter{
		cfg:   cfg,
		envs:  newBucket(cfg.EnvelopesPerSecond, max(cfg.EnvelopesPerSecond, 1)),
		bytes: newBucket(cfg.BytesPerSecond, max(cfg.BytesPerSecond, float64(maxMessageSize))),
	}
}

// allow reports whether an envelope of size bytes may be accepted at now.
// A refused envelope raises the abuse level.
func (r *rateLimiter) allow(now time.Time, size int) bool {
	ok := true
	if r.cfg.EnvelopesPerSecond > 0 {
		r.envs.refill(now)
		ok = r.envs.tokens >= 1
	}
	if ok && r.cfg.BytesPerSecond > 0 {
		r.bytes.refill(now)
		ok = r.bytes.tokens >= float64(size)
	}
	if !ok {
		r.drainAbuse(now)
		r.abuse++
		return false
	}
	if r.cfg.EnvelopesPerSecond > 0 {
		r.envs.tokens--
	}
	if r.cfg.BytesPerSecond > 0 {
		r.bytes.tokens -= float64(size)
	}
	return true
}

func (r *rateLimiter) drainAbuse(now time.Time) {
	if !r.abuseLast.IsZero() {
		rate := max(r.cfg.EnvelopesPerSecond, 1)
		r.abuse = max(0, r.abuse-now.Sub(r.abuseLast).Seconds()*rate)
	}
	r.abuseLast = now
}

// abusive reports whether the peer has exceeded its limits so persistently
// that it should be disconnected.
func (r *rateLimiter) abusive() bool {
	return r.cfg.DisconnectAfter > 0 && r.abuse > r.cfg.DisconnectAfter
}
