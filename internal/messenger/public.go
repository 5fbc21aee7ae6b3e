package messenger

import (
	"context"
	"fmt"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// publicChats is the public chat part: joining and leaving (a chat record
// and a symmetric subscription on keccak256(name)[:4] with PBKDF2(name),
// §4.1, §4.2), sending (symmetric posts, not MVDS, §6.4) and choosing the
// public chat of a received c4. Its state lives in the chat book and the
// subscriptions, each behind its own lock; it keeps none of its own.
type publicChats struct {
	c     *core
	chats *chatBook
	subs  *subscriptions
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

// send posts a stored public message symmetric on its chat's topic.
func (p *publicChats) send(ctx context.Context, out *outgoing) error {
	k, err := p.c.keys.get(out.public)
	if err != nil {
		return err
	}
	return p.c.post(ctx, Envelope{Topic: whisper.TopicFromName(out.public), SymKey: &k, Payload: out.body}, []string{out.id})
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
