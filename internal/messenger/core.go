package messenger

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/lib/eventbus"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// core is what every part shares: the identity, the configuration, the
// store, the event bus, the counters and the layers below (Transport,
// encryption, MVDS). It holds no application state and needs no lock: New
// sets its fields, Start sets enc and ds before any part runs, and nothing
// changes them afterwards. Every helper here is safe for concurrent use.
type core struct {
	cfg      Config
	self     *ecdsa.PublicKey
	selfHex  string
	selfPeer mvds.PeerID
	tr       Transport
	st       *store
	bus      *eventbus.Bus[Event]
	cnt      *counters
	dl       *deliveries
	pend     *pendingWrites // the delivery path's writes that failed (pendwrites.go)
	sendSync *sendSync      // syncs what Send stored within a second (sendsync.go)
	forms    *peerForms     // v1 wrapper or not, per peer (wrapforms.go)
	keys     *keyCache
	pubs     pubKeyCache // parsed peer keys (pubkeys.go)
	posted   *recentHashes
	rand     io.Reader
	log      *zap.Logger

	enc *encryption.Manager // set by Start
	ds  dataSync            // set by Start
}

// dataSync is what the parts use of the MVDS driver (*datasync.Driver; a
// fake in the parts' own tests). AddPeer, Append, SetSendLimit, Recent and
// Resend wait for the driver goroutine; the others never block.
type dataSync interface {
	AddPeer(ctx context.Context, g mvds.GroupID, p mvds.PeerID) error
	SetSendLimit(ctx context.Context, p mvds.PeerID, limit uint64) error
	Append(ctx context.Context, g mvds.GroupID, body []byte) (mvds.MessageID, error)
	Recent(ctx context.Context, g mvds.GroupID, window time.Duration, limit int) ([]mvds.Message, error)
	Resend(ctx context.Context, p mvds.PeerID, ids []mvds.MessageID) (int, error)
	ReceiveTagged(from mvds.PeerID, data []byte, tag string) error
	ReceiveCopy(data []byte, tag string) error
	Confirm(ids ...mvds.MessageID) error
}

// publish hands events to the bus. Parts call it after releasing their
// lock: the bus never blocks, but no lock is held while sending on a
// channel.
func (c *core) publish(evs ...Event) {
	for _, ev := range evs {
		c.bus.Publish(ev)
	}
}

// drop counts and publishes one rejected payload.
func (c *core) drop(reason, sender string, err error) {
	c.cnt.drop(reason, sender, err)
	c.bus.Publish(DroppedEvent{Reason: reason, Sender: sender})
}

// encode writes p as Transit, wraps and signs it (§1.2) and returns the
// body and its message ID.
func (c *core) encode(p message.Payload) ([]byte, string, error) {
	raw, err := message.Encode(p)
	if err != nil {
		return nil, "", fmt.Errorf("%w: encode: %w", ErrInvalidMessage, err)
	}
	return c.wrap(raw)
}

// wrap wraps Transit bytes and signs them (§1.2) and returns the body and
// its message ID.
func (c *core) wrap(raw []byte) ([]byte, string, error) {
	body, err := message.Wrap(raw, c.cfg.Identity)
	if err != nil {
		return nil, "", fmt.Errorf("%w: wrap: %w", ErrInvalidMessage, err)
	}
	return body, message.ID(c.self, body), nil
}

// post hands env to the Transport and registers the envelope with the
// delivery tracker (ids: the status messages it carries, may be empty).
func (c *core) post(ctx context.Context, env Envelope, ids []string) error {
	if env.TTL == 0 {
		env.TTL = c.cfg.TTL
	}
	h, err := c.tr.Post(ctx, env)
	if err != nil {
		return fmt.Errorf("%w: post: %w", ErrTransport, err)
	}
	c.posted.add(h)
	c.dl.envelopePosted(h, ids)
	return nil
}

// postDirect posts one encryption-layer message on its route and on each
// of the route's Also routes (§4.3): symmetric with the negotiated key,
// else asymmetric to the recipient.
func (c *core) postDirect(ctx context.Context, o *encryption.Outgoing, ids []string) error {
	for _, r := range append([]encryption.Route{o.Route}, o.Route.Also...) {
		env := Envelope{Topic: whisper.Topic(r.Topic), Payload: o.Payload}
		if r.Kind == encryption.TopicNegotiated {
			k, err := c.keys.get(r.Name)
			if err != nil {
				return err
			}
			env.SymKey = &k
		} else {
			env.PubKey = o.Recipient
		}
		if err := c.post(ctx, env, ids); err != nil {
			return err
		}
	}
	return nil
}

// pairGroup is the MVDS group of our 1:1 with pub (§6.2) and pub's peer ID.
func (c *core) pairGroup(pub *ecdsa.PublicKey) (mvds.GroupID, mvds.PeerID, error) {
	peer, err := mvds.ParsePeerID(crypto.FromECDSAPub(pub))
	if err != nil {
		return mvds.GroupID{}, peer, fmt.Errorf("%w: %w", ErrInvalidPublicKey, err)
	}
	g, err := mvds.OneToOneGroupID(c.selfPeer, peer)
	if err != nil {
		return g, peer, fmt.Errorf("%w: %w", ErrInvalidPublicKey, err)
	}
	return g, peer, nil
}

// appendDirect appends body to the MVDS pair group of each recipient
// (persisted by the driver before it returns; sent after the driver's
// flush delay). A body MVDS already holds (an outbox resend right after a
// crash) counts as appended. It waits for the driver goroutine: callers
// hold no lock.
func (c *core) appendDirect(ctx context.Context, recipients []*ecdsa.PublicKey, body []byte) error {
	for _, pub := range recipients {
		g, _, err := c.pairGroup(pub)
		if err != nil {
			return err
		}
		if _, err := c.ds.Append(ctx, g, body); err != nil && !errors.Is(err, mvds.ErrDuplicateMessage) {
			return fmt.Errorf("%w: append: %w", ErrDataSync, err)
		}
	}
	return nil
}

