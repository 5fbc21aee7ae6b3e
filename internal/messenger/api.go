package messenger

import (
	"context"
	"crypto/ecdsa"
	"fmt"

	"github.com/statusnode/statusd/protocol/message"
)

// This file is the coordinator's API: each method checks that the
// messenger runs and calls the part that owns what it changes.

// Groups returns the private group part (CreateGroup, AddMembers, …).
func (m *Messenger) Groups() *Groups { return m.groups }

// Pairing returns the installations part (Installations, pairing, p1/p2,
// our bundle).
func (m *Messenger) Pairing() *Pairing { return m.pairing }

// Subscribe returns a subscription to the event bus with a channel of the
// given capacity (0: 256). Events published while the channel is full are
// lost for that subscriber and counted (EventSubscription.Dropped).
func (m *Messenger) Subscribe(capacity int) *EventSubscription { return m.c.bus.Subscribe(capacity) }

// ChatKey returns our chat key (public identity key) as 0x04… hex.
func (m *Messenger) ChatKey() string { return m.c.selfHex }

// InstallationID returns this device's installation ID (after Start).
func (m *Messenger) InstallationID() string {
	m.mu.Lock()
	st := m.state
	m.mu.Unlock()
	if st == stateNew || st == stateStarting || m.c.enc == nil {
		return ""
	}
	return m.c.enc.InstallationID()
}

// JoinPublic opens (or reopens) the public chat name and subscribes to its
// topic keccak256(name)[:4] with key PBKDF2(name) (§4.1, §4.2).
func (m *Messenger) JoinPublic(name string) (*Chat, error) {
	if err := m.running(); err != nil {
		return nil, err
	}
	return m.public.join(name)
}

// LeavePublic unsubscribes from the public chat and marks it inactive;
// its messages stay until DeleteChat.
func (m *Messenger) LeavePublic(name string) error {
	if err := m.running(); err != nil {
		return err
	}
	return m.public.leave(name)
}

// StartOneToOne opens the 1:1 chat with pubKey (0x04… hex): the chat ID is
// the key; we listen on its contact-code and our negotiated topic and make
// it an MVDS peer.
func (m *Messenger) StartOneToOne(pubKey string) (*Chat, error) {
	pub, err := parsePubKey(pubKey)
	if err != nil {
		return nil, err
	}
	if err := m.running(); err != nil {
		return nil, err
	}
	ch, changed, err := m.direct.open(pub)
	if err != nil {
		return nil, err
	}
	if changed {
		m.c.publish(ChatEvent{Chat: *ch})
	}
	return ch, nil
}

// Send sends a chat message of any 2019 kind and returns its message ID
// (§1.10). A Draft of text, emoji, sticker, reply or command is built as
// status-react built that kind (with our ENS name on text and emoji when
// Config.ENSName is set), with the chat's next Lamport clock; a Draft
// with a Payload sends the chat message a caller built as given (see
// Draft.Payload). The message is validated as a receiver would (an invalid
// one is ErrInvalidMessage naming the rule), wrapped and signed (v1
// wrapper, §1.2, unless every recipient reads bare payloads), and stored as
// queued before anything is sent. Public chats post it symmetric on the
// chat topic (not MVDS, §6.4); 1:1 and group chats append it to the MVDS
// group of each recipient, and the driver sends it encrypted (§3.5) on the
// topic of §4.3. It blocks until the message is persisted and handed to the
// Transport (public) or to MVDS (1:1, group). The work runs on one of the
// messenger's send workers (sendpool.go): a ctx that ends while every
// worker is busy returns ctx's error, nothing sent.
//
// Durability: Send returns once the message is written to the database,
// not synced (storage.Sync). A crash of the process loses nothing. A 1:1
// or group message is synced before it leaves (with the ratchet state that
// encrypted it; core.syncBeforeLeaving), so a power loss or kernel crash
// cannot take from the history a message a peer received. Any message is
// synced at the latest about a second after Send returned (sendsync.go:
// one fsync for the sends of that second), so a power loss within that
// second may take a message that had not left yet from the history and
// the outbox. Syncing before Send returns cost 10–26 % of the 1:1
// benchmark's rate and 15–40 % more sender CPU per message. See
// storage/doc.go.
func (m *Messenger) Send(ctx context.Context, chatID string, d Draft) (string, error) {
	if err := m.running(); err != nil {
		return "", err
	}
	var id string
	var err error
	if perr := m.sends.do(ctx, m.quit, func() { id, err = m.send(ctx, chatID, d) }); perr != nil {
		return "", perr
	}
	return id, err
}

// send is Send's work, run on a send worker (sendpool.go).
func (m *Messenger) send(ctx context.Context, chatID string, d Draft) (string, error) {
	if len(d.Payload) > 0 {
		return m.sendPayload(ctx, chatID, d.Payload)
	}
	out, evs, err := m.chats.storeDraft(chatID, d)
	return m.sendOut(ctx, out, evs, err)
}

// sendPayload is Send of a caller-built payload (Draft.Payload).
func (m *Messenger) sendPayload(ctx context.Context, to string, raw []byte) (string, error) {
	p, err := message.Decode(raw)
	if err != nil {
		return "", invalidMessage(err)
	}
	cm, ok := p.(*message.ChatMessage)
	if !ok {
		return "", fmt.Errorf("%w: rule %s: %s is not a chat message", ErrInvalidMessage, message.RuleUnsupported, p.TransitTag())
	}
	chatID := to
	if cm.MessageType == message.TypePrivateGrp {
		chatID = cm.Content.ChatID
		if ch := m.chats.get(chatID); ch == nil || ch.Type != ChatPrivateGroup || !ch.Active {
			return "", fmt.Errorf("%w: %.80q", ErrNotMember, chatID)
		}
	}
	out, evs, err := m.chats.storePayload(chatID, raw, cm)
	return m.sendOut(ctx, out, evs, err)
}

