package messenger

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// metaPeerProtocols names the meta value holding what each peer was last
// seen sending: a JSON object of 0x04… identity → true (MVDS payloads) or
// false (bare status payloads).
const metaPeerProtocols = "peer-protocols"

// Re-sending to a peer's new installation. An MVDS peer is an identity:
// one installation's ACK covers all of them, so a message encrypted before
// we knew one of the peer's installations never reaches that one unless we
// send it again once we do (a 1:1 or group message, through the pair
// group). resendWindow is how far back we look (by the MVDS timestamps;
// the 24 h public messages are retried for, Config.PublicRetryWindow), and
// resendMax bounds how many messages one new installation costs. Receivers
// dedupe by message ID, so the installations that had them show nothing
// twice.
const (
	resendWindow = 24 * time.Hour
	resendMax    = 200
)

// directChats is the 1:1 part: it opens 1:1 chats, owns the set of
// identities made MVDS peers, and hands direct messages (1:1 and group
// fan-out) to MVDS. It also learns from what each peer sends whether the
// peer speaks MVDS, and bounds the sends to a peer that does not (it never
// ACKs). Its mutex guards the peer set and that knowledge only; the MVDS
// driver, the store and the Transport are called without it.
type directChats struct {
	c     *core
	chats *chatBook
	subs  *subscriptions

	mu     sync.Mutex
	peers  map[string]bool // identities added as MVDS peers; guarded by mu
	speaks map[string]bool // identity → last seen sending MVDS; guarded by mu
	unsent map[string]bool // IDs of stored messages to append again (resendUnsent); guarded by mu
	wake   chan struct{}   // capacity 1: "try the unsent again"
}

func newDirectChats(c *core, chats *chatBook, subs *subscriptions) *directChats {
	return &directChats{c: c, chats: chats, subs: subs, peers: make(map[string]bool), speaks: make(map[string]bool),
		unsent: make(map[string]bool), wake: make(chan struct{}, 1)}
}

// loadProtocols reads the stored per-peer knowledge and bounds the sends
// to each peer last seen without MVDS. It runs at Start, once the driver
// is running.
func (d *directChats) loadProtocols(ctx context.Context) error {
	raw, ok, err := d.c.st.meta(metaPeerProtocols)
	if err != nil || !ok {
		return err
	}
	speaks := make(map[string]bool)
	if err := json.Unmarshal(raw, &speaks); err != nil {
		return fmt.Errorf("%w: decode %s: %w", ErrStore, metaPeerProtocols, err)
	}
	d.mu.Lock()
	for id, v := range speaks {
		d.speaks[id] = v
	}
	d.mu.Unlock()
	for id, v := range speaks {
		if v {
			continue
		}
		pub, err := parsePubKey(id)
		if err != nil {
			continue
		}
		if err := d.setLimit(ctx, pub, false); err != nil {
			return err
		}
	}
	return nil
}

// learn records that pub was seen sending an MVDS payload (mvdsSeen) or a
// bare status payload, persists a change and sets the peer's MVDS send
// bound: NonACKMaxSends for a peer without MVDS, none for one with it.
// Only the receive goroutine calls it (so its writes are never concurrent),
// and it holds no lock while it writes or waits for the driver; an
// unchanged peer costs a map look-up.
func (d *directChats) learn(ctx context.Context, pub *ecdsa.PublicKey, mvdsSeen bool) {
	id := message.PubKeyHex(pub)
	d.mu.Lock()
	old, known := d.speaks[id]
	d.mu.Unlock()
	if known && old == mvdsSeen {
		return
	}
	d.mu.Lock()
	d.speaks[id] = mvdsSeen
	raw, err := json.Marshal(d.speaks)
	d.mu.Unlock()
	if err != nil {
		d.c.log.Warn("encode peer protocols", zap.Error(err)) // a map of strings to bools: cannot fail
	} else {
		var b storage.Batch
		b.Put(key(pfxMeta, []byte(metaPeerProtocols)), raw)
		d.c.pend.write(&b, nil) // kept and written again if it fails (pendwrites.go)
	}
	if err := d.setLimit(ctx, pub, mvdsSeen); err != nil {
		d.c.log.Warn("set MVDS send limit", zap.String("peer", short(id)), zap.Error(err))
	}
	d.c.log.Info("peer protocol", zap.String("peer", short(id)), zap.Bool("mvds", mvdsSeen))
}

// nonACK reports whether identity was last seen sending without MVDS.
func (d *directChats) nonACK(identity string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	speaks, known := d.speaks[identity]
	return known && !speaks
}

