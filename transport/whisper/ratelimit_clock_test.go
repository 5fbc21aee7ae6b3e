package whisper

import (
	"testing"
	"time"
)

// TestRateLimitClockStepsBack: when Config.Now steps back (an NTP offset
// applied), the buckets go on refilling from the new time instead of
// waiting for the clock to catch up, and the abuse score does not rise.
func TestRateLimitClockStepsBack(t *testing.T) {
	t0 := time.Unix(1_600_000_000, 0)
	r := newRateLimiter(RateLimit{EnvelopesPerSecond: 10, BurstEnvelopes: 10, AbuseDrainPerSecond: 1}, 1<<20)
	if wait := r.reserve(t0, 10, 0); wait != 0 {
		t.Fatalf("burst: wait %v", wait)
	}
	back := t0.Add(-30 * time.Second)
	r.reserve(back, 0, 0)
	if wait := r.reserve(back.Add(time.Second), 10, 0); wait != 0 {
		t.Fatalf("one second after a step back: wait %v, want 0", wait)
	}
	r.penalize(t0, 5)
	r.penalize(back, 0)
	if r.abuse != 5 {
		t.Fatalf("abuse after a step back = %v, want 5", r.abuse)
	}
}
