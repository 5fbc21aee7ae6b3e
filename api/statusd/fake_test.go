package statusd

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/messengertest"
	"github.com/statusnode/statusd/lib/eventbus"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/transport/whisper"
)

// Chat keys the fake knows: ours and two others.
const (
	selfKey  = messengertest.SelfKey
	aliceKey = messengertest.AliceKey
	bobKey   = messengertest.BobKey
)

// fakeMessenger is the shared fake messenger with what statusd needs
// beside it: delivery records, an event bus, a profile, the group and
// contact-request calls, and the calls it only records. Its fields other
// than bus are guarded by the shared fake's Mu.
type fakeMessenger struct {
	*messengertest.Messenger
	bus *eventbus.Bus[messenger.Event]

	del     map[string]*messenger.Delivery
	calls   []string
	profile messenger.Profile // as set
}

var _ Messenger = (*fakeMessenger)(nil)

func newFakeMessenger() *fakeMessenger {
	return &fakeMessenger{
		Messenger: messengertest.New(),
		bus:       eventbus.New[messenger.Event](16),
		del:       map[string]*messenger.Delivery{},
	}
}

func (f *fakeMessenger) InstallationID() string { return "inst-self" }

func (f *fakeMessenger) ContactCode() ([]byte, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return nil, f.Err
	}
	return []byte{0x0a, 0x01, 0x02}, nil
}

func (f *fakeMessenger) CreateGroup(ctx context.Context, name string, members []string) (*messenger.Chat, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return nil, f.Err
	}
	for _, m := range members {
		if !messengertest.ValidChatKey(m) {
			return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, m)
		}
	}
	id := fmt.Sprintf("group-%d-%s", f.TickLocked(), selfKey)
	c := &messenger.Chat{ID: id, Type: messenger.ChatPrivateGroup, Name: name, Active: true,
		Members: append([]string{selfKey}, members...), Admins: []string{selfKey}}
	f.ChatsByID[id] = c
	return messengertest.CopyChat(c), nil
}

// group runs fn on the group chatID after the messenger's checks.
func (f *fakeMessenger) group(chatID, member string, fn func(c *messenger.Chat) error) (*messenger.Chat, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return nil, f.Err
	}
	c := f.ChatsByID[chatID]
	if c == nil || c.Type != messenger.ChatPrivateGroup {
		return nil, fmt.Errorf("%w: %q", messenger.ErrChatNotFound, chatID)
	}
	if member != "" && !messengertest.ValidChatKey(member) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, member)
	}
	if err := fn(c); err != nil {
		return nil, err
	}
	return messengertest.CopyChat(c), nil
}

func (f *fakeMessenger) AddMembers(ctx context.Context, chatID string, members ...string) (*messenger.Chat, error) {
	for _, m := range members {
		if !messengertest.ValidChatKey(m) {
			return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, m)
		}
	}
	return f.group(chatID, "", func(c *messenger.Chat) error { c.Members = append(c.Members, members...); return nil })
}

func (f *fakeMessenger) RemoveMember(ctx context.Context, chatID, member string) (*messenger.Chat, error) {
	return f.group(chatID, member, func(c *messenger.Chat) error {
		for i, m := range c.Members {
			if m == member {
				c.Members = append(c.Members[:i], c.Members[i+1:]...)
				return nil
			}
		}
		return fmt.Errorf("%w: %s", messenger.ErrNotMember, member)
	})
}

func (f *fakeMessenger) MakeAdmin(ctx context.Context, chatID, member string) (*messenger.Chat, error) {
	return f.group(chatID, member, func(c *messenger.Chat) error {
		if member == selfKey {
			return fmt.Errorf("%w: already an admin", messenger.ErrNotAllowed)
		}
		c.Admins = append(c.Admins, member)
		return nil
	})
}

func (f *fakeMessenger) Rename(ctx context.Context, chatID, name string) (*messenger.Chat, error) {
	return f.group(chatID, "", func(c *messenger.Chat) error { c.Name = name; return nil })
}

func (f *fakeMessenger) LeaveGroup(ctx context.Context, chatID string) (*messenger.Chat, error) {
	return f.group(chatID, "", func(c *messenger.Chat) error { c.Active = false; return nil })
}

