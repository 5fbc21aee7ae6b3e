package message

import "time"

// Clock is a per-chat Lamport clock producing status-react clock values
// (docs/PROTOCOL.md §1.6 rule 1: unix milliseconds × 100). It is a plain
// value: not safe for concurrent use; the owner (one per chat) persists
// Last() before sending the message that used it. now is always passed in.
type Clock struct {
	last int64
}

// NewClock resumes a clock from the last persisted value.
func NewClock(last int64) Clock { return Clock{last: last} }

// Last returns the highest value sent or adopted.
func (c *Clock) Last() int64 { return c.last }

// Next returns the clock value for a message sent at now:
// max(last + 1, now_ms×100 + 1), i.e. status-react's max(last, now×100) + 1.
// It advances the clock.
func (c *Clock) Next(now time.Time) int64 {
	v := max(c.last, now.UnixMilli()*ClockScale) + 1
	c.last = v
	return v
}

// Observe adopts a received clock value: last = min(max(v, last), MaxClock(now)),
// so a peer cannot push our clock beyond the drift bound.
func (c *Clock) Observe(v int64, now time.Time) {
	c.last = min(max(v, c.last), MaxClock(now))
}

// MaxClock is the highest clock value accepted at now:
// (now_ms + 31 days in ms) × 100 (status-react's guard, §1.6).
func MaxClock(now time.Time) int64 {
	return (now.UnixMilli() + ClockDrift.Milliseconds()) * ClockScale
}

// CheckClock validates a received clock value: positive (RuleClock) and at
// most MaxClock(now) (RuleClockDrift). Any smaller positive value is accepted,
// since 2019 peers used ms×100, plain ms and small Lamport counters (§1.6).
func CheckClock(v int64, now time.Time) error {
	if v <= 0 {
		return reject(RuleClock, "clock-value %d is not positive", v)
	}
	if v > MaxClock(now) {
		return reject(RuleClockDrift, "clock-value %d beyond %d", v, MaxClock(now))
	}
	return nil
}
