package messenger

import (
	"time"

	"go.uber.org/zap"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// pubBatch holds what the receive goroutine's pass over one drained batch
// has decided but not yet done for its public chat messages and for the
// 1:1 chat messages MVDS delivered: the messages to store, with one store
// write for all of them (flush), and, in arrival order among them, the
// drops to count and publish. Events are published only after that write,
// in the order the messages arrived, so that nothing is shown that is not
// stored, and the MVDS deliveries among them are confirmed to the driver
// only then, so that a crash before the write delivers them again at the
// next Start; anything else the pass does first flushes what is pending
// (see dispatcher.receiveAll, receiveDeliveries and process). It is owned
// by the receive goroutine.
type pubBatch struct {
	open  bool // in a pass over a drained batch: public messages may wait
	items []pubItem
	ids   map[string]struct{} // IDs of the pending messages (dedupe)
}

// pubItem is one pending effect: a message to store (msg) or a drop.
type pubItem struct {
	msg    *Message
	author string
	now    time.Time // when the message was received

	reason, sender string // a drop, when msg is nil
	err            error

	delivered bool           // msg came through MVDS: confirm it after the write
	mvdsID    mvds.MessageID // its MVDS ID, when delivered
	held      heldPayload    // msg's payload, held again if the write fails
}

// has reports whether a message id is pending.
func (p *pubBatch) has(id string) bool {
	_, ok := p.ids[id]
	return ok
}

// drop counts and publishes a rejected payload — after what is pending,
// when anything is.
func (d *dispatcher) drop(reason, sender string, err error) {
	if len(d.pend.items) == 0 {
		d.c.drop(reason, sender, err)
		return
	}
	d.pend.items = append(d.pend.items, pubItem{reason: reason, sender: sender, err: err})
}

// deferChat adds a validated chat message (deferrable) to what is
// pending; p is its payload (p.dl the MVDS delivery that carried it, or
// nil).
func (d *dispatcher) deferChat(msg *Message, author string, now time.Time, p heldPayload) {
	if d.pend.ids == nil {
		d.pend.ids = make(map[string]struct{})
	}
	d.pend.ids[msg.ID] = struct{}{}
	it := pubItem{msg: msg, author: author, now: now, held: p}
	if p.dl != nil {
		it.delivered, it.mvdsID = true, p.dl.ID()
	}
	d.pend.items = append(d.pend.items, it)
}

// flush stores the pending messages with one write — each chat's record
// once, with its clock, unread count and last message time as storing
// them one by one would leave it — and then publishes, in order, their
// MessageEvents and the pending drops. A message whose chat is gone, or
// whose public chat was left or deleted meanwhile, is dropped as chatFor
// would now drop it (ReasonWrongChat; a 1:1 one whose chat is inactive is
// stored, as chatFor would reopen its chat), one at or below its chat's
// cleared clock is dropped (RuleChatCleared), one whose author was
// blocked meanwhile is dropped (ReasonBlocked). When the write fails
// (a store failure: nothing of it was written), the drops are published
// and the messages held for a retry (storefail.go), unshown. Then the
// MVDS deliveries written or dropped are confirmed, with one call.
func (d *dispatcher) flush() {
	items := d.pend.items
	if len(items) == 0 {
		return
	}
	d.pend.items = nil
	clear(d.pend.ids)
	defer func() { d.confirmDelivered(items) }() // items nil: nothing to confirm
	for i, it := range items {
		if it.msg != nil && !it.msg.Outgoing && d.contacts.blocked(it.author) {
			items[i] = pubItem{reason: ReasonBlocked, sender: it.author, // blocked meanwhile
				delivered: it.delivered, mvdsID: it.mvdsID}
		}
	}
	var ids []string
	var at []int // index in items of ids[i]
	for i, it := range items {
		if it.msg != nil {
			ids = append(ids, it.msg.ChatID)
			at = append(at, i)
		}
	}
	cleared, left := make([]bool, len(ids)), make([]bool, len(ids))
	errs, err := d.chats.updateEach(ids, func(i int, ch *Chat, batch *storage.Batch) (*Chat, error) {
		it := items[at[i]]
		if ch != nil && !ch.Active && !it.delivered {
			left[i] = true // left or deleted since chatFor
			return nil, nil
		}
		next, c, err := addMessage(ch, it.msg, it.now, batch)
		cleared[i] = c
		return next, err
	})
	if err != nil {
		for i, it := range items {
			if it.msg == nil {
				d.c.drop(it.reason, it.sender, it.err)
				continue
			}
			d.hold(it.held, err)
			items[i].delivered = false // not written: not confirmed
		}
		return
	}
	if d.hooks.crashAfterPublicWrite != nil && d.hooks.crashAfterPublicWrite() {
		items = nil // the process "dies": nothing is published or confirmed
		return
	}
	j := 0
	for _, it := range items {
		if it.msg == nil {
			d.c.drop(it.reason, it.sender, it.err)
			continue
		}
		if left[j] {
			d.c.drop(ReasonWrongChat, it.author, nil)
		} else {
			d.stored(it.msg, it.author, cleared[j], errs[j])
		}
		j++
	}
}

// confirmDelivered confirms to the driver the MVDS deliveries among items,
// once they are stored (or dropped), with one call.
func (d *dispatcher) confirmDelivered(items []pubItem) {
	var ids []mvds.MessageID
	for _, it := range items {
		if it.delivered {
			ids = append(ids, it.mvdsID)
		}
	}
	if len(ids) == 0 {
		return
	}
	if err := d.c.ds.Confirm(ids...); err != nil {
		d.c.log.Debug("confirm deliveries", zap.Error(err))
	}
}

// addMessage is the change storing msg, received at now, makes to its
// chat ch: it adds msg to batch and returns the chat to keep; cleared
// when msg is at or below the chat's cleared clock (nothing to add);
// ErrChatNotFound when ch is nil (deleted meanwhile).
func addMessage(ch *Chat, msg *Message, now time.Time, batch *storage.Batch) (*Chat, bool, error) {
	if ch == nil {
		return nil, false, ErrChatNotFound
	}
	if msg.Clock <= ch.DeletedAtClock {
		return nil, true, nil
	}
	clock := message.NewClock(ch.LastClock)
	clock.Observe(msg.Clock, now)
	ch.LastClock, ch.LastMessageAt = clock.Last(), now.UnixMilli()
	if !msg.Outgoing {
		ch.Unread++
	}
	putMessage(batch, msg)
	return ch, false, nil
}

// storeChat stores msg, received at now, in its chat with one write and
// publishes the outcome (stored). A store failure is returned, with
// nothing published: the caller holds the payload (storefail.go).
func (d *dispatcher) storeChat(msg *Message, author string, now time.Time) error {
	cleared := false
	_, err := d.chats.update(msg.ChatID, func(ch *Chat, batch *storage.Batch) (*Chat, error) {
		next, c, err := addMessage(ch, msg, now, batch)
		cleared = c
		return next, err
	})
	if storeFailure(err) {
		return err
	}
	d.stored(msg, author, cleared, err)
	return nil
}

// stored publishes what became of msg once its write is done: dropped
// when its chat was cleared past it, or when it was not stored for a
// reason of its own (err, not a store failure: its chat is gone,
// ReasonWrongChat), a MessageEvent when it was stored.
func (d *dispatcher) stored(msg *Message, author string, cleared bool, err error) {
	switch {
	case cleared:
		d.c.drop(message.RuleChatCleared.String(), author, nil)
	case err != nil:
		d.c.drop(ReasonWrongChat, author, err)
	default:
		d.c.st.quote(msg)
		d.c.publish(MessageEvent{Message: msg})
	}
}