// sendOut publishes what storing a message produced and hands it to the
// part that sends it (nothing for a payload already sent).
func (m *Messenger) sendOut(ctx context.Context, out *outgoing, evs []Event, err error) (string, error) {
	if err != nil {
		return "", err
	}
	m.c.sendSync.stored()
	m.c.publish(evs...)
	switch {
	case out.dup:
		return out.id, nil
	case out.public != "":
		return out.id, m.public.send(ctx, out)
	}
	return out.id, m.direct.sendStored(ctx, out)
}

// Chats returns every chat, newest activity first. The values are copies.
func (m *Messenger) Chats() []*Chat { return m.chats.all() }

// Chat returns one chat.
func (m *Messenger) Chat(id string) (*Chat, error) {
	if ch := m.chats.get(id); ch != nil {
		return ch, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrChatNotFound, id)
}

// MaxPageMessages is the most messages one Messages page holds: a larger
// limit gets this many, and the page's cursor continues from there, so
// that one call cannot build a reply of the whole history in memory.
const MaxPageMessages = 1000

// Messages returns up to limit messages of chatID ordered by Lamport clock,
// newest first, starting after cursor ("" = the newest), and the cursor of
// the next older page ("" at the end) — shhext_chatMessages (§7.2). A
// limit of 0 or less means 50; one above MaxPageMessages means
// MaxPageMessages.
func (m *Messenger) Messages(chatID, cursor string, limit int) (*Page, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxPageMessages)
	return m.chats.messages(chatID, cursor, limit)
}

// Message returns one stored message (Quoted filled for a reply to a
// message stored here).
func (m *Messenger) Message(id string) (*Message, error) {
	msg, err := m.c.st.message(id)
	if err == nil {
		m.c.st.quote(msg)
	}
	return msg, err
}

// MarkSeen marks messages seen and lowers their chats' unread counts.
func (m *Messenger) MarkSeen(ids ...string) error { return m.chats.markSeen(ids) }

// DeleteMessage removes a message; a retransmitted copy is not shown again.
func (m *Messenger) DeleteMessage(id string) error { return m.chats.deleteMessage(id) }

// DeleteChat deletes a chat's messages and remembers its clock
// (deleted-at-clock-value, §1.8) so older copies are not shown again. A
// public chat is left and a 1:1 chat closed (a new message from the peer
// reopens it); a group keeps its membership state. The chat record stays,
// with its deleted-at clock.
func (m *Messenger) DeleteChat(id string) error {
	ch, err := m.chats.clear(id, func(ch *Chat) bool { return ch.Type == ChatPrivateGroup && ch.Active })
	if err != nil {
		return err
	}
	if ch.Type == ChatPublic {
		m.subs.leavePublic(ch.Name)
	}
	m.c.publish(ChatEvent{Chat: *ch, Deleted: true})
	return nil
}

// SaveContact adds (or renames) a contact: we listen on its contact-code
// topic for its bundles, and send it our ContactUpdate (c6, §1.9.1: our
// Profile) over the 1:1 path. name "" keeps the current name. For the
// contact-request flow of 2019 clients use RequestContact.
func (m *Messenger) SaveContact(ctx context.Context, pubKey, name string) (*Contact, error) {
	pub, err := parsePubKey(pubKey)
	if err != nil {
		return nil, err
	}
	if err := m.running(); err != nil {
		return nil, err
	}
	if err := m.direct.ensurePeer(pub); err != nil {
		return nil, err
	}
	body, _, err := m.c.encodeFor(m.profile.contactMessage(message.TagContactUpdate), []string{pubKey})
	if err != nil {
		return nil, err
	}
	ct, err := m.contacts.save(pubKey, name)
	if err != nil {
		return nil, err
	}
	m.c.publish(ContactEvent{Contact: *ct})
	return ct, m.c.appendDirect(ctx, []*ecdsa.PublicKey{pub}, body)
}

// BlockContact blocks a contact: its messages and contact messages are
// dropped from now on (counted as "blocked"), its 1:1 chat is deleted and
// left, and its messages in every other chat are deleted, as status-go
// v0.35 did (a retransmitted copy is not shown again).
func (m *Messenger) BlockContact(pubKey string) (*Contact, error) {
	if _, err := parsePubKey(pubKey); err != nil {
		return nil, err
	}
	if err := m.running(); err != nil {
		return nil, err
	}
	ct, err := m.contacts.block(pubKey)
	if err != nil {
		return nil, err
	}
	m.c.publish(ContactEvent{Contact: *ct})
	if m.chats.get(pubKey) != nil {
		if _, err := m.chats.clear(pubKey, func(*Chat) bool { return false }); err != nil {
			return nil, err
		}
	}
	return ct, m.chats.deleteFrom(pubKey)
}

// Contacts returns every known contact, sorted by ID. Values are copies.
func (m *Messenger) Contacts() []*Contact { return m.contacts.list() }

// DeliveryState returns the delivery record of an outgoing message.
func (m *Messenger) DeliveryState(id string) (*Delivery, error) { return m.c.dl.state(id) }
