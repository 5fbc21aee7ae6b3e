package messenger

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/lib/eventbus"
	"github.com/statusnode/statusd/lib/metrics"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

// maxTracked bounds the events that arrived before their envelope was
// registered. Past that many registered envelopes, envelopePosted forgets
// the oldest ones that are done (their expiry applied) or stale.
const maxTracked = 16384

// staleAfter is the age at which a registered envelope whose expiry was
// never applied is taken to have lost its EnvelopeExpired (a Transport
// that drops events); no envelope the messenger posts lives that long.
const staleAfter = time.Hour

// maxConfirmations bounds the Whisper confirmations kept per message (the
// newest are kept).
const maxConfirmations = 16

// maxHeldInputs bounds the delivery inputs held by failed store reads
// (deliveries.held). Past it the oldest is dropped, logged and counted
// (statusd_messenger_delivery_inputs_dropped_total): its state change is
// lost.
const maxHeldInputs = 4096

// maxRefusals is how many refusals (Whisper code 12) of its envelopes a
// public message that no peer acknowledged takes before it is marked
// expired instead of re-posted: status-react 1.0's
// MaxMessageDeliveryAttempts (6), the bound status-go's envelope monitor
// put on re-posting a refused envelope.
const maxRefusals = 6

// deliveries keeps the delivery state of outgoing messages (see
// DeliveryState). Its inputs arrive on three goroutines: envelope
// registrations from whoever posts (API calls, the MVDS driver), envelope
// events from the envelope loop, ACKs from the receive goroutine. One
// mutex (nothing is called with it held but the chat book's lock, the
// store, through pendingWrites, and the bus) serialises them; every
// change is written to the store before its DeliveryEvent is published
// (a failed write is kept and written again, pendwrites.go, and its
// events wait for it).
//
// An input comes once, so a store read it needs that fails (the MVDS ID
// mapping, the delivery record, whether the message exists, the public
// outbox entry) does not drop it: the part of it not applied is held
// (held), and every later input is held behind it, in order, so an older
// state never overwrites a newer one. pendingWrites' goroutine applies
// them again (retryHeld) with its back-off and spell events. A record
// that is not found is nothing to do; one that does not decode
// (messengerstore.ErrCorrupt) never mends, and that part is dropped with
// a log. A Transport event's EnvelopeStateEvent is published when it
// arrives, held or not.
type deliveries struct {
	st   *store
	pend *pendingWrites // writes the changes; keeps those whose write failed
	bus  *eventbus.Bus[Event]
	now  func() time.Time
	log  *zap.Logger

	mu      sync.Mutex
	byHash  map[EnvelopeHash][]string        // status IDs each posted envelope carries, until its expiry
	order   []registered                     // byHash's envelopes (and some done), oldest first
	early   map[EnvelopeHash][]EnvelopeEvent // events seen before envelopePosted, in order
	pending []EnvelopeHash
	events  []Event     // to publish once mu is released; guarded by mu
	due     []string    // public messages to re-post, handed to retry once mu is released; guarded by mu
	held    []heldInput // inputs (or parts) failed reads left unapplied, oldest first; guarded by mu
	heldErr error       // the last of those failures; guarded by mu

	// dropped counts the held inputs dropped at maxHeldInputs (set by New
	// when there is a registry; nil otherwise).
	dropped *metrics.CounterVec

	// retry receives the public messages whose envelope expired unsent
	// within their retry window (nil when a peer connected); set by New
	// (publicChats.requeue), nil in tests of the tracker alone. Called with
	// no lock held; it must not block.
	retry func(ids []string)

	// messages serialises read-modify-writes of message records with the
	// chat book, which owns them (its mutex; set by New, nil in tests of
	// the tracker alone). Lock order: mu → messages.
	messages sync.Locker

	// nonACK reports whether a recipient identity was last seen sending
	// without MVDS, so never ACKs (set by New, nil in tests of the tracker
	// alone). It takes only a leaf lock. Lock order: mu → its lock.
	nonACK func(identity string) bool
}

// newDeliveries returns the tracker writing through pend, whose run
// goroutine it has apply again the inputs it holds (pend.reads).
func newDeliveries(st *store, pend *pendingWrites, b *eventbus.Bus[Event], now func() time.Time, log *zap.Logger) *deliveries {
	d := &deliveries{st: st, pend: pend, bus: b, now: now, log: log,
		byHash: make(map[EnvelopeHash][]string), early: make(map[EnvelopeHash][]EnvelopeEvent)}
	pend.reads = d.retryHeld
	return d
}

