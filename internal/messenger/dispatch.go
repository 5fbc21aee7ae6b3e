package messenger

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"maps"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// dispatcher is the inbound dispatch part: the receive goroutine (run)
// owns it. It takes each message from the inbound queue through the
// layers of docs/PROTOCOL.md §0 — ProtocolMessage (decrypt), MVDS (through
// the driver), v1 wrapper, Transit, validation — and hands the result to
// the part that owns it. Its only state is the parked messages, owned by
// the receive goroutine, and the retry requests other parts hand it.
type dispatcher struct {
	c        *core
	in       *inboundQueue
	subs     *subscriptions
	chats    *chatBook
	public   *publicChats
	direct   *directChats
	groups   *Groups
	contacts *contactBook
	pairing  *Pairing
	hooks    testHooks

	parked  parking       // owned by the receive goroutine
	pend    pubBatch      // owned by the receive goroutine
	held    []heldPayload // left unhandled by a store failure (storefail.go); receive goroutine
	holdErr error         // the last store failure that held a payload; receive goroutine
	retries *retries      // chats whose parked messages to retry (any goroutine)
	resend  resendRetry   // a failed resend to new installations, tried again; receive goroutine
}

// run is the receive goroutine: it handles one message at a time, from
// both lanes of the inbound queue, until quit is closed. A batch counts
// as handled only once a store failure left nothing of it held
// (storefail.go retryHeld).
func (d *dispatcher) run(quit <-chan struct{}) {
	d.resendPending()
	if d.hooks.receiving != nil {
		d.hooks.receiving()
	}
	defer d.resend.stop()
	for {
		d.resend.arm(d.retryClock())
		select {
		case <-d.in.ready:
			if d.hooks.beforeBatch != nil {
				d.hooks.beforeBatch()
			}
			msgs, dels, mark := d.in.drain()
			preMsgs, preDels := d.precompute(msgs, dels, d.c.cfg.Now())

			d.receiveAll(msgs, preMsgs)
			d.receiveDeliveries(dels, preDels)
			if !d.retryHeld(quit) {
				return
			}
			d.in.handledUpTo(mark) // stored: what settle waits for
		case <-d.retries.wake:
			for _, id := range d.retries.take() {
				d.unpark(id)
			}
			if !d.retryHeld(quit) {
				return
			}
		case <-d.resend.c():
			d.resend.fired()
			d.resendPending()
			d.resend.tried()
		case <-quit:
			return
		}
	}
}

// receiveAll runs the receive path for the Whisper messages of a drained
// batch, pre being precompute's results for them (nil: none), and frees
// the room of each in the inbound queue. Their public chat messages are
// stored with one write at the end, or sooner when a message that is not
// one of them flushes them first (pubBatch).
func (d *dispatcher) receiveAll(msgs []inbound, pre []*precomputed) {
	d.pend.open = true
	for i, in := range msgs {
		p := at(pre, i)
		if p == nil {
			d.flush() // its path may publish before process
		}
		d.receive(in, p)
		d.in.release()
	}
	d.flush()
	d.pend.open = false
}

// receiveDeliveries runs receiveDelivered for the MVDS deliveries of a
// drained batch, pre being precompute's results for them (nil: none).
// Their 1:1 chat messages are stored with one write at the end, or sooner
// when another payload flushes them first, and confirmed to the driver
// after that write (pubBatch).
func (d *dispatcher) receiveDeliveries(dels []datasync.Delivery, pre []*precomputed) {
	d.pend.open = true
	for i, dl := range dels {
		d.receiveDelivered(dl, at(pre, i))
	}
	d.flush()
	d.pend.open = false
}

