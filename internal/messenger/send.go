package messenger

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// SendText sends a text/plain c4 to chatID and returns its message ID
// (§1.10). The message is built with the chat's next Lamport clock,
// wrapped and signed (v1 wrapper, §1.2), and stored as queued before
// anything is sent. Public chats post it symmetric on the chat topic (not
// MVDS, §6.4); 1:1 and group chats append it to the MVDS group of each
// recipient, and the driver sends it encrypted (§3.5) on the topic of §4.3
// at its next tick. It blocks until the message is persisted and handed to
// the Transport (public) or to MVDS (1:1, group).
func (m *Messenger) SendText(ctx context.Context, chatID, text string) (string, error) {
	m.mu.Lock()
	out, err := m.prepareTextLocked(chatID, text)
	m.mu.Unlock()
	if err != nil {
		return "", err
	}
	return out.id, m.dispatch(ctx, out)
}

// outgoing is a stored message ready to leave.
type outgoing struct {
	id         string
	body       []byte
	public     string             // public chat name, or ""
	recipients []*ecdsa.PublicKey // direct recipients
}

func (m *Messenger) prepareTextLocked(chatID, text string) (*outgoing, error) {
	if err := m.runningLocked(); err != nil {
		return nil, err
	}
	c := m.chats[chatID]
	if c == nil {
		return nil, fmt.Errorf("%w: %q", ErrChatNotFound, chatID)
	}
	if !c.Active {
		if c.Type == ChatPrivateGroup {
			return nil, fmt.Errorf("%w: %q", ErrNotMember, chatID)
		}
		return nil, fmt.Errorf("%w: %q is not active", ErrChatNotFound, chatID)
	}
	now := m.cfg.Now()
	clock := message.NewClock(c.LastClock)
	cm := &message.ChatMessage{ContentType: message.ContentText, MessageType: messageTypeOf(c.Type),
		Clock: clock.Next(now), Timestamp: now.UnixMilli(), Content: message.Content{ChatID: c.ID, Text: text}}
	if _, err := message.Validate(cm, message.Context{Now: now, Author: m.self, Self: m.self}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidMessage, err)
	}
	out := &outgoing{}
	recipients := map[string]bool{}
	switch c.Type {
	case ChatPublic:
		out.public = c.Name
	case ChatOneToOne, ChatPrivateGroup:
		for _, k := range m.recipientsLocked(c) {
			pub, err := parsePubKey(k)
			if err != nil {
				return nil, err
			}
			if err := m.ensurePeerLocked(pub); err != nil {
				return nil, err
			}
			out.recipients = append(out.recipients, pub)
			recipients[k] = false
		}
	}
	body, id, err := m.encode(cm)
	if err != nil {
		return nil, err
	}
	out.id, out.body = id, body
	msg := &Message{ID: id, ChatID: c.ID, From: m.selfHex, Text: text, ContentType: string(cm.ContentType),
		MessageType: string(cm.MessageType), Clock: cm.Clock, Timestamp: cm.Timestamp,
		ReceivedAt: now.UnixMilli(), Outgoing: true, Seen: true, Delivery: DeliveryQueued}
	c.LastClock, c.LastMessageAt = clock.Last(), now.UnixMilli()
	var b storage.Batch
	putMessage(&b, msg)
	putChat(&b, c)
	putDelivery(&b, &Delivery{MessageID: id, ChatID: c.ID, State: DeliveryQueued, Recipients: recipients, UpdatedAt: now.UnixMilli()})
	if len(out.recipients) > 0 {
		putOutbox(&b, id, out.recipients, body)
	}
	if err := m.st.write(&b); err != nil {
		return nil, err
	}
	m.bus.Publish(MessageEvent{Message: msg})
	m.bus.Publish(DeliveryEvent{MessageID: id, ChatID: c.ID, State: DeliveryQueued})
	return out, nil
}