// setLimit bounds (or, for a peer speaking MVDS, unbounds) the MVDS sends
// to pub.
func (d *directChats) setLimit(ctx context.Context, pub *ecdsa.PublicKey, mvdsSeen bool) error {
	peer, err := mvds.ParsePeerID(crypto.FromECDSAPub(pub))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrDataSync, err)
	}
	limit := d.c.cfg.NonACKMaxSends
	if mvdsSeen {
		limit = 0
	}
	if err := d.c.ds.SetSendLimit(ctx, peer, limit); err != nil {
		return fmt.Errorf("%w: send limit: %w", ErrDataSync, err)
	}
	return nil
}

// ensurePeer makes pub an MVDS peer of our pair group (persisted by the
// driver) and listens for its bundles and our negotiated topic. It waits
// for the driver goroutine; concurrent calls for one key both add it,
// which the driver treats as one.
func (d *directChats) ensurePeer(pub *ecdsa.PublicKey) error {
	id := message.PubKeyHex(pub)
	d.mu.Lock()
	known := id == d.c.selfHex || d.peers[id]
	d.mu.Unlock()
	if known {
		return nil
	}
	if err := d.subs.listenPeer(pub); err != nil {
		return err
	}
	g, peer, err := d.c.pairGroup(pub)
	if err != nil {
		return err
	}
	if err := d.c.ds.AddPeer(context.Background(), g, peer); err != nil {
		return fmt.Errorf("%w: add peer: %w", ErrDataSync, err)
	}
	d.mu.Lock()
	d.peers[id] = true
	d.mu.Unlock()
	return nil
}

// ensurePeers is ensurePeer for several 0x04… keys, returning them parsed.
func (d *directChats) ensurePeers(keys []string) ([]*ecdsa.PublicKey, error) {
	pubs := make([]*ecdsa.PublicKey, 0, len(keys))
	for _, k := range keys {
		pub, err := d.c.pubs.hex(k)
		if err != nil {
			return nil, err
		}
		if err := d.ensurePeer(pub); err != nil {
			return nil, err
		}
		pubs = append(pubs, pub)
	}
	return pubs, nil
}

// open opens (or reopens) the 1:1 chat with pub and makes pub a peer. It
// reports whether the chat changed (a ChatEvent is due).
func (d *directChats) open(pub *ecdsa.PublicKey) (*Chat, bool, error) {
	id := message.PubKeyHex(pub)
	if ch := d.chats.get(id); ch != nil && ch.Active {
		return ch, false, nil
	}
	if err := d.ensurePeer(pub); err != nil {
		return nil, false, err
	}
	changed := false
	ch, err := d.chats.update(id, func(ch *Chat, _ *storage.Batch) (*Chat, error) {
		if ch != nil && ch.Active {
			return ch, nil
		}
		if ch == nil {
			ch = &Chat{ID: id, Type: ChatOneToOne}
		}
		ch.Active, changed = true, true
		return ch, nil
	})
	return ch, changed, err
}

// listen rejoins the topics of an active 1:1 chat (Start).
func (d *directChats) listen(ch *Chat) error {
	pub, err := parsePubKey(ch.ID)
	if err != nil {
		return err
	}
	return d.subs.listenPeer(pub)
}

// send hands a stored direct message to MVDS for each recipient. Its
// outbox entry (outbox.go) goes when MVDS first sends it (mapOutgoing).
func (d *directChats) send(ctx context.Context, out *outgoing) error {
	pubs, err := d.ensurePeers(out.recipients)
	if err != nil {
		return err
	}
	return d.c.appendDirect(ctx, pubs, out.body)
}

// sendStored is send for a message Send has just stored: when its append
// to MVDS fails (the caller's context ended while the driver waited out a
// store failure, say), the message stays stored with its outbox entry and
// is remembered as unsent, to be appended again in this run
// (resendUnsent) rather than only at the next Start.
func (d *directChats) sendStored(ctx context.Context, out *outgoing) error {
	err := d.send(ctx, out)
	if err != nil {
		d.mu.Lock()
		d.unsent[out.id] = true
		d.mu.Unlock()
		d.wakeUnsent()
	}
	return err
}

