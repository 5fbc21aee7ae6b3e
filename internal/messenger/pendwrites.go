package messenger

import (
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/lib/eventbus"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

// Store failures on the delivery path. Some writes record what already
// happened and cannot be held back the way the receive path holds a
// payload (storefail.go): the MVDS ID → status ID mapping of a payload
// the driver is sending (deliveries.mapOutgoing, with the outbox entries
// it drops), a delivery state an ACK or an envelope event moved
// (deliveryTx.commit: the input comes once), and what a peer was seen
// sending (metaPeerProtocols, metaPeerWrappers). Losing one would leave a
// message sent forever (its ACK unmapped), a state unstored and
// unpublished, or a peer sent a form it does not read.
//
// pendingWrites keeps the record puts and removals of such a write when
// it fails, by key (a later write of a key replaces what was kept), and
// its run goroutine writes them again after a back-off (storeRetryFirst,
// doubling up to storeRetryMax, on its clock) until a write succeeds; at
// Stop it tries once more, and what is still kept then is lost (the next
// Start re-learns the peers and appends the outbox entries again). While
// anything is kept, every later write through it joins the kept ones
// instead of going to the store, so an older kept value never overwrites
// a newer one. Reads that build on these records see the kept values
// (get: deliveryTx reads delivery records, onAcks and resendToNew map
// MVDS IDs through it); everything else reads the store.
//
// Events: the DeliveryEvents of a kept write are published once it is
// written, in the order they were produced — a state is published only
// once it is stored, the rule of the whole store (persist before events),
// so a frontend never shows a state a restart would take back. A spell
// publishes one StoreFailedEvent (Store StoreRecords, Waiting the records
// kept) and logs one error when it begins, and one StoreRecoveredEvent
// when what was kept is written.
//
// A kept delivery record is written only while its message exists, with
// the chat book's lock held (messages), so a message deleted meanwhile
// does not get its delivery record back (as deliveryTx guarantees).
type pendingWrites struct {
	st    *store
	bus   *eventbus.Bus[Event]
	log   *zap.Logger
	clock datasync.Clock // times the retries; set before Start (nil: the wall clock)
	wake  chan struct{}  // capacity 1: "something was kept"

	// messages is the chat book's lock (set by New; nil in tests of the
	// parts alone). Lock order: messages → mu.
	messages sync.Locker

	mu         sync.Mutex // a leaf but for the store writes made with it held
	kept       map[string]keptOp
	events     []Event // of the kept writes, to publish once written
	publishing bool    // flush is publishing the kept events
	handoff    []Event // of writes made meanwhile, for flush to publish after them
	err        error   // the last failure of the spell
	tries      int
}

// keptOp is the newest write of one key a failed write left.
type keptOp struct {
	value   []byte
	deleted bool
}

func newPendingWrites(st *store, bus *eventbus.Bus[Event], log *zap.Logger) *pendingWrites {
	return &pendingWrites{st: st, bus: bus, log: log, wake: make(chan struct{}, 1), kept: make(map[string]keptOp)}
}

// write writes b, or keeps it when writes are already kept or its write
// fails (ErrStore). It reports whether the caller is to publish evs (b
// was written); otherwise they are published by flush, once b is written
// (or, written while flush publishes kept events, after those). Any
// goroutine may call it; the store write is made with its mutex held, so
// writes through it land in call order.
func (p *pendingWrites) write(b *storage.Batch, evs []Event) bool {
	p.mu.Lock()
	began := false
	if len(p.kept) == 0 {
		err := p.st.write(b)
		if err == nil {
			publish := !p.publishing
			if !publish {
				p.handoff = append(p.handoff, evs...)
			}
			p.mu.Unlock()
			return publish
		}
		p.err, began = err, true
	}
	b.Each(func(k, v []byte, deleted bool) { p.kept[string(k)] = keptOp{value: v, deleted: deleted} })
	p.events = append(p.events, evs...)
	waiting, err := len(p.kept), p.err
	p.mu.Unlock()
	if began {
		p.log.Error("store delivery records: keeping them and retrying until writes succeed",
			zap.Int("waiting", waiting), zap.Error(err))
		p.bus.Publish(StoreFailedEvent{Store: StoreRecords, Error: err.Error(), Waiting: waiting})
	}
	select {
	case p.wake <- struct{}{}:
	default:
	}
	return false
}

// get returns what is kept for key k: found is false when nothing is (the
// store has the newest value), deleted is true for a kept removal. The
// value is not to be changed.
func (p *pendingWrites) get(k []byte) (value []byte, deleted, found bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	op, found := p.kept[string(k)]
	return op.value, op.deleted, found
}

// run writes again what failed writes left, each time something is kept,
// with the back-off, until it is written; it returns when quit is closed,
// after one last try.
func (p *pendingWrites) run(quit <-chan struct{}) {
	clock := p.clock
	if clock == nil {
		clock = datasync.SystemClock{}
	}
	for {
		select {
		case <-p.wake:
		case <-quit:
			p.flush()
			return
		}
		for wait := storeRetryFirst; ; wait = min(2*wait, storeRetryMax) {
			if !sleepOn(clock, wait, quit) {
				p.flush()
				return
			}
			if p.flush() {
				break
			}
		}
	}
}

// flush writes what is kept in one batch and reports whether nothing is
// kept any more; on success it publishes the kept events and ends the
// spell. The events of writes made while it publishes are handed to it
// (handoff), so that none overtakes an older kept one.
func (p *pendingWrites) flush() bool {
	evs, tries, ok := p.writeKept()
	if !ok {
		return false
	}
	if tries == 0 {
		return true // nothing was kept
	}
	for len(evs) > 0 {
		for _, ev := range evs {
			p.bus.Publish(ev)
		}
		p.mu.Lock()
		evs, p.handoff = p.handoff, nil
		p.publishing = len(evs) > 0
		p.mu.Unlock()
	}
	p.log.Info("store delivery records: writes succeed again", zap.Int("tries", tries))
	p.bus.Publish(StoreRecoveredEvent{Store: StoreRecords, Tries: tries})
	return true
}

// writeKept writes what is kept, holding the chat book's lock. It returns
// the kept events to publish (those of orphaned delivery records left
// out) and the spell's tries, 0 when nothing was kept; ok is false when
// the write failed. On success the handing off of events begins
// (publishing) when there are events.
func (p *pendingWrites) writeKept() (evs []Event, tries int, ok bool) {
	if p.messages != nil {
		p.messages.Lock()
		defer p.messages.Unlock()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.kept) == 0 {
		return nil, 0, true
	}
	p.tries++
	var b storage.Batch
	orphans := make(map[string]bool)
	for k, op := range p.kept {
		switch {
		case op.deleted:
			b.Delete([]byte(k))
		case p.orphanLocked(k):
			orphans[k[1:]] = true
		default:
			b.Put([]byte(k), op.value)
		}
	}
	if err := p.st.write(&b); err != nil {
		p.err = err
		p.log.Debug("store delivery records: still failing", zap.Int("tries", p.tries), zap.Error(err))
		return nil, p.tries, false
	}
	for _, ev := range p.events {
		if d, ok := ev.(DeliveryEvent); !ok || !orphans[d.MessageID] {
			evs = append(evs, ev)
		}
	}
	tries = p.tries
	p.kept, p.events, p.err, p.tries = make(map[string]keptOp), nil, nil, 0
	p.publishing = len(evs) > 0
	return evs, tries, true
}

// orphanLocked reports whether k is the delivery record of a message no
// longer stored (deleted while the record was kept): it is not written.
func (p *pendingWrites) orphanLocked(k string) bool {
	if len(k) == 0 || k[0] != pfxDelivery {
		return false
	}
	exists, err := p.st.rs.Has(messengerstore.KindMessage, k[1:])
	return err == nil && !exists
}

// sleepOn waits d on clock; false when quit closed first.
func sleepOn(clock datasync.Clock, d time.Duration, quit <-chan struct{}) bool {
	t := clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-quit:
		return false
	}
}
