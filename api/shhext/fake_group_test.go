package shhext

import (
	"context"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/messengertest"
	"github.com/statusnode/statusd/protocol/message"
)

// SendGroupUpdates validates p as the messenger does (shapes, clocks
// against the wall clock, signatures, the creator rule) and returns the
// group chat (created on first use, named by the chat-created event) and
// a message ID numbered by call.
func (f *fakeMessenger) SendGroupUpdates(ctx context.Context, p *message.MembershipUpdateMessage) (*messenger.Chat, string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return nil, "", f.Err
	}
	self, err := crypto.UnmarshalPubkey(hexutil.MustDecode(selfKey))
	if err != nil {
		return nil, "", err
	}
	if _, err := message.Validate(p, message.Context{Now: time.Now(), Author: self, Self: self}); err != nil {
		return nil, "", fmt.Errorf("%w: %w", messenger.ErrInvalidMessage, err)
	}
	c := f.ChatsByID[p.ChatID]
	if c == nil {
		c = &messenger.Chat{ID: p.ChatID, Type: messenger.ChatPrivateGroup, Active: true}
		f.ChatsByID[p.ChatID] = c
	}
	for _, u := range p.Updates {
		for _, ev := range u.Events {
			if ev.Type == message.EventChatCreated {
				c.Name = ev.Name
			}
		}
	}
	n := f.TickLocked()
	return messengertest.CopyChat(c), fmt.Sprintf("0xg5-%d", n), nil
}