// recipientsLocked: the peer of a 1:1 chat, the other members of a group.
func (m *Messenger) recipientsLocked(c *Chat) []string {
	if c.Type == ChatOneToOne {
		return []string{c.ID}
	}
	var out []string
	for _, k := range c.Members {
		if k != m.selfHex {
			out = append(out, k)
		}
	}
	return out
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

// encode writes p as Transit, wraps and signs it (§1.2) and returns the
// body and its message ID.
func (m *Messenger) encode(p message.Payload) ([]byte, string, error) {
	raw, err := message.Encode(p)
	if err != nil {
		return nil, "", fmt.Errorf("%w: encode: %w", ErrInvalidMessage, err)
	}
	body, err := message.Wrap(raw, m.cfg.Identity)
	if err != nil {
		return nil, "", fmt.Errorf("%w: wrap: %w", ErrInvalidMessage, err)
	}
	return body, message.ID(m.self, body), nil
}

// dispatch sends a prepared message; it does not hold mu.
func (m *Messenger) dispatch(ctx context.Context, out *outgoing) error {
	if out.public != "" {
		k, err := m.keys.get(out.public)
		if err != nil {
			return err
		}
		return m.post(ctx, Envelope{Topic: whisper.TopicFromName(out.public), SymKey: &k, Payload: out.body}, []string{out.id})
	}
	if err := m.appendDirect(ctx, out.recipients, out.body); err != nil {
		return err
	}
	if err := m.st.deleteOutbox(out.id); err != nil {
		// MVDS has it; a leftover entry only costs a resend at Start.
		m.log.Warn("delete outbox entry", zap.String("id", out.id), zap.Error(err))
	}
	return nil
}

// appendDirect appends body to the MVDS pair group of each recipient
// (persisted by the driver before it returns; sent after the driver's
// flush delay, 5 ms by default). A body MVDS already holds (an outbox
// resend right after a crash) counts as appended.
func (m *Messenger) appendDirect(ctx context.Context, recipients []*ecdsa.PublicKey, body []byte) error {
	for _, pub := range recipients {
		g, _, err := m.pairGroup(pub)
		if err != nil {
			return err
		}
		if _, err := m.ds.Append(ctx, g, body); err != nil && !errors.Is(err, mvds.ErrDuplicateMessage) {
			return fmt.Errorf("%w: append: %w", ErrDataSync, err)
		}
	}
	return nil
}

// pairGroup is the MVDS group of our 1:1 with pub (§6.2) and pub's peer ID.
func (m *Messenger) pairGroup(pub *ecdsa.PublicKey) (mvds.GroupID, mvds.PeerID, error) {
	peer, err := mvds.ParsePeerID(crypto.FromECDSAPub(pub))
	if err != nil {
		return mvds.GroupID{}, peer, fmt.Errorf("%w: %w", ErrInvalidPublicKey, err)
	}
	g, err := mvds.OneToOneGroupID(m.selfPeer, peer)
	if err != nil {
		return g, peer, fmt.Errorf("%w: %w", ErrInvalidPublicKey, err)
	}
	return g, peer, nil
}

// mvdsTransport is the driver's Transport: it encrypts each MVDS payload
// for the peer's installations (and copies for our paired devices) and
// posts the resulting envelopes on the topic of §4.3. It runs on the
// driver goroutine and never takes Messenger.mu.
type mvdsTransport struct{ m *Messenger }

// Send implements datasync.Transport. The packet names the MVDS messages
// it carries, so the status message IDs for delivery tracking come from
// there; the payload itself is opaque here.
func (t mvdsTransport) Send(ctx context.Context, to mvds.PeerID, pk datasync.Packet) error {
	m := t.m
	ids := m.dl.mapOutgoing(m.self, pk.Messages, pk.IDs)
	peer, err := crypto.UnmarshalPubkey(to[:])
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidPublicKey, err)
	}
	outs, err := m.enc.SendDirect(m.cfg.Now(), m.rand, peer, pk.Payload)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrEncryption, err)
	}
	for _, o := range outs {
		carried := ids
		if o.Recipient.X.Cmp(m.self.X) == 0 && o.Recipient.Y.Cmp(m.self.Y) == 0 {
			if len(pk.Messages) == 0 {
				continue // ACK-only payload: our devices do not need it
			}
			carried = nil // a copy reaching our own devices says nothing about delivery
		}
		if err := m.postDirect(ctx, o, carried); err != nil {
			return err
		}
	}
	return nil
}

// postDirect posts one encryption-layer message on its route and on each
// of the route's Also routes (§4.3): symmetric with the negotiated key,
// else asymmetric to the recipient.
func (m *Messenger) postDirect(ctx context.Context, o *encryption.Outgoing, ids []string) error {
	for _, r := range append([]encryption.Route{o.Route}, o.Route.Also...) {
		env := Envelope{Topic: whisper.Topic(r.Topic), Payload: o.Payload}
		if r.Kind == encryption.TopicNegotiated {
			k, err := m.keys.get(r.Name)
			if err != nil {
				return err
			}
			env.SymKey = &k
		} else {
			env.PubKey = o.Recipient
		}
		if err := m.post(ctx, env, ids); err != nil {
			return err
		}
	}
	return nil
}
