package messenger

import (
	"time"

	"go.uber.org/zap"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// heldInputKind says which delivery input a heldInput is.
type heldInputKind uint8

const (
	heldAcks     heldInputKind = iota // a peer's MVDS ACKs (acks, sender, installation)
	heldEnvelope                      // a Transport envelope event (ev) for the messages ids
	heldExpiry                        // a public message's retry window ended (ids[0])
)

func (k heldInputKind) String() string {
	switch k {
	case heldAcks:
		return "acks"
	case heldEnvelope:
		return "envelope"
	case heldExpiry:
		return "expiry"
	}
	return "unknown"
}

// heldInput is a delivery input, or the part of one, that a failed store
// read left unapplied (deliveries.held). It is applied again as it came,
// dated when it came: a state's UpdatedAt, a confirmation's At and
// whether a public message's retry window had ended are those of at, not
// of when a retry applies it.
type heldInput struct {
	kind         heldInputKind
	at           time.Time // when the input came (deliveryTx.at)
	sender       string
	installation string
	acks         []mvds.MessageID
	ev           EnvelopeEvent
	ids          []string // not to be changed: may be the envelope's registration
}

// holdLocked appends in, an input of tx, to the held inputs, dated tx.at,
// err being the read failure that left it (nil when it is held behind
// older ones), and reports the count to pendingWrites (which begins the
// spell and wakes its goroutine). At maxHeldInputs the oldest is dropped,
// logged, counted and reported with the spell's end
// (StoreRecoveredEvent.Lost). Called with mu held.
func (d *deliveries) holdLocked(tx *deliveryTx, in heldInput, err error) {
	in.at = tx.at
	if err != nil {
		d.heldErr = err
	}
	if len(d.held) >= maxHeldInputs {
		old := d.held[0]
		d.held = append(d.held[:0], d.held[1:]...)
		d.log.Error("delivery inputs held by failed store reads: dropping the oldest, its state change is lost",
			zap.Int("held", len(d.held)+1), zap.Stringer("kind", old.kind),
			zap.Int("acks", len(old.acks)), zap.Strings("messages", old.ids))
		if d.dropped != nil {
			d.dropped.Inc()
		}
		d.pend.lostInput()
	}
	d.held = append(d.held, in)
	d.pend.holding(len(d.held), d.heldErr)
}

// retryHeld applies the held inputs again, in order, in one transaction:
// those whose reads fail again stay held, with every one after them. It
// is pendingWrites' reads, called on its run goroutine during a spell,
// with no lock held.
func (d *deliveries) retryHeld() {
	d.mu.Lock()
	defer d.unlockAndPublish()
	if len(d.held) == 0 {
		return
	}
	held := d.held
	d.held = nil
	tx := d.begin()
	for _, in := range held {
		tx.at = in.at
		switch in.kind {
		case heldAcks:
			d.acksTx(tx, in.sender, in.installation, in.acks)
		case heldEnvelope:
			d.envelopeTx(tx, in.ev, in.ids)
		case heldExpiry:
			d.expireTx(tx, in.ids[0])
		}
	}
	tx.commit()
	if len(d.held) == 0 {
		d.heldErr = nil
	}
	d.pend.holding(len(d.held), d.heldErr)
}
