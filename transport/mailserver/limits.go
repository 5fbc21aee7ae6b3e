package mailserver

import (
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
)

// peerLimiter is a token bucket per peer: perMinute requests a minute with
// a burst of perMinute. A negative perMinute allows everything. Buckets of
// peers idle for over a minute are forgotten. Safe for concurrent use.
type peerLimiter struct {
	perMinute int
	mu        sync.Mutex
	buckets   map[enode.ID]*tokens
	lastSweep time.Time
}

type tokens struct {
	n    float64
	last time.Time
}

func newPeerLimiter(perMinute int) *peerLimiter {
	return &peerLimiter{perMinute: perMinute, buckets: make(map[enode.ID]*tokens)}
}

// allow takes a token from peer's bucket if there is one.
func (l *peerLimiter) allow(peer enode.ID, now time.Time) bool {
	if l.perMinute < 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweepLocked(now)
	max := float64(l.perMinute)
	b, ok := l.buckets[peer]
	if !ok {
		b = &tokens{n: max, last: now}
		l.buckets[peer] = b
	}
	if dt := now.Sub(b.last); dt > 0 {
		b.n = min(max, b.n+dt.Minutes()*max)
	}
	b.last = now
	if b.n < 1 {
		return false
	}
	b.n--
	return true
}

func (l *peerLimiter) sweepLocked(now time.Time) {
	if now.Sub(l.lastSweep) < time.Minute {
		return
	}
	l.lastSweep = now
	for id, b := range l.buckets {
		if now.Sub(b.last) > time.Minute {
			delete(l.buckets, id)
		}
	}
}
