package messenger

import (
	"crypto/ecdsa"
	"errors"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/protocol/encryption"
)

// Store failures on the receive path. A write of what a received payload
// changes (its message, its chat, a group's history, a contact) can fail
// because of the storage itself — a full disk, a database closed
// underneath — and such a failure may pass. It is not a logical outcome
// (a chat deleted meanwhile, cleared past the message, a non-member…: those
// are drops, counted and published as DroppedEvents), so the payload is not
// dropped: the receive goroutine keeps it (held) and handles it again after
// a back-off (storeRetryFirst, doubling up to storeRetryMax), for as long
// as the writes fail or until Stop. Meanwhile it takes nothing more from
// the inbound queue, whose bound then blocks the Sinks (back-pressure on
// the Transport, inbound.go); the batch being handled is not counted as
// handled (Settle waits), and an MVDS delivery is confirmed to the driver
// only once written. A failure spell publishes one StoreFailedEvent and
// logs one error when it begins, and one StoreRecoveredEvent when
// everything held was handled.
//
// The encryption layer's writes on the receive path are held the same way:
// a message whose decryption failed because the session store failed
// (encryption.ErrStore: nothing was committed, and handled again it
// decrypts as if it came then) is kept as received, before decryption, and
// runs the whole receive path again (heldReceived); a paired device's
// metadata whose write failed is held like any payload; a negotiated
// topic whose record failed to write is written again (heldAgreed: the
// encryption layer reports an agreement once, and without the record the
// next start would not listen there). A record of the session store that
// does not decode (encryption.ErrCorrupt) never mends: that message is
// dropped (ReasonCorruptRecord), as are the layer's other errors.
//
// Only errors wrapping ErrStore or encryption.ErrStore are storage
// failures (storeFailure). The record encoders refuse nothing (every
// record kind encodes, with no size bound), so no single payload can fail
// every write on its own; an error of another kind from a write path is
// taken as the logical outcome it names and dropped at once.
const (
	storeRetryFirst = 100 * time.Millisecond
	storeRetryMax   = 5 * time.Second
)

// heldKind says how a held payload is handled again.
type heldKind uint8

const (
	// heldProcessed: a bare or decrypted payload; process runs again.
	heldProcessed heldKind = iota
	// heldReceived: a received message (in) whose decryption the session
	// store's failure undid; the receive path runs again from the start.
	heldReceived
	// heldAgreed: the negotiated secret whose topic record failed to
	// write; it is joined and written again.
	heldAgreed
)

// heldPayload is one payload a failed store write left unhandled: the
// arguments of dispatcher.process (heldProcessed), the received message
// (heldReceived), or the negotiated secret (heldAgreed), kept to run it
// again.
type heldPayload struct {
	kind         heldKind
	data         []byte
	signer       *ecdsa.PublicKey
	in           inbound
	installation string
	dl           *datasync.Delivery // the MVDS delivery that carried it, or nil
	pre          *precomputed
	secret       []byte // heldAgreed
}

// storeFailure reports whether err is a failure of a store itself: the
// messenger's (ErrStore) or the encryption layer's (encryption.ErrStore).
func storeFailure(err error) bool {
	return errors.Is(err, ErrStore) || errors.Is(err, encryption.ErrStore)
}

// hold keeps p, left unhandled by the store failure err, for retryHeld.
// It returns outcomeFailed for process to return.
func (d *dispatcher) hold(p heldPayload, err error) outcome {
	d.held = append(d.held, p)
	d.holdErr = err
	return outcomeFailed
}

// retryHeld handles again, after a back-off, the payloads that failed
// store writes left held (hold), until none is left: it returns true
// then, and false when quit closed first (the held payloads are
// abandoned unconfirmed: MVDS delivers its own again at the next Start,
// the mailserver client has not recorded the others as fetched). It runs
// on the receive goroutine, which takes nothing else meanwhile.
func (d *dispatcher) retryHeld(quit <-chan struct{}) bool {
	if len(d.held) == 0 {
		return true
	}
	d.c.log.Error("store received messages: holding them and retrying until writes succeed",
		zap.Int("waiting", len(d.held)), zap.Error(d.holdErr))
	d.c.publish(StoreFailedEvent{Store: StoreMessages, Error: d.holdErr.Error(), Waiting: len(d.held)})
	wait, tries := storeRetryFirst, 0
	for len(d.held) > 0 {
		if !d.sleep(wait, quit) {
			return false
		}
		wait = min(2*wait, storeRetryMax)
		tries++
		held := d.held
		d.held = nil
		d.pend.open = true
		for _, p := range held {
			d.handleHeld(p)
		}
		d.flush()
		d.pend.open = false
		if len(d.held) > 0 {
			d.c.log.Debug("store received messages: still failing", zap.Int("waiting", len(d.held)),
				zap.Int("tries", tries), zap.Error(d.holdErr))
		}
	}
	d.c.log.Info("store received messages: writes succeed again", zap.Int("tries", tries))
	d.c.publish(StoreRecoveredEvent{Store: StoreMessages, Tries: tries})
	return true
}

// handleHeld handles a held payload again: a received message from the
// start of the receive path (as receiveAll does), a negotiated topic by
// writing it, any other payload by process, confirming an MVDS delivery it
// handled (as receiveDelivered does).
func (d *dispatcher) handleHeld(p heldPayload) {
	switch p.kind {
	case heldReceived:
		d.flush() // its path may publish before process
		d.receive(p.in, nil)
		return
	case heldAgreed:
		d.agreed(p.secret)
		return
	}
	o := d.processHeld(p)
	if o != outcomeDone || p.dl == nil || p.dl.Copy {
		return
	}
	if err := d.c.ds.Confirm(p.dl.ID()); err != nil {
		d.c.log.Debug("confirm delivery", zap.Error(err))
	}
}

// sleep waits d on the retry clock; false when quit closed first.
func (d *dispatcher) sleep(wait time.Duration, quit <-chan struct{}) bool {
	return sleepOn(d.retryClock(), wait, quit)
}

// retryClock is the clock of the receive goroutine's retries.
func (d *dispatcher) retryClock() datasync.Clock { return orSystemClock(d.hooks.retryClock) }

// orSystemClock is c, or the wall clock when c is nil.
func orSystemClock(c datasync.Clock) datasync.Clock {
	if c == nil {
		return datasync.SystemClock{}
	}
	return c
}

// onDataSyncStore publishes the MVDS driver's store failure spells (its
// WithStoreNotify function; the driver logs them). It runs on the driver
// goroutine.
func (c *core) onDataSyncStore(n datasync.StoreNotice) {
	if n.Err != nil {
		c.publish(StoreFailedEvent{Store: StoreDataSync, Error: n.Err.Error(), Waiting: n.Waiting})
		return
	}
	c.publish(StoreRecoveredEvent{Store: StoreDataSync, Tries: n.Tries})
}
