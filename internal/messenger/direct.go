package messenger

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"sync"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// directChats is the 1:1 part: it opens 1:1 chats, owns the set of
// identities made MVDS peers, and hands direct messages (1:1 and group
// fan-out) to MVDS. Its mutex guards the peer set only; the MVDS driver
// and the Transport are called without it.
type directChats struct {
	c     *core
	chats *chatBook
	subs  *subscriptions

	mu    sync.Mutex
	peers map[string]bool // identities added as MVDS peers; guarded by mu
}

func newDirectChats(c *core, chats *chatBook, subs *subscriptions) *directChats {
	return &directChats{c: c, chats: chats, subs: subs, peers: make(map[string]bool)}
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
		pub, err := parsePubKey(k)
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

// send hands a stored direct message to MVDS for each recipient, then
// drops its outbox entry (outbox.go).
func (d *directChats) send(ctx context.Context, out *outgoing) error {
	pubs, err := d.ensurePeers(out.recipients)
	if err != nil {
		return err
	}
	if err := d.c.appendDirect(ctx, pubs, out.body); err != nil {
		return err
	}
	if err := d.c.st.deleteOutbox(out.id); err != nil {
		// MVDS has it; a leftover entry only costs a resend at Start.
		d.c.log.Warn("delete outbox entry", zap.String("id", out.id), zap.Error(err))
	}
	return nil
}

// resendOutbox appends to MVDS every outbox entry a previous run left
// and deletes it. An entry that fails stays for the next Start.
func (d *directChats) resendOutbox(ctx context.Context) {
	var entries []*outboxEntry
	err := iterateJSON(d.c.st, []byte{pfxOutbox}, func(e *outboxEntry) error {
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		d.c.log.Warn("read outbox", zap.Error(err))
	}
	for _, e := range entries {
		if err := d.send(ctx, &outgoing{id: e.ID, body: e.Body, recipients: e.Recipients}); err != nil {
			d.c.log.Warn("resend stored message", zap.String("id", e.ID), zap.Error(err))
		}
	}
	if len(entries) > 0 {
		d.c.log.Info("resent messages stored before a crash", zap.Int("count", len(entries)))
	}
}

// chatFor finds (opening it if needed) the 1:1 chat of a received c4, or
// names the reason to drop it.
func (d *directChats) chatFor(rc recvContext) (*Chat, []Event, string) {
	id := rc.r.ChatID
	if rc.src.kind != srcDirect || id == d.c.selfHex {
		return nil, nil, ReasonWrongChat
	}
	pub, err := parsePubKey(id)
	if err != nil {
		return nil, nil, ReasonWrongChat
	}
	ch, changed, err := d.open(pub)
	if err != nil {
		d.c.log.Warn("open chat", zap.Error(err))
		return nil, nil, ReasonWrongChat
	}
	if changed {
		return ch, []Event{ChatEvent{Chat: *ch}}, ""
	}
	return ch, nil, ""
}