// isSelf reports whether pub is our identity.
func (c *core) isSelf(pub *ecdsa.PublicKey) bool {
	// Not ecdsa.PublicKey.Equal: it also compares curve values, and keys
	// parsed by different paths may carry different secp256k1 instances.
	return bytes.Equal(crypto.FromECDSAPub(pub), crypto.FromECDSAPub(c.self))
}

// mvdsTransport is the driver's Transport: it encrypts each MVDS payload
// for the peer's installations (and copies for our paired devices) and
// posts the resulting envelopes on the topic of §4.3. It runs on the
// driver goroutine and takes no part's lock.
type mvdsTransport struct{ c *core }

// Send implements datasync.Transport. The packet names the MVDS messages
// it carries, so the status message IDs for delivery tracking come from
// there; the payload itself is opaque here.
func (t mvdsTransport) Send(ctx context.Context, to mvds.PeerID, pk datasync.Packet) error {
	c := t.c
	ids := c.dl.mapOutgoing(c.self, pk.Messages, pk.IDs)
	peer, err := c.pubs.peer(to)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPublicKey, err)
	}
	outs, err := c.enc.SendDirect(c.cfg.Now(), c.rand, peer, pk.Payload)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	if err := c.syncBeforeLeaving(); err != nil {
		return err
	}
	for _, o := range outs {
		if len(ids) > 0 {
			c.log.Debug("mvds payload encrypted", zap.String("to", short(message.PubKeyHex(o.Recipient))),
				zap.Strings("installations", addressed(o.Message)), zap.Strings("messages", ids))
		}
		carried := ids
		if c.isSelf(o.Recipient) {
			if len(pk.Messages) == 0 {
				continue // ACK-only payload: our devices do not need it
			}
			carried = nil // a copy reaching our own devices says nothing about delivery
		}
		if err := c.postDirect(ctx, o, carried); err != nil {
			return err
		}
	}
	return nil
}

// syncBeforeLeaving makes every write so far durable (storage.Sync)
// before a ratchet-encrypted envelope leaves: the ratchet state that
// encryption committed — after a power loss that rolled it back, the next
// message would be encrypted again with the message key this envelope
// used — and the messages it carries, stored by Send, so that a message a
// peer received is never missing from our history. Concurrent calls share
// one fsync; payloads leave once per MVDS flush, not per message. A
// failed sync is a store failure: the envelope does not leave, and MVDS
// sends its messages again.
func (c *core) syncBeforeLeaving() error {
	if err := storage.Sync(c.st.kv); err != nil {
		return fmt.Errorf("%w: sync before sending: %w", ErrStore, err)
	}
	return nil
}

// recentHashes remembers the last n envelopes we posted, so that our own
// envelopes echoed back by the router are skipped.
type recentHashes struct {
	mu    sync.Mutex
	set   map[EnvelopeHash]struct{}
	order []EnvelopeHash
	n     int
}

func newRecentHashes(n int) *recentHashes {
	return &recentHashes{set: make(map[EnvelopeHash]struct{}), n: n}
}

func (r *recentHashes) add(h EnvelopeHash) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.set[h]; ok {
		return
	}
	if len(r.order) == r.n {
		delete(r.set, r.order[0])
		r.order = r.order[1:]
	}
	r.set[h] = struct{}{}
	r.order = append(r.order, h)
}

func (r *recentHashes) has(h EnvelopeHash) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.set[h]
	return ok
}

// lockedReader serialises reads of a shared randomness source.
type lockedReader struct {
	mu sync.Mutex
	r  io.Reader
}

func (l *lockedReader) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.r.Read(p)
}

// markProcessed records that a payload was handled (dedupe).
func (c *core) markProcessed(id string) {
	if err := c.st.kv.Put(key(pfxProcessed, []byte(id)), nil); err != nil {
		c.log.Warn("mark processed", zap.Error(err))
	}
}

// installationID returns the configured, stored or a new installation ID,
// persisting it so that a restart keeps the same device. emptySessions says
// the session store held nothing when opened: if it had held the keys of
// the stored installation (metaSessionsFor), that device's keys are gone
// and peers holding sessions with it could never reach it again, so a new
// ID is made (the device shows up as a new installation, §3.6).
func (c *core) installationID(emptySessions bool) (string, error) {
	st := c.st
	stored, ok, err := st.meta(metaInstallation)
	if err != nil {
		return "", err
	}
	had, _, err := st.meta(metaSessionsFor)
	if err != nil {
		return "", err
	}
	id := c.cfg.InstallationID
	switch {
	case id == "" && ok && emptySessions && string(had) == string(stored):
		if id, err = encryption.NewInstallationID(c.rand); err != nil {
			return "", fmt.Errorf("%w: %w", ErrEncryption, err)
		}
		c.log.Warn("session store lost: new installation ID", zap.String("old", string(stored)), zap.String("new", id))
	case id == "" && ok:
		id = string(stored)
	case id == "":
		if id, err = encryption.NewInstallationID(c.rand); err != nil {
			return "", fmt.Errorf("%w: %w", ErrEncryption, err)
		}
	}
	var b storage.Batch
	if !ok || string(stored) != id {
		b.Put(key(pfxMeta, []byte(metaInstallation)), []byte(id))
	}
	if string(had) != id {
		b.Put(key(pfxMeta, []byte(metaSessionsFor)), []byte(id))
	}
	return id, st.write(&b)
}