// state returns the delivery record of an outgoing message.
func (dl *deliveries) state(id string) (*Delivery, error) {
	dl.mu.Lock()
	defer dl.mu.Unlock()
	d, err := dl.st.delivery(id)
	if err != nil {
		return nil, err
	}
	if d == nil {
		return nil, fmt.Errorf("%w: no delivery record for %s", ErrMessageNotFound, id)
	}
	return d, nil
}

// mapOutgoing returns the status message IDs of the MVDS messages about to
// be sent (§6.4: keccak256(author ‖ body)) and records MVDS ID → status ID
// for the ACKs, before the payload leaves. The same write drops their
// outbox entries (outbox.go): MVDS, which sends them, has them. A write
// that fails is kept and written again (pendwrites.go); the mapping is
// read through the kept writes meanwhile (statusIDOf), so an ACK arriving
// first still maps. Runs on the driver goroutine.
func (d *deliveries) mapOutgoing(self *ecdsa.PublicKey, msgs []mvds.Message, mvdsIDs []mvds.MessageID) []string {
	if len(msgs) == 0 {
		return nil
	}
	ids := make([]string, len(msgs))
	var b storage.Batch
	for i := range msgs {
		ids[i] = message.ID(self, msgs[i].Body)
		putMVDS(&b, mvdsIDs[i], ids[i])
		b.Delete(key(pfxOutbox, []byte(ids[i])))
	}
	d.pend.write(&b, nil)
	return ids
}

// statusIDOf returns the status message ID MVDS message mvdsID was sent
// as (mapOutgoing), a kept mapping first.
func (d *deliveries) statusIDOf(mvdsID mvds.MessageID) (string, bool, error) {
	if v, deleted, ok := d.pend.get(messengerstore.MVDSKey(mvdsID)); ok {
		return string(v), !deleted, nil
	}
	return d.st.statusIDOf(mvdsID)
}

// stored returns the delivery record of id, a kept one first.
func (d *deliveries) stored(id string) (*Delivery, error) {
	raw, deleted, ok := d.pend.get(messengerstore.Key(messengerstore.KindDelivery, id))
	switch {
	case !ok:
		return d.st.delivery(id)
	case deleted:
		return nil, nil
	}
	r, err := messengerstore.DecodeDelivery(raw)
	if err != nil {
		return nil, storeErr(err)
	}
	return deliveryFromRecord(r), nil
}

// registered is one envelopePosted call.
type registered struct {
	hash EnvelopeHash
	at   time.Time
}

// envelopePosted registers the status messages an envelope carries and
// applies an event that raced ahead of the registration. The registration
// lasts until the envelope's EnvelopeExpired (its last event) is applied,
// however many envelopes are posted meanwhile: under a burst the events
// arrive late, never lost (the Transport keeps them).
func (d *deliveries) envelopePosted(h EnvelopeHash, ids []string) {
	d.mu.Lock()
	defer d.unlockAndPublish()
	d.forgetLocked()
	d.byHash[h] = ids
	d.order = append(d.order, registered{hash: h, at: d.now()})
	if evs, ok := d.early[h]; ok {
		delete(d.early, h)
		tx := d.begin()
		for _, ev := range evs {
			d.applyTx(tx, ev, ids)
			if ev.Kind == EnvelopeExpired {
				delete(d.byHash, h)
			}
		}
		tx.commit()
	}
}

// forgetLocked trims order once it holds maxTracked registrations: from
// the oldest on, those whose expiry was applied (no longer in byHash) and
// those older than staleAfter. It stops at the oldest live one, so order
// holds at most the envelopes registered since then.
func (d *deliveries) forgetLocked() {
	cutoff := d.now().Add(-staleAfter)
	for len(d.order) >= maxTracked {
		r := d.order[0]
		if _, live := d.byHash[r.hash]; live && r.at.After(cutoff) {
			return
		}
		delete(d.byHash, r.hash)
		d.order = d.order[1:]
	}
}

// onEnvelope applies a Transport envelope event.
func (d *deliveries) onEnvelope(ev EnvelopeEvent) { d.onEnvelopes([]EnvelopeEvent{ev}) }

