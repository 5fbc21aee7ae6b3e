package messenger

import (
	"crypto/ecdsa"
	"errors"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// receive runs the receive path of docs/PROTOCOL.md §0 for one Whisper
// message, each layer "try and fall back": ProtocolMessage (decrypt) →
// MVDS payload (each body; ACKs to the delivery tracker; the payload to
// the driver) → v1 wrapper → Transit → validation → handling. It runs on
// the receive goroutine and holds mu. Nothing that fails is shown; every
// failure is counted by reason (Dropped) and published as a DroppedEvent.
func (m *Messenger) receive(in inbound) {
	if m.posted.has(in.msg.Hash) {
		return // our own envelope, echoed by the router
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != stateRunning {
		return
	}
	if in.msg.Signer == nil {
		m.drop(ReasonUnsigned, "", nil)
		return
	}
	switch in.src.kind {
	case srcPublic:
		m.receivePublicLocked(in)
	case srcContactCode:
		m.receiveContactCodeLocked(in)
	case srcDirect:
		m.receiveDirectLocked(in)
	}
}

func (m *Messenger) drop(reason, sender string, err error) {
	m.cnt.drop(reason, sender, err)
	m.bus.Publish(DroppedEvent{Reason: reason, Sender: sender})
}

// handleProtocolLocked decodes and processes a ProtocolMessage (spec §0
// first layer). isPM is false when the payload is not one: the caller
// falls back to the bare payload. handled is false when decoding or
// decryption failed; the failure was counted and a DecryptFailedEvent
// published.
func (m *Messenger) handleProtocolLocked(in inbound) (res *encryption.Received, isPM, handled bool) {
	sender := message.PubKeyHex(in.msg.Signer)
	pm, err := encryption.DecodeProtocolMessage(in.msg.Payload)
	if errors.Is(err, encryption.ErrNotProtocolMessage) {
		return nil, false, true
	}
	if err == nil {
		res, err = m.enc.Handle(m.cfg.Now(), m.rand, in.msg.Signer, pm)
	}
	if err != nil {
		reason := decryptReason(err)
		m.drop(reason, sender, err)
		m.bus.Publish(DecryptFailedEvent{Sender: sender, Reason: reason})
		return nil, true, false
	}
	m.afterHandleLocked(sender, pm, res)
	return res, true, true
}

// afterHandleLocked publishes what the encryption layer learnt: new
// installations of the sender and, for our own identity, devices to pair;
// an agreed negotiated secret joins its topic (§3.8).
func (m *Messenger) afterHandleLocked(sender string, pm *encryption.ProtocolMessage, res *encryption.Received) {
	for _, inst := range res.NewInstallations {
		m.bus.Publish(InstallationFoundEvent{Installation: Installation{ID: inst.ID, Enabled: inst.Enabled,
			Metadata: inst.Metadata, Timestamp: inst.Timestamp}})
	}
	if len(pm.Bundles) > 0 && sender != m.selfHex {
		m.bus.Publish(BundleAddedEvent{Identity: sender, InstallationID: pm.InstallationID})
	}
	if res.SharedSecret != nil {
		name := encryption.NegotiatedTopicName(res.SharedSecret)
		if err := m.joinSymLocked("negotiated:"+name, name, source{kind: srcDirect}); err != nil {
			m.log.Warn("join negotiated topic", zap.Error(err))
			return
		}
		if err := m.st.kv.Put(key(pfxNegotiated, []byte(name)), nil); err != nil {
			m.log.Warn("persist negotiated topic", zap.Error(err))
		}
	}
}

// receivePublicLocked: bare, v1-wrapped, or ProtocolMessage-wrapped
// (public_message field) public chat messages are all accepted (§8).
func (m *Messenger) receivePublicLocked(in inbound) {
	res, isPM, ok := m.handleProtocolLocked(in)
	if !ok {
		return
	}
	data := in.msg.Payload
	if isPM {
		if !res.Public {
			m.drop(ReasonUnexpected, message.PubKeyHex(in.msg.Signer), nil)
			return
		}
		data = res.Plaintext
	}
	m.processLocked(data, in.msg.Signer, in, "")
}

// receiveContactCodeLocked: bundles only (§4.3). Handle verifies that the
// bundle is the signer's and records its installations.
func (m *Messenger) receiveContactCodeLocked(in inbound) {
	res, isPM, ok := m.handleProtocolLocked(in)
	if !ok {
		return
	}
	if !isPM || res.Direct || res.Public {
		m.drop(ReasonUnexpected, message.PubKeyHex(in.msg.Signer), nil)
	}
}

// receiveDirectLocked: 1:1 traffic on our asymmetric and negotiated
// topics. A ProtocolMessage is decrypted; bytes that are not one are taken
// as an unencrypted 2019 v0 payload.
func (m *Messenger) receiveDirectLocked(in inbound) {
	res, isPM, ok := m.handleProtocolLocked(in)
	if !ok {
		return
	}
	if !isPM {
		m.processLocked(in.msg.Payload, in.msg.Signer, in, "")
		return
	}
	if res.Public {
		m.drop(ReasonUnexpected, message.PubKeyHex(in.msg.Signer), nil)
		return
	}
	if !res.Direct {
		return // bundle-only message (e.g. an empty answer teaching us a bundle)
	}
	// The sender may pick our negotiated topic as soon as it has decrypted
	// one message from us (§3.8): listen on it from its first message on.
	if err := m.joinNegotiatedLocked(in.msg.Signer); err != nil {
		m.log.Warn("join negotiated topic", zap.Error(err))
	}
	m.receiveDecryptedLocked(res.Plaintext, in, res.InstallationID)
}

// receiveDecryptedLocked hands decrypted bytes to the MVDS driver (§6.4),
// which decodes them: its messages come back through onDelivery once the
// driver has persisted them (and before it acknowledges them), its ACKs
// through onAcks. Bytes that are not MVDS are a bare status payload.
// Payloads from our own identity (copies to paired devices) are copies:
// delivered, never synchronised.
func (m *Messenger) receiveDecryptedLocked(pt []byte, in inbound, installation string) {
	signer := in.msg.Signer
	sender := message.PubKeyHex(signer)
	var err error
	if sender == m.selfHex {
		err = m.ds.ReceiveCopy(pt, installation)
	} else {
		var peer mvds.PeerID
		if peer, err = mvds.ParsePeerID(crypto.FromECDSAPub(signer)); err == nil {
			err = m.ds.ReceiveTagged(peer, pt, installation)
		}
	}
	switch {
	case err == nil:
	case errors.Is(err, mvds.ErrNotPayload):
		m.processLocked(pt, signer, in, installation)
	case errors.Is(err, datasync.ErrInboxFull), errors.Is(err, datasync.ErrStopped):
		m.log.Debug("mvds receive", zap.String("sender", short(sender)), zap.Error(err))
	default:
		m.drop(ReasonMVDS, sender, err)
	}
}

// onDelivery is the driver's DeliverFunc: it queues the message for the
// receive goroutine and returns at once (it runs on the driver goroutine,
// or on the goroutine calling Start for redeliveries). The driver keeps the
// message pending until receiveDelivered confirms it.
func (m *Messenger) onDelivery(d datasync.Delivery) { m.in.pushDelivered(d) }

// onAcks is the driver's AckFunc: ACKs from a peer drive delivery states.
func (m *Messenger) onAcks(from mvds.PeerID, installation string, ids []mvds.MessageID) {
	pub, err := crypto.UnmarshalPubkey(from[:])
	if err != nil {
		return
	}
	m.dl.onAcks(message.PubKeyHex(pub), installation, ids)
}

// receiveDelivered handles one message the driver delivered: validated and
// stored (or dropped) like any status payload, then confirmed to the
// driver, which clears its pending mark. A crash before the confirmation
// delivers it again at the next Start; the store's dedupe by message ID
// keeps it shown once.
func (m *Messenger) receiveDelivered(d datasync.Delivery) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.state != stateRunning {
		return
	}
	if m.hooks.crashBeforeStore != nil && m.hooks.crashBeforeStore(d.ID()) {
		return // fault injection: the process "dies" before storing
	}
	signer, err := crypto.UnmarshalPubkey(d.From[:])
	if err != nil {
		signer = nil // unknown sender (old pending mark): wrapped bodies name their author
	}
	in := inbound{msg: ReceivedMessage{Signer: signer, Sent: time.Unix(d.Timestamp, 0)}, src: source{kind: srcDirect}}
	m.processLocked(d.Body, signer, in, d.Tag)
	if d.Copy {
		return
	}
	if err := m.ds.Confirm(d.ID()); err != nil {
		m.log.Debug("confirm delivery", zap.Error(err))
	}
}

// processLocked validates one status payload (wrapper → Transit → §1.8)
// and hands it to the handler of its type.
func (m *Messenger) processLocked(data []byte, signer *ecdsa.PublicKey, in inbound, installation string) {
	sender := message.PubKeyHex(signer)
	r, err := message.Receive(data, signer, message.Context{Now: m.cfg.Now(), Self: m.self})
	if err != nil {
		m.drop(ruleReason(err), sender, err)
		return
	}
	author := message.PubKeyHex(r.Author)
	if seen, err := m.st.seen(r.ID); err != nil || seen {
		if err == nil {
			m.drop(message.RuleDuplicate.String(), author, nil)
		}
		return
	}
	if c := m.contacts[author]; c != nil && c.Blocked && author != m.selfHex {
		m.drop(ReasonBlocked, author, nil)
		return
	}
	ctx := recvContext{r: r, author: author, src: in.src, whisperTime: in.msg.Sent.UnixMilli(), installation: installation}
	switch p := r.Payload.(type) {
	case *message.ChatMessage:
		m.handleChatLocked(ctx, p)
	case *message.MembershipUpdateMessage:
		m.handleMembershipLocked(ctx, p)
	case *message.Contact:
		m.handleContactLocked(ctx, p)
	case *message.PairInstallation:
		m.handlePairLocked(ctx, p)
	case *message.SyncInstallation:
		m.handleSyncLocked(ctx, p)
	default: // c5 MessagesSeen: 2019 readers ignore it (§1.9)
		m.markProcessedLocked(r.ID)
	}
}

// recvContext is what a handler knows about one validated payload.
type recvContext struct {
	r            *message.Received
	author       string // 0x04…
	src          source
	whisperTime  int64 // envelope sent time, Unix ms
	installation string
}

func (m *Messenger) markProcessedLocked(id string) {
	if err := m.st.kv.Put(key(pfxProcessed, []byte(id)), nil); err != nil {
		m.log.Warn("mark processed", zap.Error(err))
	}
}
