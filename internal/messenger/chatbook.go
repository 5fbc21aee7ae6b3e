package messenger

import (
	"crypto/ecdsa"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// chatBook owns the chat records of every kind (public, 1:1, group) and
// the messages stored in them. Its mutex is a leaf: it guards the cache
// and serialises each read-modify-write of a chat with its store batch,
// and nothing is called with it held but the store. Public, 1:1 and group
// parts change chats only through update.
type chatBook struct {
	c *core

	mu    sync.Mutex
	chats map[string]*Chat // guarded by mu

	sends combiner // group commit of storeWith (combine.go)
}

func newChatBook(c *core) *chatBook { return &chatBook{c: c, chats: make(map[string]*Chat)} }

// load reads every chat into the cache (Start).
func (b *chatBook) load() error {
	chats, err := b.c.st.chats()
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ch := range chats {
		b.chats[ch.ID] = ch
	}
	return nil
}

// get returns a copy of the chat, or nil.
func (b *chatBook) get(id string) *Chat {
	b.mu.Lock()
	defer b.mu.Unlock()
	if ch := b.chats[id]; ch != nil {
		return copyChat(ch)
	}
	return nil
}

// all returns copies of every chat, newest activity first.
func (b *chatBook) all() []*Chat {
	b.mu.Lock()
	out := make([]*Chat, 0, len(b.chats))
	for _, ch := range b.chats {
		out = append(out, copyChat(ch))
	}
	b.mu.Unlock()
	sort.Slice(out, func(i, j int) bool {
		if out[i].LastMessageAt != out[j].LastMessageAt {
			return out[i].LastMessageAt > out[j].LastMessageAt
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// update runs fn on a copy of chat id (nil when there is none) under the
// lock. fn adds its writes to batch and returns the chat to keep (nil:
// leave the chat as it is). The chat and batch are written together, then
// cached. update returns a copy of the kept chat (nil if fn kept none) or
// fn's or the store's error, which leaves the cache unchanged.
func (b *chatBook) update(id string, fn func(ch *Chat, batch *storage.Batch) (*Chat, error)) (*Chat, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	var cur *Chat
	if ch := b.chats[id]; ch != nil {
		cur = copyChat(ch)
	}
	var batch storage.Batch
	next, err := fn(cur, &batch)
	if err != nil {
		return nil, err
	}
	if next != nil {
		putChat(&batch, next)
	}
	if err := b.c.st.write(&batch); err != nil {
		return nil, err
	}
	if next == nil {
		return nil, nil
	}
	b.chats[next.ID] = next
	return copyChat(next), nil
}

// updateEach is update for a run of changes written together: for each
// i in order it runs fn(i, …) on a copy of chat ids[i] as the earlier
// calls left it (nil when there is none), under the lock. fn returns the
// chat to keep (nil: leave it as it is) or an error (errs[i]), which
// leaves that call's chat alone; fn adds its writes to batch, shared by
// the run, only when it returns no error. The kept chats, once each, and
// the batch are written in one store write, then cached. A write error (err) leaves the
// store and the cache as they were: nothing of the run was written.
func (b *chatBook) updateEach(ids []string, fn func(i int, ch *Chat, batch *storage.Batch) (*Chat, error)) (errs []error, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	errs = make([]error, len(ids))
	kept := map[string]*Chat{}
	var all storage.Batch
	for i, id := range ids {
		cur := kept[id]
		if cur == nil {
			cur = b.chats[id]
		}
		if cur != nil {
			cur = copyChat(cur)
		}
		next, err := fn(i, cur, &all)
		if err != nil {
			errs[i] = err
			continue
		}
		if next != nil {
			kept[next.ID] = next
		}
	}
	for _, ch := range kept {
		putChat(&all, ch)
	}
	if err := b.c.st.write(&all); err != nil {
		return errs, err
	}
	maps.Copy(b.chats, kept)
	return errs, nil
}

// messages is a page of chatID's messages (see Messenger.Messages).
func (b *chatBook) messages(chatID, cursor string, limit int) (*Page, error) {
	if b.get(chatID) == nil {
		return nil, fmt.Errorf("%w: %q", ErrChatNotFound, chatID)
	}
	return b.c.st.messages(chatID, cursor, limit)
}

// markSeen marks messages seen and lowers their chats' unread counts.
func (b *chatBook) markSeen(ids []string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var batch storage.Batch
	changed := map[string]*Chat{}
	for _, id := range ids {
		msg, err := b.c.st.message(id)
		if err != nil {
			return err
		}
		if msg.Seen {
			continue
		}
		msg.Seen = true
		putJSON(&batch, key(pfxMessage, []byte(id)), msg)
		ch := changed[msg.ChatID]
		if ch == nil && b.chats[msg.ChatID] != nil {
			ch = copyChat(b.chats[msg.ChatID])
		}
		if ch != nil && ch.Unread > 0 {
			ch.Unread--
			changed[ch.ID] = ch
		}
	}
	return b.commitLocked(&batch, changed)
}

// deleteMessage removes a message; a retransmitted copy is not shown again.
func (b *chatBook) deleteMessage(id string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	msg, err := b.c.st.message(id)
	if err != nil {
		return err
	}
	var batch storage.Batch
	deleteMessage(&batch, msg)
	changed := map[string]*Chat{}
	if ch := b.chats[msg.ChatID]; ch != nil && !msg.Seen && ch.Unread > 0 {
		cc := copyChat(ch)
		cc.Unread--
		changed[cc.ID] = cc
	}
	return b.commitLocked(&batch, changed)
}

// deleteFrom deletes every stored message authored by author in every
// chat, lowering the unread counts; a retransmitted copy is not shown
// again.
func (b *chatBook) deleteFrom(author string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var batch storage.Batch
	changed := map[string]*Chat{}
	for id, ch := range b.chats {
		msgs, err := b.c.st.chatMessages(id)
		if err != nil {
			return err
		}
		for _, msg := range msgs {
			if msg.From != author {
				continue
			}
			deleteMessage(&batch, msg)
			if !msg.Seen {
				cc := changed[id]
				if cc == nil {
					cc = copyChat(ch)
				}
				if cc.Unread > 0 {
					cc.Unread--
				}
				changed[id] = cc
			}
		}
	}
	return b.commitLocked(&batch, changed)
}

func (b *chatBook) commitLocked(batch *storage.Batch, changed map[string]*Chat) error {
	for _, ch := range changed {
		putChat(batch, ch)
	}
	if err := b.c.st.write(batch); err != nil {
		return err
	}
	for id, ch := range changed {
		b.chats[id] = ch
	}
	return nil
}

// clear deletes every message of chat id and remembers its clock
// (deleted-at-clock-value, §1.8) so older copies are not shown again; the
// chat stays, unread 0, active as keepActive says. It returns the chat.
func (b *chatBook) clear(id string, keepActive func(*Chat) bool) (*Chat, error) {
	return b.update(id, func(ch *Chat, batch *storage.Batch) (*Chat, error) {
		if ch == nil {
			return nil, fmt.Errorf("%w: %q", ErrChatNotFound, id)
		}
		msgs, err := b.c.st.chatMessages(id)
		if err != nil {
			return nil, err
		}
		for _, msg := range msgs {
			deleteMessage(batch, msg)
		}
		ch.DeletedAtClock, ch.Unread, ch.Active = ch.LastClock, 0, keepActive(ch)
		return ch, nil
	})
}

func copyChat(c *Chat) *Chat {
	cc := *c
	cc.Members = slices.Clone(c.Members)
	cc.Admins = slices.Clone(c.Admins)
	cc.Joined = slices.Clone(c.Joined)
	return &cc
}

func messageTypeOf(t ChatType) message.MessageType {
	switch t {
	case ChatPublic:
		return message.TypePublicGroup
	case ChatPrivateGroup:
		return message.TypePrivateGrp
	}
	return message.TypeOneToOne
}

// parsePubKey reads a 0x04… hex key and checks it is on the curve.
func parsePubKey(s string) (*ecdsa.PublicKey, error) {
	if !message.IsPubKeyHex(s) {
		return nil, fmt.Errorf("%w: %.20q", ErrInvalidPublicKey, s)
	}
	b := make([]byte, 65)
	for i := range b {
		b[i] = unhex(s[2+2*i])<<4 | unhex(s[3+2*i])
	}
	pub, err := crypto.UnmarshalPubkey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidPublicKey, err)
	}
	return pub, nil
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