// onEnvelopes applies Transport envelope events, in order, in one store
// write (see run). PeerConnected events are not among them.
func (d *deliveries) onEnvelopes(evs []EnvelopeEvent) {
	d.mu.Lock()
	defer d.unlockAndPublish()
	tx := d.begin()
	defer tx.commit()
	for _, ev := range evs {
		if ids, ok := d.byHash[ev.Hash]; ok {
			d.applyTx(tx, ev, ids)
			if ev.Kind == EnvelopeExpired {
				delete(d.byHash, ev.Hash) // its last event
			}
			continue
		}
		if _, known := d.early[ev.Hash]; !known {
			if len(d.pending) >= maxTracked {
				delete(d.early, d.pending[0])
				d.pending = d.pending[1:]
			}
			d.pending = append(d.pending, ev.Hash)
		}
		if len(d.early[ev.Hash]) < maxConfirmations {
			d.early[ev.Hash] = append(d.early[ev.Hash], ev)
		}
	}
}

// applyTx applies one envelope event to the messages ids it carried, in
// tx, holding what failed reads leave (or all of it behind held inputs).
// Its EnvelopeStateEvent follows the DeliveryEvents of tx.
func (d *deliveries) applyTx(tx *deliveryTx, ev EnvelopeEvent, ids []string) {
	d.envelopeTx(tx, ev, ids)
	tx.after = append(tx.after, EnvelopeStateEvent{Hash: ev.Hash, Kind: ev.Kind, MessageIDs: ids, Peer: ev.Peer, Reason: ev.Reason})
}

// envelopeTx applies ev to the messages ids, in tx; the messages whose
// reads failed are held (all of them when inputs are held already).
func (d *deliveries) envelopeTx(tx *deliveryTx, ev EnvelopeEvent, ids []string) {
	if len(d.held) > 0 {
		d.holdLocked(tx, heldInput{kind: heldEnvelope, ev: ev, ids: ids}, nil)
		return
	}
	var failed []string
	var last error
	for _, id := range ids {
		if err := d.envelopeOneTx(tx, ev, id); err != nil {
			failed, last = append(failed, id), err
		}
	}
	if failed != nil {
		d.holdLocked(tx, heldInput{kind: heldEnvelope, ev: ev, ids: failed}, last)
	}
}

// envelopeOneTx applies ev to the message id, in tx. It returns a store
// failure of a read (nothing applied then).
func (d *deliveries) envelopeOneTx(tx *deliveryTx, ev EnvelopeEvent, id string) error {
	rec, err := tx.delivery(id)
	if err != nil || rec == nil || rec.State == DeliveryAcked {
		return d.readFailure(err, id)
	}
	next := rec.State
	switch ev.Kind {
	case EnvelopeSent:
		next = DeliverySent
	case EnvelopeAcknowledged, EnvelopeRefused:
		d.confirmLocked(rec, ev, tx.at)
		if ev.Kind == EnvelopeAcknowledged {
			next = DeliverySent // the Transport reports EnvelopeSent first; this is the evidence
		}
	case EnvelopeExpired:
		if len(rec.Recipients) == 0 && rec.State == DeliveryQueued && refusals(rec) < maxRefusals {
			within, err := d.withinWindow(id, tx.at)
			if err != nil {
				return err
			}
			if within {
				d.due = append(d.due, id) // stays queued; re-posted when a peer is there
				return nil
			}
		}
		if (len(rec.Recipients) > 0 || rec.State == DeliveryQueued) && !d.onlyNonACK(rec) {
			next = DeliveryExpired
		}
	}
	return tx.set(rec, next)
}

// confirmLocked records a peer's acknowledgement or refusal of an envelope
// carrying rec's message, which came at at, keeping the newest
// maxConfirmations.
func (d *deliveries) confirmLocked(rec *Delivery, ev EnvelopeEvent, at time.Time) {
	c := Confirmation{Peer: ev.Peer, Refused: ev.Kind == EnvelopeRefused, Reason: ev.Reason, At: at.UnixMilli()}
	rec.Confirmations = append(rec.Confirmations, c)
	if n := len(rec.Confirmations); n > maxConfirmations {
		rec.Confirmations = append([]Confirmation(nil), rec.Confirmations[n-maxConfirmations:]...)
	}
	if c.Refused {
		d.log.Warn("envelope refused by a peer", zap.String("message", rec.MessageID),
			zap.String("peer", short(ev.Peer)), zap.String("reason", ev.Reason))
	}
}

// refusals counts the refusals recorded for rec.
func refusals(rec *Delivery) int {
	n := 0
	for _, c := range rec.Confirmations {
		if c.Refused {
			n++
		}
	}
	return n
}

// withinWindow reports whether the public message id is in the public
// outbox and its retry window had not ended at at; the error is a failed
// read (ErrStore).
func (d *deliveries) withinWindow(id string, at time.Time) (bool, error) {
	e, err := d.st.publicPending(id)
	if err != nil {
		return false, err
	}
	return e != nil && at.UnixMilli() < e.Deadline, nil
}

