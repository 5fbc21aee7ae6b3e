package messenger

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

// retryTick is how often publicChats.run looks for public messages whose
// retry window ended while nothing else woke it.
const retryTick = time.Minute

// publicChats is the public chat part: joining and leaving (a chat record
// and a symmetric subscription on keccak256(name)[:4] with PBKDF2(name),
// §4.1, §4.2), sending (symmetric posts, not MVDS, §6.4), re-posting
// messages that reached no peer (outbox.go) and choosing the public chat
// of a received c4. Chats live in the chat book and the subscriptions,
// each behind its own lock; it keeps only the set of messages due for a
// re-post (mu, a leaf).
type publicChats struct {
	c     *core
	chats *chatBook
	subs  *subscriptions

	wake chan struct{} // capacity 1: run has something to look at

	mu  sync.Mutex
	due map[string]bool // queued public messages whose last envelope expired unsent; guarded by mu
	// expiry is when the last envelope posted for a queued public message
	// expires; guarded by mu. A message still queued a TTL after that is
	// due even if the Transport's expiry event never came (a Transport
	// that loses events; whisperadapter does not).
	expiry map[string]time.Time
}

func newPublicChats(c *core, chats *chatBook, subs *subscriptions) *publicChats {
	return &publicChats{c: c, chats: chats, subs: subs, wake: make(chan struct{}, 1), due: make(map[string]bool),
		expiry: make(map[string]time.Time)}
}

// requeue marks ids due for a re-post (none: a peer connected) and wakes
// run. It never blocks.
func (p *publicChats) requeue(ids []string) {
	p.mu.Lock()
	for _, id := range ids {
		p.due[id] = true
	}
	p.mu.Unlock()
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// run is the re-post goroutine: at start every stored public message not
// yet sent is due (a previous run's envelopes are gone); then, whenever
// woken (an envelope expired unsent, a peer connected) or every retryTick,
// it expires the messages whose window ended and, if the Transport has a
// peer, re-posts the due ones in fresh envelopes. It returns when quit is
// closed; a post under way is cancelled.
func (p *publicChats) run(quit <-chan struct{}) {
	ctx, cancel := quitContext(quit)
	defer cancel()
	t := time.NewTicker(retryTick)
	defer t.Stop()
	first := true
	for {
		p.retry(ctx, first)
		first = false
		select {
		case <-p.wake:
		case <-t.C:
		case <-quit:
			return
		}
	}
}

// retry handles the stored public messages once (see run); all: every one
// not yet sent is due.
func (p *publicChats) retry(ctx context.Context, all bool) {
	read := p.c.cfg.Now() // a message posted before this was in the outbox read below
	entries, err := p.c.st.publicOutbox()
	if err != nil {
		p.c.log.Warn("read public outbox", zap.Error(err))
		return
	}
	nowT := p.c.cfg.Now()
	now := nowT.UnixMilli()
	var post []*publicEntry
	p.mu.Lock()
	inOutbox := make(map[string]bool, len(entries))
	for _, e := range entries {
		inOutbox[e.ID] = true
	}
	for id, exp := range p.expiry {
		// Sent or expired: it left the outbox. One posted after the read
		// began (its outbox entry may be newer than what was read) stays.
		if !inOutbox[id] && exp.Add(-p.c.cfg.TTL).Before(read) {
			delete(p.expiry, id)
		}
	}
	for _, e := range entries {
		if all {
			p.due[e.ID] = true
		}
		if exp, ok := p.expiry[e.ID]; ok && !p.due[e.ID] && nowT.After(exp.Add(p.c.cfg.TTL)) {
			p.due[e.ID] = true // its expiry event was lost, or it was sent and that event was
		}
		switch {
		case now >= e.Deadline:
			delete(p.due, e.ID)
			post = append(post, &publicEntry{ID: e.ID}) // Body nil: expire
		case p.due[e.ID]:
			post = append(post, e)
		}
	}
	p.mu.Unlock()
	peers := p.c.tr.PeerCount() > 0
	for _, e := range post {
		rec, err := p.c.dl.state(e.ID)
		if errors.Is(err, ErrMessageNotFound) { // the message was deleted
			p.settle(e.ID)
			p.drop(e.ID)
			continue
		}
		// Body nil: the window had ended when the outbox was read; it may
		// also end while this pass runs (before a peer came, or while
		// earlier posts took their time): expire, not post.
		if e.Body == nil || p.c.cfg.Now().UnixMilli() >= e.Deadline {
			p.settle(e.ID)
			p.c.dl.expire(e.ID)
			continue
		}
		if errors.Is(err, ErrStore) && !errors.Is(err, messengerstore.ErrCorrupt) {
			continue // the read failed: it stays due, for the next pass
		}
		if err != nil || rec.State != DeliveryQueued {
			p.settle(e.ID) // undecodable, or sent meanwhile
			continue
		}
		if !peers || ctx.Err() != nil {
			continue
		}
		p.forget(e.ID)
		if err := p.send(ctx, &outgoing{id: e.ID, body: e.Body, public: e.Chat}); err != nil {
			p.c.log.Warn("re-post public message", zap.String("id", e.ID), zap.Error(err))
		}
	}
}

// drop deletes the public outbox entry of a deleted message.
func (p *publicChats) drop(id string) {
	var b storage.Batch
	b.Delete(publicKey(id))
	if err := p.c.st.write(&b); err != nil {
		p.c.log.Warn("delete public outbox entry", zap.String("id", id), zap.Error(err))
	}
}

func (p *publicChats) forget(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.due, id)
}

