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
// The reads of the delivery inputs fail too: an input whose read failed
// is held by the tracker (deliveries.held, delivery.go), which reports
// how many it holds (holding). The same goroutine applies them again
// (reads, deliveries.retryHeld) after the kept writes are written, with
// the same back-off, and at Stop once more; what is still held then is
// lost like a kept write. Such a loss at Stop is logged as an error with
// the counts (last).
//
// Events: the DeliveryEvents of a kept write are published once it is
// written, in the order they were produced — a state is published only
// once it is stored, the rule of the whole store (persist before events),
// so a frontend never shows a state a restart would take back. A spell —
// from the first failed write or held input until nothing is kept or
// held — publishes one StoreFailedEvent (Store StoreRecords, Waiting the
// records kept or the inputs held when it began) and logs one error when
// it begins, and one StoreRecoveredEvent when everything was written and
// applied; both are published with the mutex held, so they alternate.
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

	// reads applies again the delivery inputs failed reads held (set by
	// newDeliveries: deliveries.retryHeld; nil in tests of the parts
	// alone). It is called with no lock held; it takes the tracker's.
	// Lock order: the tracker's → mu.
	reads func()

	mu         sync.Mutex // a leaf but for the store writes made with it held
	kept       map[string]keptOp
	events     []Event // of the kept writes, to publish once written
	publishing bool    // flush is publishing the kept events
	handoff    []Event // of writes made meanwhile, for flush to publish after them
	held       int     // delivery inputs held by failed reads, as the tracker last reported
	spell      bool    // a failure spell is on: its StoreFailedEvent is published
	err        error   // the last failure of the spell
	tries      int     // flushes in the spell
	lost       int     // delivery inputs the tracker dropped at their bound in the spell
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
		p.err = err
	}
	b.Each(func(k, v []byte, deleted bool) { p.kept[string(k)] = keptOp{value: v, deleted: deleted} })
	p.events = append(p.events, evs...)
	began := p.beginLocked(len(p.kept), "store delivery records: keeping them and retrying until writes succeed")
	p.mu.Unlock()
	if began {
		p.signal()
	}
	return false
}

// holding records that the tracker holds n delivery inputs whose reads
// failed (the last with err); n > 0 begins a spell if none is on. The
// tracker calls it, with its mutex held, whenever n changes.
// lostInput counts a held delivery input dropped at its bound, for the
// spell's StoreRecoveredEvent.
func (p *pendingWrites) lostInput() {
	p.mu.Lock()
	p.lost++
	p.mu.Unlock()
}

func (p *pendingWrites) holding(n int, err error) {
	p.mu.Lock()
	p.held = n
	began := false
	if n > 0 {
		if err != nil {
			p.err = err
		}
		began = p.beginLocked(n, "store delivery records: holding the inputs whose reads failed and retrying until reads succeed")
	}
	p.mu.Unlock()
	if began {
		p.signal()
	}
}

// beginLocked begins a spell, unless one is on: it logs msg and
// publishes the StoreFailedEvent, waiting records or inputs waiting. It
// reports whether it began one; the caller then wakes run, which retries
// until the spell ends.
func (p *pendingWrites) beginLocked(waiting int, msg string) bool {
	if p.spell {
		return false
	}
	p.spell = true
	text := "store failure"
	if p.err != nil {
		text = p.err.Error()
	}
	p.log.Error(msg, zap.Int("waiting", waiting), zap.Error(p.err))
	p.bus.Publish(StoreFailedEvent{Store: StoreRecords, Error: text, Waiting: waiting})
	return true
}

// signal wakes run.
func (p *pendingWrites) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
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