// receive runs the receive path for one Whisper message; pre, when not
// nil, is message.Receive's result for its payload (precompute). Nothing
// that fails is shown; every failure is counted by reason and published
// as a DroppedEvent. An unsigned message is dropped; the signer of a
// signed one is recovered only when its path uses it (needsSigner), and
// a signature that then does not recover is a RuleSignature drop.
func (d *dispatcher) receive(in inbound, pre *precomputed) {
	if d.c.posted.has(in.msg.Hash) {
		return // our own envelope, echoed by the router
	}
	if !in.msg.signed() {
		d.c.drop(ReasonUnsigned, "", nil)
		return
	}
	if needsSigner(in) {
		if err := in.msg.recoverSigner(); err != nil {
			d.c.drop(message.RuleSignature.String(), "", err)
			return
		}
	}
	switch in.src.kind {
	case srcPublic:
		d.receivePublic(in, pre)
	case srcContactCode:
		d.receiveContactCode(in)
	case srcDirect:
		d.receiveDirect(in)
	}
}

// needsSigner reports whether the receive path of in uses the Whisper
// signer: every path but that of a public message in a v1 wrapper with
// its own signature, whose author that signature names (§1.2); the
// Whisper signature of such a message is never recovered.
func needsSigner(in inbound) bool {
	return in.src.kind != srcPublic || WhisperSignerNeeded(in.msg.Payload)
}

// handleProtocol decodes and processes a ProtocolMessage (spec §0 first
// layer). isPM is false when the payload is not one: the caller falls back
// to the bare payload. handled is false when decoding or decryption
// failed; the failure was counted and a DecryptFailedEvent published —
// unless the session store failed (encryption.ErrStore): then nothing was
// committed and the message is held as received, to go through the
// receive path again once the store works (storefail.go).
func (d *dispatcher) handleProtocol(in inbound) (res *encryption.Received, isPM, handled bool) {
	sender := message.PubKeyHex(in.msg.Signer)
	pm, err := encryption.DecodeProtocolMessage(in.msg.Payload)
	if errors.Is(err, encryption.ErrNotProtocolMessage) {
		return nil, false, true
	}
	if err == nil {
		res, err = d.c.enc.Handle(d.c.cfg.Now(), d.c.rand, in.msg.Signer, pm)
	}
	if storeFailure(err) {
		d.hold(heldPayload{kind: heldReceived, in: in}, err)
		return nil, true, false
	}
	if err != nil {
		reason := decryptReason(err)
		d.c.drop(reason, sender, err)
		d.c.publish(DecryptFailedEvent{Sender: sender, Reason: reason})
		replied := d.pairing.needsBundle(err) && d.pairing.replyBundle(in.msg.Signer)
		if pm != nil {
			d.c.log.Debug("undecryptable message", zap.String("sender", short(sender)),
				zap.String("installation", pm.InstallationID), zap.Strings("addressed", addressed(pm)),
				zap.String("reason", reason), zap.Bool("bundle_reply", replied))
		}
		return nil, true, false
	}
	d.afterHandle(in.msg.Signer, pm, res)
	return res, true, true
}

// resendToNew sends the peer's new installations what we sent the peer
// recently (directChats.resendToNew) and then clears the peer's mark in
// the encryption layer (encryption.Manager.ResendDone), which was
// committed with the bundle: a crash in between leaves the mark, and the
// next start resends (resendPending). It runs on the receive goroutine.
func (d *dispatcher) resendToNew(peer *ecdsa.PublicKey, installation string) {
	sender := message.PubKeyHex(peer)
	if d.hooks.crashBeforeResend != nil && d.hooks.crashBeforeResend(sender) {
		return // fault injection: the process "dies" before resending
	}
	var err error
	if d.hooks.resendFault != nil {
		err = d.hooks.resendFault(sender)
	}
	n := 0
	if err == nil {
		n, err = d.direct.resendToNew(context.Background(), peer)
	}
	if err != nil {
		// Not held: the message that showed the installation is handled,
		// and the mark committed with its bundle stays; resendPending runs
		// again after a back-off (resendRetry), and at the next start.
		// Until then the new installation lacks only what was sent before
		// it appeared; messages sent from now on are encrypted to it.
		d.resend.failed(d.c.log, "resend to new installation: trying again later", zap.String("peer", short(sender)), zap.Error(err))
		return
	}
	d.c.log.Info("resent to new installation", zap.String("peer", short(sender)),
		zap.String("installation", installation), zap.Int("messages", n))
	if err := d.c.enc.ResendDone(peer); err != nil {
		// Not held: a mark left set only makes the next start resend once
		// more, and the recipients drop the duplicates by message ID.
		d.c.log.Warn("clear resend mark", zap.String("peer", short(sender)), zap.Error(err))
	}
}