// settle forgets a message that needs no more re-posts.
func (p *publicChats) settle(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.due, id)
	delete(p.expiry, id)
}

// join opens (or reopens) the public chat name and subscribes to it.
func (p *publicChats) join(name string) (*Chat, error) {
	if !message.IsPublicChatName(name) {
		return nil, fmt.Errorf("%w: %q", ErrInvalidChatName, name)
	}
	if err := p.subs.joinPublic(name); err != nil {
		return nil, err
	}
	ch, err := p.chats.update(name, func(ch *Chat, _ *storage.Batch) (*Chat, error) {
		if ch == nil {
			ch = &Chat{ID: name, Type: ChatPublic, Name: name}
		}
		ch.Active = true
		return ch, nil
	})
	if err != nil {
		return nil, err
	}
	p.c.publish(ChatEvent{Chat: *ch})
	return ch, nil
}

// leave unsubscribes from the chat and marks it inactive; its messages
// stay until DeleteChat.
func (p *publicChats) leave(name string) error {
	ch, err := p.chats.update(name, func(ch *Chat, _ *storage.Batch) (*Chat, error) {
		if ch == nil || ch.Type != ChatPublic {
			return nil, fmt.Errorf("%w: %q", ErrChatNotFound, name)
		}
		ch.Active = false
		return ch, nil
	})
	if err != nil {
		return err
	}
	p.subs.leavePublic(name)
	p.c.publish(ChatEvent{Chat: *ch})
	return nil
}

// send posts a stored public message symmetric on its chat's topic, with
// or without a peer connected: the envelope waits in the router's pool,
// and if it expires unsent the message is re-posted (run). A failed post
// leaves the message due for the next wake-up of run.
func (p *publicChats) send(ctx context.Context, out *outgoing) error {
	k, err := p.c.keys.get(out.public)
	if err != nil {
		return err
	}
	posted := p.c.cfg.Now()
	err = p.c.post(ctx, Envelope{Topic: whisper.TopicFromName(out.public), SymKey: &k, Payload: out.body}, []string{out.id})
	p.mu.Lock()
	if err != nil { // due again at the next wake (no wake now: no busy loop)
		p.due[out.id] = true
	} else {
		p.expiry[out.id] = posted.Add(p.c.cfg.TTL)
	}
	p.mu.Unlock()
	return err
}

// chatFor returns the public chat of a received c4: the one subscribed on
// the topic it came on, joined and active; otherwise the reason to drop.
func (p *publicChats) chatFor(rc recvContext) (*Chat, string) {
	id := rc.r.ChatID
	ch := p.chats.get(id)
	if rc.src.kind != srcPublic || id != rc.src.chat || ch == nil || !ch.Active || ch.Type != ChatPublic {
		return nil, ReasonWrongChat
	}
	return ch, ""
}