// run, once a spell begins, writes again what failed writes left and has
// the held delivery inputs applied again (flush), with the back-off,
// until the spell ends; it returns when quit is closed, after one last
// try.
func (p *pendingWrites) run(quit <-chan struct{}) {
	clock := orSystemClock(p.clock)
	for {
		select {
		case <-p.wake:
		case <-quit:
			p.last()
			return
		}
		for wait := storeRetryFirst; ; wait = min(2*wait, storeRetryMax) {
			if !sleepOn(clock, wait, quit) {
				p.last()
				return
			}
			if p.flush() {
				break
			}
		}
	}
}

// last is the try at Stop. What it cannot write or apply is lost: it says
// so in an error, since no one is left to receive an event.
func (p *pendingWrites) last() {
	if p.flush() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.log.Error("store delivery records: stopping with writes that failed; these delivery states are lost "+
		"(a message may show an older state, e.g. sent instead of acknowledged)",
		zap.Int("records", len(p.kept)), zap.Int("inputs", p.held), zap.Int("tries", p.tries), zap.Error(p.err))
}

// flush writes what is kept in one batch, publishes its events, has the
// held delivery inputs applied again (reads) and reports whether the
// spell ended (nothing is kept or held any more; true too when no spell
// was on). The events of writes made while it publishes are handed to
// it (handoff), so that none overtakes an older kept one.
func (p *pendingWrites) flush() bool {
	p.mu.Lock()
	if !p.spell {
		p.mu.Unlock()
		return true
	}
	p.tries++
	p.mu.Unlock()
	evs, ok := p.writeKept()
	if !ok {
		return p.end() // false: something is kept
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
	if p.reads != nil {
		p.reads()
	}
	return p.end()
}

// end ends the spell when nothing is kept or held any more, publishing
// its StoreRecoveredEvent; it reports whether it did.
func (p *pendingWrites) end() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.kept) > 0 || p.held > 0 {
		p.log.Debug("store delivery records: still failing", zap.Int("kept", len(p.kept)),
			zap.Int("held", p.held), zap.Int("tries", p.tries), zap.Error(p.err))
		return false
	}
	p.log.Info("store delivery records: writes and reads succeed again", zap.Int("tries", p.tries))
	p.bus.Publish(StoreRecoveredEvent{Store: StoreRecords, Tries: p.tries, Lost: p.lost})
	p.spell, p.err, p.tries, p.lost = false, nil, 0, 0
	return true
}

// writeKept writes what is kept, holding the chat book's lock. It returns
// the kept events to publish (those of orphaned delivery records left
// out); ok is false when the write failed. On success the handing off
// of events begins (publishing) when there are events.
func (p *pendingWrites) writeKept() (evs []Event, ok bool) {
	if p.messages != nil {
		p.messages.Lock()
		defer p.messages.Unlock()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.kept) == 0 {
		return nil, true
	}
	var b storage.Batch
	orphans := make(map[string]bool)
	for k, op := range p.kept {
		if op.deleted {
			b.Delete([]byte(k))
			continue
		}
		orphan, err := p.orphanLocked(k)
		if err != nil {
			p.err = err
			return nil, false
		}
		if orphan {
			orphans[k[1:]] = true
			continue
		}
		b.Put([]byte(k), op.value)
	}
	if err := p.st.write(&b); err != nil {
		p.err = err
		return nil, false
	}
	for _, ev := range p.events {
		if d, ok := ev.(DeliveryEvent); !ok || !orphans[d.MessageID] {
			evs = append(evs, ev)
		}
	}
	p.kept, p.events = make(map[string]keptOp), nil
	p.publishing = len(evs) > 0
	return evs, true
}

// orphanLocked reports whether k is the delivery record of a message no
// longer stored (deleted while the record was kept): it is not written.
// A failed look-up is an error (ErrStore): the record is neither written
// nor dropped then.
func (p *pendingWrites) orphanLocked(k string) (bool, error) {
	if len(k) == 0 || k[0] != pfxDelivery {
		return false, nil
	}
	exists, err := p.st.rs.Has(messengerstore.KindMessage, k[1:])
	if err != nil {
		return false, storeErr(err)
	}
	return !exists, nil
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