// resendPending finishes the resends to new installations that a stop
// (or crash) interrupted after their bundle was committed, or that failed.
// The receive goroutine runs it once before it takes any message, and
// again after a back-off while one fails (resendRetry).
func (d *dispatcher) resendPending() {
	peers, err := d.c.enc.PendingResends()
	if err != nil {
		d.resend.failed(d.c.log, "pending resends: trying again later", zap.Error(err))
		return
	}
	for _, peer := range peers {
		d.resendToNew(peer, "")
	}
}

// addressed lists the installations a ProtocolMessage has entries for, in
// order (for logs).
func addressed(pm *encryption.ProtocolMessage) []string {
	return slices.Sorted(maps.Keys(pm.Direct))
}

// afterHandle publishes what the encryption layer learnt: new
// installations of the sender and, for our own identity, devices to pair;
// a peer's new installation gets what we sent the peer recently
// (directChats.resendToNew); an agreed negotiated secret joins its topic
// (§3.8).
func (d *dispatcher) afterHandle(signer *ecdsa.PublicKey, pm *encryption.ProtocolMessage, res *encryption.Received) {
	sender := message.PubKeyHex(signer)
	for _, inst := range res.NewInstallations {
		d.c.publish(InstallationFoundEvent{Installation: Installation{ID: inst.ID, Enabled: inst.Enabled,
			Metadata: inst.Metadata, Timestamp: inst.Timestamp}})
	}
	if len(res.NewPeerInstallations) > 0 {
		d.resendToNew(signer, res.NewPeerInstallations[0].ID)
	}
	if len(pm.Bundles) > 0 && sender != d.c.selfHex {
		d.c.publish(BundleAddedEvent{Identity: sender, InstallationID: pm.InstallationID})
	}
	if res.SharedSecret != nil {
		d.agreed(res.SharedSecret)
	}
}

// agreed joins the negotiated topic of secret and records it for the next
// start (subscriptions.agreed). A store failure holds the secret for a
// retry (heldAgreed): the encryption layer reports an agreement once, and
// without the record a restart would not listen where the peer then sends.
func (d *dispatcher) agreed(secret []byte) {
	err := d.subs.agreed(secret)
	switch {
	case storeFailure(err):
		d.hold(heldPayload{kind: heldAgreed, secret: secret}, err)
	case err != nil:
		d.c.log.Warn("join negotiated topic", zap.Error(err))
	}
}

// receivePublic: bare, v1-wrapped, or ProtocolMessage-wrapped
// (public_message field) public chat messages are all accepted (§8).
func (d *dispatcher) receivePublic(in inbound, pre *precomputed) {
	res, isPM, ok := d.handleProtocol(in)
	if !ok {
		return
	}
	data := in.msg.Payload
	if isPM {
		if !res.Public {
			d.c.drop(ReasonUnexpected, message.PubKeyHex(in.msg.Signer), nil)
			return
		}
		data, pre = res.Plaintext, nil
	}
	d.process(data, in.msg.Signer, in, "", nil, pre)
}

// receiveContactCode: bundles only (§4.3). Handle verifies that the
// bundle is the signer's and records its installations.
func (d *dispatcher) receiveContactCode(in inbound) {
	res, isPM, ok := d.handleProtocol(in)
	if !ok {
		return
	}
	if !isPM || res.Direct || res.Public {
		d.c.drop(ReasonUnexpected, message.PubKeyHex(in.msg.Signer), nil)
	}
}