// expire moves the queued message id to expired (its retry window ended).
func (d *deliveries) expire(id string) {
	d.mu.Lock()
	defer d.unlockAndPublish()
	tx := d.begin()
	defer tx.commit()
	d.expireTx(tx, id)
}

// expireTx moves the queued message id to expired in tx, or holds the
// expiry (a failed read, or inputs held already).
func (d *deliveries) expireTx(tx *deliveryTx, id string) {
	if len(d.held) > 0 {
		d.holdLocked(tx, heldInput{kind: heldExpiry, ids: []string{id}}, nil)
		return
	}
	rec, err := tx.delivery(id)
	if err == nil && rec != nil && rec.State == DeliveryQueued {
		err = tx.set(rec, DeliveryExpired)
	}
	if err = d.readFailure(err, id); err != nil {
		d.holdLocked(tx, heldInput{kind: heldExpiry, ids: []string{id}}, err)
	}
}

// onlyNonACK reports whether a sent message waits only for recipients that
// never ACK (peers seen without MVDS): its expired envelope says nothing of
// its delivery, so it stays sent rather than expired.
func (d *deliveries) onlyNonACK(rec *Delivery) bool {
	if d.nonACK == nil || rec.State != DeliverySent || len(rec.Recipients) == 0 {
		return false
	}
	for id, acked := range rec.Recipients {
		if !acked && !d.nonACK(id) {
			return false
		}
	}
	return true
}

// unlockAndPublish releases mu, then publishes the events the locked
// section produced and hands the due public messages to retry: no lock is
// held while sending on the bus's channels.
func (d *deliveries) unlockAndPublish() {
	evs, due := d.events, d.due
	d.events, d.due = nil, nil
	d.mu.Unlock()
	for _, ev := range evs {
		d.bus.Publish(ev)
	}
	if len(due) > 0 && d.retry != nil {
		d.retry(due)
	}
}

// onAcks marks sender as having acknowledged the status messages behind
// the MVDS IDs; a message whose recipients have all acked becomes acked.
func (d *deliveries) onAcks(sender, installation string, acks []mvds.MessageID) {
	if len(acks) == 0 {
		return
	}
	d.mu.Lock()
	defer d.unlockAndPublish()
	tx := d.begin()
	defer tx.commit()
	d.acksTx(tx, sender, installation, acks)
}

// acksTx applies sender's acks in tx; the acks whose reads failed are
// held (all of them when inputs are held already). acks is not kept.
func (d *deliveries) acksTx(tx *deliveryTx, sender, installation string, acks []mvds.MessageID) {
	if len(d.held) > 0 {
		d.holdLocked(tx, heldInput{kind: heldAcks, sender: sender, installation: installation, acks: slices.Clone(acks)}, nil)
		return
	}
	var failed []mvds.MessageID
	var last error
	for _, a := range acks {
		if err := d.ackTx(tx, sender, installation, a); err != nil {
			failed, last = append(failed, a), err
		}
	}
	if failed != nil {
		d.holdLocked(tx, heldInput{kind: heldAcks, sender: sender, installation: installation, acks: failed}, last)
	}
}

// ackTx applies sender's ack of MVDS message a in tx. It returns a store
// failure of a read (nothing applied then).
func (d *deliveries) ackTx(tx *deliveryTx, sender, installation string, a mvds.MessageID) error {
	id, ok, err := d.statusIDOf(a)
	if err != nil || !ok {
		return err // the mapping is no record: it cannot be corrupt
	}
	rec, err := tx.delivery(id)
	if err != nil || rec == nil || rec.State == DeliveryAcked {
		return d.readFailure(err, id)
	}
	if _, isRecipient := rec.Recipients[sender]; !isRecipient {
		return nil
	}
	rec.Recipients[sender] = true
	rec.AckedBy = append(rec.AckedBy, sender+"/"+installation)
	next := DeliveryAcked
	for _, acked := range rec.Recipients {
		if !acked {
			next = rec.State
		}
	}
	return tx.set(rec, next)
}

// readFailure returns err, a failed read of message id's records, when a
// later read may succeed; nil for nil and for a record that does not
// decode (messengerstore.ErrCorrupt: it never mends, so the input's part
// for id is dropped, logged).
func (d *deliveries) readFailure(err error, id string) error {
	if err != nil && errors.Is(err, messengerstore.ErrCorrupt) {
		d.log.Error("delivery record does not decode: state change dropped", zap.String("message", id), zap.Error(err))
		return nil
	}
	return err
}

