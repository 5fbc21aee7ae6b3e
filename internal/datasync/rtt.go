package datasync

import (
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// maxRTTSamples bounds the first sends the driver remembers while waiting
// for their ACKs; beyond it new sends are not timed (a peer that never ACKs
// would otherwise grow the map without end).
const maxRTTSamples = 4096

// rttEstimator times the round trip from the first send of a message to a
// peer to that peer's ACK of it, and keeps a smoothed estimate per peer in
// the manner of TCP's retransmission timer (RFC 6298): SRTT and RTTVAR with
// gains 1/8 and 1/4. Only messages sent once are timed (Karn's rule: the ACK
// of a retransmitted message cannot say which copy it answers). It is owned
// by the driver goroutine.
type rttEstimator struct {
	sent  map[mvds.RecordKey]sendTime
	peers map[mvds.PeerID]rtt
}

type sendTime struct {
	at     time.Time
	resent bool
}

type rtt struct{ srtt, rttvar time.Duration }

func newRTTEstimator() *rttEstimator {
	return &rttEstimator{sent: make(map[mvds.RecordKey]sendTime), peers: make(map[mvds.PeerID]rtt)}
}

// onSend notes that the messages ids left for to at now.
func (e *rttEstimator) onSend(to mvds.PeerID, ids []mvds.MessageID, now time.Time) {
	for _, id := range ids {
		k := mvds.RecordKey{Message: id, Peer: to}
		if s, ok := e.sent[k]; ok {
			s.resent = true
			e.sent[k] = s
			continue
		}
		if len(e.sent) < maxRTTSamples {
			e.sent[k] = sendTime{at: now}
		}
	}
}

// onAcks takes the ACKs of ids from peer at now and reports whether the
// peer's estimate changed.
func (e *rttEstimator) onAcks(from mvds.PeerID, ids []mvds.MessageID, now time.Time) bool {
	changed := false
	for _, id := range ids {
		k := mvds.RecordKey{Message: id, Peer: from}
		s, ok := e.sent[k]
		if !ok {
			continue
		}
		delete(e.sent, k)
		if s.resent {
			continue
		}
		sample := now.Sub(s.at)
		if sample < 0 {
			continue
		}
		r, known := e.peers[from]
		if !known {
			r = rtt{srtt: sample, rttvar: sample / 2}
		} else {
			dev := r.srtt - sample
			if dev < 0 {
				dev = -dev
			}
			r.rttvar = (3*r.rttvar + dev) / 4
			r.srtt = (7*r.srtt + sample) / 8
		}
		e.peers[from] = r
		changed = true
	}
	return changed
}

// firstRetry returns the time to wait for peer's ACK before the first
// retransmission, SRTT + 4·RTTVAR, and whether peer was measured.
func (e *rttEstimator) firstRetry(peer mvds.PeerID) (time.Duration, bool) {
	r, ok := e.peers[peer]
	return r.srtt + 4*r.rttvar, ok
}

// backoffTicks converts a wait into a first retransmission gap in ticks: a
// record sent by a flush or at a tick boundary waits at least gap-1 whole
// ticks, so one tick is added to the rounded-up count. The result is at
// least min and at most max.
func backoffTicks(wait, tick time.Duration, min, max uint64) uint64 {
	n := uint64((wait+tick-1)/tick) + 1
	if n < min {
		n = min
	}
	if n > max {
		n = max
	}
	return n
}