// receiveDirect: 1:1 traffic on our asymmetric and negotiated topics. A
// ProtocolMessage is decrypted; bytes that are not one are taken as an
// unencrypted 2019 v0 payload.
func (d *dispatcher) receiveDirect(in inbound) {
	res, isPM, ok := d.handleProtocol(in)
	if !ok {
		return
	}
	if !isPM {
		// Unencrypted bytes go through MVDS like decrypted ones: an empty
		// payload among them is ignored there, not dropped.
		d.receiveDecrypted(in.msg.Payload, in, "")
		return
	}
	if res.Public {
		d.c.drop(ReasonUnexpected, message.PubKeyHex(in.msg.Signer), nil)
		return
	}
	if !res.Direct {
		return // bundle-only message (e.g. an empty answer teaching us a bundle)
	}
	// The sender may pick our negotiated topic as soon as it has decrypted
	// one message from us (§3.8): listen on it from its first message on.
	if err := d.subs.joinNegotiated(in.msg.Signer); err != nil {
		d.c.log.Warn("join negotiated topic", zap.Error(err))
	}
	d.receiveDecrypted(res.Plaintext, in, res.InstallationID)
}

// receiveDecrypted hands decrypted bytes to the MVDS driver (§6.4), which
// decodes them: its messages come back through onDelivery once the driver
// has persisted them (and before it acknowledges them), its ACKs through
// onAcks. Bytes that are not MVDS are a bare status payload. Payloads from
// our own identity (copies to paired devices) are copies: delivered, never
// synchronised.
func (d *dispatcher) receiveDecrypted(pt []byte, in inbound, installation string) {
	signer := in.msg.Signer
	sender := message.PubKeyHex(signer)
	var err error
	if sender == d.c.selfHex {
		err = d.c.ds.ReceiveCopy(pt, installation)
	} else {
		var peer mvds.PeerID
		if peer, err = mvds.ParsePeerID(crypto.FromECDSAPub(signer)); err == nil {
			err = d.c.ds.ReceiveTagged(peer, pt, installation)
		}
	}
	switch {
	case err == nil:
		if sender != d.c.selfHex {
			d.direct.learn(context.Background(), signer, true)
		}
	case errors.Is(err, mvds.ErrNotPayload) && len(pt) == 0:
		// An empty MVDS payload (vacp2p/mvds v0.0.23 sends one after a
		// payload with nothing to acknowledge): nothing to do, not a drop.
		d.c.log.Debug("empty payload", zap.String("sender", short(sender)))
	case errors.Is(err, mvds.ErrNotPayload):
		// A peer sending without MVDS (2019 clients with data sync off)
		// reads our MVDS payloads but never ACKs them: bound the sends.
		if sender != d.c.selfHex {
			d.direct.learn(context.Background(), signer, false)
		}
		d.process(pt, signer, in, installation, nil, nil)
	case errors.Is(err, datasync.ErrInboxFull), errors.Is(err, datasync.ErrStopped):
		d.c.log.Debug("mvds receive", zap.String("sender", short(sender)), zap.Error(err))
	default:
		d.c.drop(ReasonMVDS, sender, err)
	}
}

// onDelivery is the driver's DeliverFunc: it queues the message for the
// receive goroutine and returns at once (it runs on the driver goroutine,
// or on the goroutine calling Start for redeliveries). The driver keeps
// the message pending until receiveDelivered confirms it.
func (d *dispatcher) onDelivery(dl datasync.Delivery) { d.in.pushDelivered(dl) }

// onAcks is the driver's AckFunc: ACKs from a peer drive delivery states.
func (d *dispatcher) onAcks(from mvds.PeerID, installation string, ids []mvds.MessageID) {
	pub, err := d.c.pubs.peer(from)
	if err != nil {
		return
	}
	d.c.dl.onAcks(message.PubKeyHex(pub), installation, ids)
}