// JoinGroup and DeclineGroup act on a group as the messenger does for an
// invitation (a test sets Membership "invited" first).
func (f *fakeMessenger) JoinGroup(ctx context.Context, chatID string) (*messenger.Chat, error) {
	return f.group(chatID, "", func(c *messenger.Chat) error {
		if !c.Active {
			return fmt.Errorf("%w: %q", messenger.ErrNotMember, chatID)
		}
		if c.Membership != "joined" {
			c.Membership, c.Joined = "joined", append(c.Joined, selfKey)
		}
		return nil
	})
}

func (f *fakeMessenger) DeclineGroup(ctx context.Context, chatID string) (*messenger.Chat, error) {
	return f.group(chatID, "", func(c *messenger.Chat) error {
		if c.Membership == "joined" {
			return fmt.Errorf("%w: already joined", messenger.ErrNotAllowed)
		}
		c.Active, c.Membership = false, "declined"
		c.Members = slices.DeleteFunc(c.Members, func(k string) bool { return k == selfKey })
		return nil
	})
}

// SendText stores the text as the shared fake does, queued, with a
// delivery record waiting for every other member of a private chat.
func (f *fakeMessenger) SendText(ctx context.Context, chatID, text string) (string, error) {
	return f.SendTextWith(chatID, text, func(m *messenger.Message, c *messenger.Chat) {
		m.Delivery = messenger.DeliveryQueued
		d := &messenger.Delivery{MessageID: m.ID, ChatID: chatID, State: messenger.DeliveryQueued, UpdatedAt: m.ReceivedAt}
		if c.Type != messenger.ChatPublic {
			d.Recipients = map[string]bool{}
			for _, k := range append([]string{c.ID}, c.Members...) {
				if messengertest.ValidChatKey(k) && k != selfKey {
					d.Recipients[k] = false
				}
			}
		}
		f.del[m.ID] = d
	})
}

// Send stores a plain text draft as SendText (the fake's text path);
// otherwise it builds the draft's content with protocol/message's builders,
// validates it as the messenger does and stores it like SendText (the
// real composition is tested in internal/messenger).
func (f *fakeMessenger) Send(ctx context.Context, chatID string, d messenger.Draft) (string, error) {
	if d.ContentType == "" && d.ReplyTo == "" {
		return f.SendText(ctx, chatID, d.Text)
	}
	cm := &message.ChatMessage{ContentType: d.ContentType, MessageType: message.TypePublicGroup,
		Clock: 1700000000000, Timestamp: 1700000000000}
	f.Mu.Lock()
	if c := f.ChatsByID[chatID]; c != nil && c.Type == messenger.ChatOneToOne {
		cm.MessageType = message.TypeOneToOne
	}
	f.Mu.Unlock()
	switch d.ContentType {
	case message.ContentSticker:
		cm.Content = message.StickerContent(chatID, d.StickerHash, d.StickerPack)
	case message.ContentCommand, message.ContentCommandRequest:
		name := message.CommandSend
		if d.ContentType == message.ContentCommandRequest {
			name = message.CommandRequest
		}
		var err error
		if cm.Content, cm.ContentType, err = message.CommandContent(chatID, name, d.Params); err != nil {
			return "", fmt.Errorf("%w: %w", messenger.ErrInvalidMessage, err)
		}
	default:
		if cm.ContentType == "" {
			cm.ContentType = message.ContentText
		}
		cm.Content = message.TextContent(chatID, d.Text)
	}
	if d.ReplyTo != "" {
		cm.Content.SetReply(d.ReplyTo)
	}
	self := parseChatKey(selfKey)
	if _, err := message.Validate(cm, message.Context{Now: time.UnixMilli(1700000000000), Author: self, Self: self}); err != nil {
		return "", fmt.Errorf("%w: rule %s: %w", messenger.ErrInvalidMessage, message.RuleOf(err), err)
	}
	id, err := f.SendText(ctx, chatID, "draft")
	if err != nil {
		return "", err
	}
	f.Mu.Lock()
	defer f.Mu.Unlock()
	m := f.Msgs[len(f.Msgs)-1]
	m.Text, m.ContentType, m.ResponseTo, m.Content = cm.Content.Text, string(cm.ContentType), cm.Content.ReplyTo(), cm.Content
	for _, q := range f.Msgs {
		if q.ID == m.ResponseTo {
			m.Quoted = &messenger.Quoted{ID: q.ID, From: q.From, Text: q.Text, ContentType: q.ContentType}
		}
	}
	return id, nil
}

func (f *fakeMessenger) DeliveryState(id string) (*messenger.Delivery, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	d := f.del[id]
	if d == nil {
		return nil, fmt.Errorf("%w: no delivery record for %s", messenger.ErrMessageNotFound, id)
	}
	cp := *d
	return &cp, nil
}

