package devp2p

import (
	"time"

	"github.com/ethereum/go-ethereum/p2p"
	"go.uber.org/zap"
)

// Peer connections and disconnections are logged at info, at most
// peerLogBurst lines per peerLogWindow; the lines over that are counted and
// reported as one summary line when the next window opens.
const (
	peerLogBurst  = 20
	peerLogWindow = time.Minute
)

// peerLogLimiter allows burst lines per window. It is owned by one
// goroutine (logPeers) and takes the time as an argument.
type peerLogLimiter struct {
	burst      int
	window     time.Duration
	start      time.Time
	used       int
	suppressed int
}

// allow reports whether a line may be written at now, and how many lines
// were suppressed in the window that just ended (reported once).
func (l *peerLogLimiter) allow(now time.Time) (ok bool, suppressed int) {
	if now.Sub(l.start) >= l.window {
		suppressed = l.suppressed
		l.start, l.used, l.suppressed = now, 0, 0
	}
	if l.used >= l.burst {
		l.suppressed++
		return false, suppressed
	}
	l.used++
	return true, suppressed
}

// logPeers writes "peer connected" and "peer disconnected" lines for the
// events of srv until quit is closed; it closes done on return. It runs on
// its own goroutine, started by Start and stopped by Stop.
func (s *Server) logPeers(srv *p2p.Server, quit <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	events := make(chan *p2p.PeerEvent, 64)
	sub := srv.SubscribeEvents(events)
	defer sub.Unsubscribe()
	lim := &peerLogLimiter{burst: peerLogBurst, window: peerLogWindow}
	for {
		select {
		case ev := <-events:
			if ev.Type != p2p.PeerEventTypeAdd && ev.Type != p2p.PeerEventTypeDrop {
				continue
			}
			ok, suppressed := lim.allow(time.Now())
			if suppressed > 0 {
				s.log.Info("peer changes not logged (rate limit)", zap.Int("count", suppressed), zap.Duration("window", peerLogWindow))
			}
			if !ok {
				continue
			}
			fields := []zap.Field{zap.String("id", ev.Peer.TerminalString()), zap.String("remote", ev.RemoteAddress), zap.Int("peers", srv.PeerCount())}
			if ev.Type == p2p.PeerEventTypeAdd {
				s.log.Info("peer connected", fields...)
			} else {
				s.log.Info("peer disconnected", append(fields, zap.String("reason", ev.Error))...)
			}
		case <-sub.Err():
			return
		case <-quit:
			return
		}
	}
}