// receiveDelivered handles one message the driver delivered: validated
// and stored (or dropped) like any status payload, then confirmed to the
// driver, which clears its pending mark. A crash before the confirmation
// delivers it again at the next Start; the dedupe by message ID keeps it
// shown once. A group message parked until its membership update arrives
// (parking.go) is confirmed only once it is handled; a 1:1 message left
// pending for a common write (pubBatch) is confirmed by that write's flush.
func (d *dispatcher) receiveDelivered(dl datasync.Delivery, pre *precomputed) {
	if d.hooks.crashBeforeStore != nil && d.hooks.crashBeforeStore(dl.ID()) {
		return // fault injection: the process "dies" before storing
	}
	signer, err := d.c.pubs.peer(dl.From)
	if err != nil {
		signer = nil // unknown sender (old pending mark): wrapped bodies name their author
	}
	in := inbound{msg: ReceivedMessage{Signer: signer, Sent: time.Unix(dl.Timestamp, 0)}, src: source{kind: srcDirect}}
	if o := d.process(dl.Body, signer, in, dl.Tag, &dl, pre); o != outcomeDone || dl.Copy {
		return
	}
	if err := d.c.ds.Confirm(dl.ID()); err != nil {
		d.c.log.Debug("confirm delivery", zap.Error(err))
	}
}

// outcome says what became of a processed payload.
type outcome uint8

const (
	outcomeDone     outcome = iota // stored, or dropped and counted
	outcomeParked                  // kept aside (parking.go); not yet handled
	outcomeDeferred                // left for the pending common write, which confirms it (pubBatch)
	outcomeFailed                  // a store write failed: held for a retry (storefail.go), not confirmed
)

// process validates one status payload (wrapper → Transit → §1.8) and
// hands it to the part of its type. dl is the MVDS delivery that carried
// it, nil for a payload that did not come through MVDS; pre, when not
// nil, is message.Receive's result for data and signer (precompute). A
// store failure on its way holds it for a retry (outcomeFailed).
func (d *dispatcher) process(data []byte, signer *ecdsa.PublicKey, in inbound, installation string, dl *datasync.Delivery, pre *precomputed) outcome {
	if pre == nil {
		r, err := message.Receive(data, signer, message.Context{Now: d.c.cfg.Now(), Self: d.c.self})
		pre = &precomputed{r: r, err: err}
	}
	return d.processHeld(heldPayload{kind: heldProcessed, data: data, signer: signer, in: in, installation: installation, dl: dl, pre: pre})
}

// processHeld is process for a payload whose message.Receive result is
// known (held.pre): a new one, or one held after a store failure.
func (d *dispatcher) processHeld(held heldPayload) outcome {
	signer, in, installation, dl := held.signer, held.in, held.installation, held.dl
	sender := message.PubKeyHex(signer)
	r, err := held.pre.r, held.pre.err
	if err != nil {
		if signer == nil && in.msg.recoverSigner() == nil && in.msg.Signer != nil {
			sender = message.PubKeyHex(in.msg.Signer) // a wrapped message's relay
		}
		d.drop(ruleReason(err), sender, err)
		return outcomeDone
	}
	author := message.PubKeyHex(r.Author)
	if author != d.c.selfHex && d.c.forms != nil {
		d.c.forms.learn(author, r.Wrapped)
	}
	if d.pend.has(r.ID) {
		d.drop(message.RuleDuplicate.String(), author, nil)
		return outcomeDone
	}
	if seen, err := d.c.st.seen(r.ID); err != nil {
		return d.hold(held, err)
	} else if seen {
		d.drop(message.RuleDuplicate.String(), author, nil)
		return outcomeDone
	}
	if author != d.c.selfHex && d.contacts.blocked(author) {
		d.drop(ReasonBlocked, author, nil)
		return outcomeDone
	}
	if !deferrable(r.Payload, dl) {
		d.flush() // what follows publishes or stores on its own
	}
	rc := recvContext{r: r, author: author, src: in.src, whisperTime: in.msg.Sent.UnixMilli(), installation: installation,
		held: held}
	switch p := r.Payload.(type) {
	case *message.ChatMessage:
		return d.handleChat(rc, p, dl)
	case *message.MembershipUpdateMessage:
		if err := d.groups.handle(rc, p); err != nil {
			return d.hold(held, err)
		}
		d.unpark(p.ChatID)
		if p.Message != nil {
			// status-react sent each group message inside a g5 with the
			// group's history (wrap-group-message); the message's ID is
			// the g5's, as status-go reported it. Such a g5 is not marked
			// processed with its history (Groups.handle): when the message
			// is parked until we join (parking.go), or its write fails
			// (storefail.go), the g5 handled again re-applies its history,
			// which changes nothing, and shows the message.
			return d.handleChat(rc, p.Message, dl)
		}
	case *message.Contact:
		err = d.contacts.handle(rc, p)
	case *message.PairInstallation:
		err = d.pairing.handlePair(rc, p)
	case *message.SyncInstallation:
		err = d.pairing.handleSync(rc, p)
	default: // c5 MessagesSeen: 2019 readers ignore it (§1.9)
		d.c.markProcessed(r.ID)
	}
	if err != nil {
		return d.hold(held, err)
	}
	return outcomeDone
}