func (f *fakeMessenger) SaveContact(ctx context.Context, pubKey, name string) (*messenger.Contact, error) {
	return f.UpdateContact(pubKey, func(c *messenger.Contact) { c.Name, c.Added = name, true })
}

func (f *fakeMessenger) RequestContact(ctx context.Context, pubKey string) (*messenger.Contact, error) {
	return f.UpdateContact(pubKey, func(c *messenger.Contact) { c.Added, c.Blocked = true, false })
}

func (f *fakeMessenger) AcceptContact(ctx context.Context, pubKey string) (*messenger.Contact, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if c := f.ContactsByKey[pubKey]; c == nil || !c.RequestReceived {
		return nil, fmt.Errorf("%w: %.12s", messenger.ErrNoContactRequest, pubKey)
	}
	c, err := f.ContactLocked(pubKey)
	if err != nil {
		return nil, err
	}
	c.Added = true
	cp := *c
	return &cp, nil
}

func (f *fakeMessenger) BlockContact(pubKey string) (*messenger.Contact, error) {
	return f.UpdateContact(pubKey, func(c *messenger.Contact) { c.Added, c.Blocked = false, true })
}

// requestFrom records a contact request from pubKey (for the "!!" steps).
func (f *fakeMessenger) requestFrom(pubKey, name string) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	c, _ := f.ContactLocked(pubKey)
	c.Name, c.RequestReceived, c.LastUpdated = name, true, 1700000000123
}

// fakeIdenticon stands for our identicon in the fake's profile.
const fakeIdenticon = "data:image/png;base64,AAAA"

func (f *fakeMessenger) Profile() messenger.Profile {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	p := f.profile
	if p.Name == "" {
		p.Name = "Selfish Fake Alias"
	}
	if p.Image == "" {
		p.Image = fakeIdenticon
	}
	return p
}

// SetProfile applies the messenger's rules: the image's rule, a name
// without control characters.
func (f *fakeMessenger) SetProfile(ctx context.Context, name, image string) (messenger.Profile, error) {
	if err := message.CheckProfileImage(image); err != nil {
		return messenger.Profile{}, fmt.Errorf("%w: image: rule %s: %w", messenger.ErrInvalidProfile, message.RuleOf(err), err)
	}
	if strings.ContainsRune(name, 0) {
		return messenger.Profile{}, fmt.Errorf("%w: name is not printable UTF-8", messenger.ErrInvalidProfile)
	}
	f.Mu.Lock()
	if f.Err != nil {
		f.Mu.Unlock()
		return messenger.Profile{}, f.Err
	}
	f.profile = messenger.Profile{Name: name, Image: image, NameSet: name != "", ImageSet: image != ""}
	f.Mu.Unlock()
	return f.Profile(), nil
}

func (f *fakeMessenger) record(call string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.calls = append(f.calls, call)
	return f.Err
}

func (f *fakeMessenger) SendPairInstallation(ctx context.Context) error { return f.record("pair") }
func (f *fakeMessenger) SyncDevices(ctx context.Context) error          { return f.record("sync") }
func (f *fakeMessenger) PublishBundle() error                           { return f.record("bundle") }

func (f *fakeMessenger) Subscribe(capacity int) *messenger.EventSubscription {
	return f.bus.Subscribe(capacity)
}

// fakeRouter is a Router with three peers and events published by the
// test.
type fakeRouter struct {
	bus *eventbus.Bus[whisper.Event]
}

func (r *fakeRouter) PeerCount() int { return 3 }

func (r *fakeRouter) SubscribeEvents(capacity int) *whisper.EventSubscription {
	return r.bus.Subscribe(capacity)
}

var peerID = enode.HexID("0x3f4a6e1cc2b7d9e0a8f5b1c4d7e2a9f6b3c8d5e0a7f4b1c6d3e8a5f2b9c6d3e0")

// newFakeServer registers the namespace over fakes on an in-process server;
// all is stopped when t ends.
func newFakeServer(t *testing.T) (*rpc.Server, *fakeMessenger, *fakeRouter, *Service) {
	t.Helper()
	m, r := newFakeMessenger(), &fakeRouter{bus: eventbus.New[whisper.Event](16)}
	svc := New(m, r)
	srv := rpc.NewServer()
	if err := srv.RegisterName("statusd", svc.API()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop(); svc.Close() })
	return srv, m, r, svc
}