// wakeUnsent makes resendUnsent try the unsent messages again; it never
// blocks. The failed send itself and the MVDS driver's recovery from a
// store failure call it.
func (d *directChats) wakeUnsent() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// resendUnsent is the goroutine that appends again the messages whose
// send failed in this run (sendStored) and those a previous run left in
// the outbox (resendOutbox), each time it is woken: an append
// waits for the driver (through a store failure, until it recovers), one
// that fails again waits for the next wake, and a message whose outbox
// entry is gone (MVDS sent it meanwhile) is forgotten. A second append of
// a message that did reach MVDS is dropped by its recipient as a
// duplicate (same message ID), as after a crash (outbox.go). It returns
// when quit is closed, cancelling an append under way.
func (d *directChats) resendUnsent(quit <-chan struct{}) {
	ctx, cancel := quitContext(quit)
	defer cancel()
	for {
		select {
		case <-d.wake:
		case <-quit:
			return
		}
		d.mu.Lock()
		ids := d.unsent
		d.unsent = make(map[string]bool)
		d.mu.Unlock()
		if len(ids) == 0 {
			continue
		}
		var entries []*outboxEntry
		if err := iterateJSON(d.c.st, []byte{pfxOutbox}, func(e *outboxEntry) error {
			if ids[e.ID] {
				entries = append(entries, e)
			}
			return nil
		}); err != nil {
			d.c.log.Warn("read outbox", zap.Error(err))
		}
		for _, e := range entries {
			if err := d.send(ctx, &outgoing{id: e.ID, body: e.Body, recipients: e.Recipients}); err != nil {
				if ctx.Err() != nil {
					return
				}
				d.c.log.Warn("send stored message again", zap.String("id", e.ID), zap.Error(err))
				d.mu.Lock()
				d.unsent[e.ID] = true
				d.mu.Unlock()
				continue
			}
			d.c.log.Info("sent a stored message whose first send failed", zap.String("id", e.ID))
		}
	}
}

// resendOutbox hands resendUnsent every outbox entry a previous run left
// (MVDS's first send of it deletes it, mapOutgoing), as if its send had
// failed in this run: Start calls it and returns at once, since an append
// waits for the driver, which may be waiting out a store failure. The
// entries stay in the outbox until MVDS has them; one whose append fails
// is tried again at the next wake, or at the next Start.
func (d *directChats) resendOutbox() {
	n := 0
	err := iterateJSON(d.c.st, []byte{pfxOutbox}, func(e *outboxEntry) error {
		d.mu.Lock()
		d.unsent[e.ID] = true
		d.mu.Unlock()
		n++
		return nil
	})
	if err != nil {
		d.c.log.Warn("read outbox", zap.Error(err))
	}
	if n > 0 {
		d.c.log.Info("resending messages stored before a crash", zap.Int("count", n))
		d.wakeUnsent()
	}
}

// chatFor finds (opening it if needed) the 1:1 chat of a received c4, or
// names the reason to drop it, or returns the store failure that kept it
// from opening the chat.
func (d *directChats) chatFor(rc recvContext) (*Chat, []Event, string, error) {
	id := rc.r.ChatID
	if rc.src.kind != srcDirect || id == d.c.selfHex {
		return nil, nil, ReasonWrongChat, nil
	}
	pub, err := d.c.pubs.hex(id)
	if err != nil {
		return nil, nil, ReasonWrongChat, nil
	}
	ch, changed, err := d.open(pub)
	if storeFailure(err) {
		return nil, nil, "", err
	}
	if err != nil {
		d.c.log.Warn("open chat", zap.Error(err))
		return nil, nil, ReasonWrongChat, nil
	}
	if changed {
		return ch, []Event{ChatEvent{Chat: *ch}}, "", nil
	}
	return ch, nil, "", nil
}

// resendToNew sends pub, which gained installations we did not know
// (encryption.Received.NewPeerInstallations), the messages we sent to it
// within resendWindow, at most resendMax (the newest), again through MVDS:
// the driver's Transport encrypts them to every installation we now know,
// at once (an ACK still in flight for an earlier send cannot cancel them),
// and they are retransmitted until pub acknowledges them again. Only
// messages MVDS sent for us (their ID is mapped to a status ID, delivery.go
// mapOutgoing) are sent, never those pub sent us; delivery records are not
// changed (an acked message stays acked). The receive goroutine calls it;
// it waits for the driver and holds no lock. It returns how many messages
// it sent.
func (d *directChats) resendToNew(ctx context.Context, pub *ecdsa.PublicKey) (int, error) {
	if d.c.isSelf(pub) {
		return 0, nil
	}
	g, peer, err := d.c.pairGroup(pub)
	if err != nil {
		return 0, err
	}
	recent, err := d.c.ds.Recent(ctx, g, resendWindow, resendMax)
	if err != nil {
		return 0, fmt.Errorf("%w: recent messages: %w", ErrDataSync, err)
	}
	var ids []mvds.MessageID
	for _, m := range recent {
		id := m.ID()
		_, sent, err := d.c.dl.statusIDOf(id)
		if err != nil {
			return 0, err
		}
		if sent {
			ids = append(ids, id)
		}
	}
	d.c.log.Debug("resend candidates", zap.String("peer", short(message.PubKeyHex(pub))),
		zap.Int("recent", len(recent)), zap.Int("ours", len(ids)))
	if len(ids) == 0 {
		return 0, nil
	}
	n, err := d.c.ds.Resend(ctx, peer, ids)
	if err != nil {
		return 0, fmt.Errorf("%w: resend: %w", ErrDataSync, err)
	}
	return n, nil
}