// recvContext is what a handler knows about one validated payload.
type recvContext struct {
	r            *message.Received
	author       string // 0x04…
	src          source
	whisperTime  int64 // envelope sent time (MVDS: append time), Unix ms
	installation string
	held         heldPayload // the payload, to hold when a store write fails
}

// handleChat stores a validated c4 in its chat after the checks that need
// state (§1.7, §1.8): the part owning the chat type finds the chat (the
// message type must fit the topic it came on; a public chat must be the
// one subscribed; a group message needs a group we are in and an author
// who is a member; a 1:1 message opens the chat), and a cleared chat drops
// messages at or below its deleted-at clock. One from our own key (a
// paired device) is marked outgoing. A message to a group we do not know
// yet is parked when it came through MVDS (dl not nil): its g5 may follow.
func (d *dispatcher) handleChat(rc recvContext, cm *message.ChatMessage, dl *datasync.Delivery) outcome {
	var evs []Event
	var reason string
	switch cm.MessageType {
	case message.TypePublicGroup:
		_, reason = d.public.chatFor(rc)
	case message.TypeOneToOne:
		var err error
		if _, evs, reason, err = d.direct.chatFor(rc); err != nil {
			return d.hold(rc.held, err)
		}
	case message.TypePrivateGrp:
		_, reason = d.groups.chatFor(rc)
	default:
		reason = ReasonWrongChat
	}
	if reason == ReasonNotMember && dl != nil && d.groups.mayAdmit(rc.r.ChatID) {
		d.park(rc.r.ChatID, *dl, false)
		return outcomeParked
	}
	if reason == ReasonNotJoined && dl != nil {
		d.park(rc.r.ChatID, *dl, true) // held until we join or decline
		return outcomeParked
	}
	if reason != "" {
		d.drop(reason, rc.author, nil)
		return outcomeDone
	}
	d.c.publish(evs...)
	now := d.c.cfg.Now()
	outgoing := rc.author == d.c.selfHex
	msg := &Message{ID: rc.r.ID, ChatID: rc.r.ChatID, From: rc.author, Text: cm.Content.Text,
		ContentType: string(cm.ContentType), MessageType: string(cm.MessageType), Clock: cm.Clock,
		Timestamp: cm.Timestamp, ReceivedAt: now.UnixMilli(), ResponseTo: cm.Content.ReplyTo(),
		Outgoing: outgoing, Seen: outgoing, Content: cm.Content}
	if d.pend.open && deferrable(cm, dl) {
		d.deferChat(msg, rc.author, now, rc.held)
		if dl != nil {
			return outcomeDeferred
		}
		return outcomeDone
	}
	if err := d.storeChat(msg, rc.author, now); err != nil {
		return d.hold(rc.held, err)
	}
	return outcomeDone
}

// deferrable reports whether a payload's handling may wait for the
// pending messages' common write (pubBatch): a public chat message that
// did not come through MVDS (dl nil), or a 1:1 chat message MVDS
// delivered (dl not nil; not an unsynchronised copy, which is never
// confirmed). Any other payload flushes what is pending first.
func deferrable(p message.Payload, dl *datasync.Delivery) bool {
	cm, ok := p.(*message.ChatMessage)
	if !ok {
		return false
	}
	switch cm.MessageType {
	case message.TypePublicGroup:
		return dl == nil
	case message.TypeOneToOne:
		return dl != nil && !dl.Copy
	}
	return false
}
