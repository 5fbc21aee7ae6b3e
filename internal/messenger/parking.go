package messenger

import (
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
)

// Parking: MVDS does not order messages (a payload carries them by ID, and
// retransmissions mix with new ones), so a group message can arrive before
// the membership update that makes us a member: the creator's g5 and the
// first text to a new member often share a payload. A message to a group
// we do not know, when it came through MVDS, is not dropped but parked
// with its delivery left unconfirmed (the driver keeps it pending, so a
// restart delivers it again). Every membership update handled for the
// group retries its parked messages. A message parked longer than
// parkTimeout, or pushed out by parkLimit newer ones, is dropped as
// "not-member" and confirmed.
//
// Held: a message to a group we are invited to but have not joined is not
// shown (as a 2019 client did not show it) and not lost either: it is
// parked, held without the timeout, until our standing changes. Joining
// retries it (now shown), declining or leaving retries it (now dropped as
// "not-member", visible in the dropped counters and as a DroppedEvent).
// Held messages still count against parkLimit; one pushed out is dropped
// as "not-joined". Its delivery stays pending in the driver until then,
// so after a restart it is delivered, and held, again.
const (
	parkLimit   = 1024
	parkTimeout = 10 * time.Minute
)

// parking holds the parked deliveries by group chat ID, oldest first. It is
// owned by the receive goroutine: no lock.
type parking struct {
	byChat map[string][]parked
	n      int
}

type parked struct {
	dl   datasync.Delivery
	at   time.Time
	held bool // for a group we are invited to: no timeout
}

// park keeps dl for chatID and evicts what is too old (unless held) or
// too many.
func (d *dispatcher) park(chatID string, dl datasync.Delivery, held bool) {
	p := &d.parked
	if p.byChat == nil {
		p.byChat = make(map[string][]parked)
	}
	now := d.c.cfg.Now()
	p.byChat[chatID] = append(p.byChat[chatID], parked{dl: dl, at: now, held: held})
	p.n++
	for id, l := range p.byChat {
		for len(l) > 0 && ((!l[0].held && now.Sub(l[0].at) > parkTimeout) || p.n > parkLimit) {
			d.evict(l[0])
			l, p.n = l[1:], p.n-1
		}
		if len(l) == 0 {
			delete(p.byChat, id)
		} else {
			p.byChat[id] = l
		}
	}
}

// evict gives up on a parked delivery: dropped as not-member (not-joined
// for a held one), confirmed.
func (d *dispatcher) evict(e parked) {
	reason := ReasonNotMember
	if e.held {
		reason = ReasonNotJoined
	}
	d.c.drop(reason, "", nil)
	if err := d.c.ds.Confirm(e.dl.ID()); err != nil {
		d.c.log.Debug("confirm delivery", zap.Error(err))
	}
}

// unpark retries the messages parked for chatID after a membership update
// for it was handled; those still refused are parked again.
func (d *dispatcher) unpark(chatID string) {
	l := d.parked.byChat[chatID]
	if len(l) == 0 {
		return
	}
	delete(d.parked.byChat, chatID)
	d.parked.n -= len(l)
	for _, e := range l {
		d.receiveDelivered(e.dl, nil)
	}
}

// retries is the hand-over of chat IDs whose parked messages should be
// retried, from any goroutine (Groups, after our own standing changed) to
// the receive goroutine: a set under its own lock and a wake-up channel
// of capacity one, so a request never blocks and is never lost.
type retries struct {
	mu   sync.Mutex
	ids  map[string]struct{} // guarded by mu
	wake chan struct{}
}

func newRetries() *retries {
	return &retries{ids: make(map[string]struct{}), wake: make(chan struct{}, 1)}
}

// request asks the receive goroutine to retry chatID's parked messages.
func (r *retries) request(chatID string) {
	r.mu.Lock()
	r.ids[chatID] = struct{}{}
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// take returns and forgets the requested chat IDs.
func (r *retries) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.ids))
	for id := range r.ids {
		out = append(out, id)
	}
	clear(r.ids)
	return out
}