// deliveryTx collects the delivery changes of one input (envelope events,
// a payload's ACKs, an expiry) into one store write. It holds the
// chat book's lock (messages) from begin to commit, so a message deleted
// meanwhile (its delivery record with it) is not brought back. Only
// delivery records are written: a message's state is its delivery
// record's (store.message reads it from there), so a change of state does
// not rewrite the message record. Records it changed are read back from
// it, not from the store, so one input may change a message twice. Its
// events are queued on the tracker only once the write succeeded. Used
// with the tracker's mu held.
type deliveryTx struct {
	d      *deliveries
	b      storage.Batch
	recs   map[string]*Delivery
	events []Event // queued once the write succeeded
	after  []Event // queued after events, written or not
	// at is when the input being applied came: when the transaction
	// began, or a held input's arrival (retryHeld). It dates the state
	// changes and confirmations the input makes.
	at time.Time
}

func (d *deliveries) begin() *deliveryTx {
	if d.messages != nil {
		d.messages.Lock()
	}
	return &deliveryTx{d: d, at: d.now()}
}

// delivery returns the delivery record of id as this transaction left it.
func (t *deliveryTx) delivery(id string) (*Delivery, error) {
	if rec, ok := t.recs[id]; ok {
		return rec, nil
	}
	return t.d.stored(id)
}

// set moves rec to state next in the transaction. A look-up first checks
// that the message still exists (it is not read or rewritten): a deleted
// message is left alone; a failed look-up is returned (ErrStore), and
// nothing is set.
func (t *deliveryTx) set(rec *Delivery, next DeliveryState) error {
	id := rec.MessageID
	if _, known := t.recs[id]; !known {
		exists, err := t.d.st.rs.Has(messengerstore.KindMessage, id)
		if err != nil {
			return storeErr(err)
		}
		if !exists {
			return nil // deleted: nothing to track any more
		}
	}
	changed := next != rec.State
	rec.State, rec.UpdatedAt = next, t.at.UnixMilli()
	if t.recs == nil {
		t.recs = make(map[string]*Delivery)
	}
	t.recs[id] = rec
	if len(rec.Recipients) == 0 && (next == DeliverySent || next == DeliveryExpired) {
		t.b.Delete(publicKey(id)) // a public message leaves the outbox
	}
	if changed {
		t.events = append(t.events, DeliveryEvent{MessageID: id, ChatID: rec.ChatID, State: next})
	}
	return nil
}

// commit writes the changed records in one batch, queues the events on
// the tracker and releases the chat book's lock. A write that fails is
// kept and written again (pendwrites.go), and its events are published
// once it is.
func (t *deliveryTx) commit() {
	if t.d.messages != nil {
		defer t.d.messages.Unlock()
	}
	defer func() { t.d.events = append(t.d.events, t.after...) }()
	if len(t.recs) == 0 {
		return
	}
	for _, rec := range t.recs {
		putDelivery(&t.b, rec)
	}
	if t.d.pend.write(&t.b, t.events) {
		t.d.events = append(t.d.events, t.events...)
	}
}

// maxEnvelopeBatch bounds the envelope events run applies in one write.
const maxEnvelopeBatch = 64

// run feeds the Transport's envelope events to the tracker until quit is
// closed (the messenger's envelope goroutine). The events already waiting
// when one arrives (up to maxEnvelopeBatch) are applied together, in one
// store write: under load a message's "sent" and its peers'
// confirmations then cost one write instead of several.
func (d *deliveries) run(events <-chan EnvelopeEvent, quit <-chan struct{}) {
	batch := make([]EnvelopeEvent, 0, maxEnvelopeBatch)
	for {
		select {
		case ev := <-events:
			batch = append(batch[:0], ev)
		drain:
			for len(batch) < maxEnvelopeBatch {
				select {
				case ev := <-events:
					batch = append(batch, ev)
				default:
					break drain
				}
			}
			d.applyBatch(batch)
		case <-quit:
			return
		}
	}
}

// applyBatch applies the envelope events of one run batch: each run of
// envelope events in one write, and a PeerConnected between them in its
// place (it hands the due public messages to retry).
func (d *deliveries) applyBatch(batch []EnvelopeEvent) {
	start := 0
	for i, ev := range batch {
		if ev.Kind != PeerConnected {
			continue
		}
		if i > start {
			d.onEnvelopes(batch[start:i])
		}
		start = i + 1
		if d.retry != nil {
			d.retry(nil)
		}
	}
	if start < len(batch) {
		d.onEnvelopes(batch[start:])
	}
}
