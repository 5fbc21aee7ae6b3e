package messenger

import (
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
	dl datasync.Delivery
	at time.Time
}

// park keeps dl for chatID and evicts what is too old or too many.
func (d *dispatcher) park(chatID string, dl datasync.Delivery) {
	p := &d.parked
	if p.byChat == nil {
		p.byChat = make(map[string][]parked)
	}
	now := d.c.cfg.Now()
	p.byChat[chatID] = append(p.byChat[chatID], parked{dl: dl, at: now})
	p.n++
	for id, l := range p.byChat {
		for len(l) > 0 && (now.Sub(l[0].at) > parkTimeout || p.n > parkLimit) {
			d.evict(l[0].dl)
			l, p.n = l[1:], p.n-1
		}
		if len(l) == 0 {
			delete(p.byChat, id)
		} else {
			p.byChat[id] = l
		}
	}
}

// evict gives up on a parked delivery: dropped as not-member, confirmed.
func (d *dispatcher) evict(dl datasync.Delivery) {
	d.c.drop(ReasonNotMember, "", nil)
	if err := d.c.ds.Confirm(dl.ID()); err != nil {
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
		d.receiveDelivered(e.dl)
	}
}
