package statusd

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/lib/eventbus"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/transport/whisper"
)

// Chat keys the fake knows: ours (the key of private key 0x11…11) and two
// others.
const (
	selfKey  = "0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1"
	aliceKey = "0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"
	bobKey   = "0x046f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0"
)

var (
	chatName = regexp.MustCompile(`^[a-z0-9-]+$`)
	chatKey  = regexp.MustCompile(`^0x04[0-9a-f]{128}$`)
)

// fakeMessenger is a hand-written Messenger: chats, messages, contacts and
// installations in maps, with the messenger's sentinel errors and
// deterministic IDs, clocks and times. err, when set, fails every call that
// can fail (a stopped messenger).
type fakeMessenger struct {
	bus *eventbus.Bus[messenger.Event]

	mu       sync.Mutex
	err      error
	n        int64 // IDs, clocks and times
	chats    map[string]*messenger.Chat
	msgs     []*messenger.Message // in sending order
	del      map[string]*messenger.Delivery
	contacts map[string]*messenger.Contact
	insts    []messenger.Installation
	calls    []string
	profile  messenger.Profile // as set
}

var _ Messenger = (*fakeMessenger)(nil)

func newFakeMessenger() *fakeMessenger {
	return &fakeMessenger{
		bus:      eventbus.New[messenger.Event](16),
		chats:    map[string]*messenger.Chat{},
		del:      map[string]*messenger.Delivery{},
		contacts: map[string]*messenger.Contact{},
		insts: []messenger.Installation{
			{ID: "inst-self", Enabled: true, Own: true, Metadata: encryption.InstallationMetadata{Name: "laptop", DeviceType: "desktop"}},
			{ID: "inst-phone", Timestamp: 1700000000000000000, Metadata: encryption.InstallationMetadata{Name: "phone", DeviceType: "ios", FCMToken: "tok"}},
		},
	}
}

func (f *fakeMessenger) fail() error {
	return f.err
}

func (f *fakeMessenger) ChatKey() string        { return selfKey }
func (f *fakeMessenger) InstallationID() string { return "inst-self" }

func (f *fakeMessenger) ContactCode() ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return nil, err
	}
	return []byte{0x0a, 0x01, 0x02}, nil
}

func (f *fakeMessenger) tick() int64 { f.n++; return f.n }

func copyChat(c *messenger.Chat) *messenger.Chat {
	cc := *c
	cc.Members = append([]string(nil), c.Members...)
	cc.Admins = append([]string(nil), c.Admins...)
	cc.Joined = append([]string(nil), c.Joined...)
	return &cc
}

func (f *fakeMessenger) JoinPublic(name string) (*messenger.Chat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return nil, err
	}
	if !chatName.MatchString(name) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidChatName, name)
	}
	c := f.chats[name]
	if c == nil {
		c = &messenger.Chat{ID: name, Type: messenger.ChatPublic, Name: name}
		f.chats[name] = c
	}
	c.Active = true
	return copyChat(c), nil
}

func (f *fakeMessenger) LeavePublic(name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return err
	}
	c := f.chats[name]
	if c == nil || c.Type != messenger.ChatPublic {
		return fmt.Errorf("%w: %q", messenger.ErrChatNotFound, name)
	}
	c.Active = false
	return nil
}

func (f *fakeMessenger) StartOneToOne(pubKey string) (*messenger.Chat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return nil, err
	}
	if !chatKey.MatchString(pubKey) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, pubKey)
	}
	c := f.chats[pubKey]
	if c == nil {
		c = &messenger.Chat{ID: pubKey, Type: messenger.ChatOneToOne, Active: true}
		f.chats[pubKey] = c
	}
	return copyChat(c), nil
}

func (f *fakeMessenger) CreateGroup(ctx context.Context, name string, members []string) (*messenger.Chat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return nil, err
	}
	for _, m := range members {
		if !chatKey.MatchString(m) {
			return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, m)
		}
	}
	id := fmt.Sprintf("group-%d-%s", f.tick(), selfKey)
	c := &messenger.Chat{ID: id, Type: messenger.ChatPrivateGroup, Name: name, Active: true,
		Members: append([]string{selfKey}, members...), Admins: []string{selfKey}}
	f.chats[id] = c
	return copyChat(c), nil
}

// group runs fn on the group chatID after the messenger's checks.
func (f *fakeMessenger) group(chatID, member string, fn func(c *messenger.Chat) error) (*messenger.Chat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return nil, err
	}
	c := f.chats[chatID]
	if c == nil || c.Type != messenger.ChatPrivateGroup {
		return nil, fmt.Errorf("%w: %q", messenger.ErrChatNotFound, chatID)
	}
	if member != "" && !chatKey.MatchString(member) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, member)
	}
	if err := fn(c); err != nil {
		return nil, err
	}
	return copyChat(c), nil
}

func (f *fakeMessenger) AddMembers(ctx context.Context, chatID string, members ...string) (*messenger.Chat, error) {
	for _, m := range members {
		if !chatKey.MatchString(m) {
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

func (f *fakeMessenger) Chats() []*messenger.Chat {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*messenger.Chat, 0, len(f.chats))
	for _, c := range f.chats {
		out = append(out, copyChat(c))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].LastMessageAt != out[j].LastMessageAt {
			return out[i].LastMessageAt > out[j].LastMessageAt
		}
		return out[i].ID < out[j].ID
	})
	return out
}

func (f *fakeMessenger) Chat(id string) (*messenger.Chat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.chats[id]
	if c == nil {
		return nil, fmt.Errorf("%w: %q", messenger.ErrChatNotFound, id)
	}
	return copyChat(c), nil
}

func (f *fakeMessenger) SendText(ctx context.Context, chatID, text string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return "", err
	}
	c := f.chats[chatID]
	if c == nil {
		return "", fmt.Errorf("%w: %q", messenger.ErrChatNotFound, chatID)
	}
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("%w: blank text", messenger.ErrInvalidMessage)
	}
	n := f.tick()
	m := &messenger.Message{ID: fmt.Sprintf("0x%064x", n), ChatID: chatID, From: selfKey, Text: text,
		ContentType: "text/plain", MessageType: "public-group-user-message", Clock: 1700000000000 + n,
		Timestamp: 1700000000000 + n, ReceivedAt: 1700000000000 + n, Outgoing: true, Seen: true,
		Delivery: messenger.DeliveryQueued}
	if c.Type == messenger.ChatOneToOne {
		m.MessageType = "user-message"
	}
	f.msgs = append(f.msgs, m)
	c.LastClock, c.LastMessageAt = m.Clock, m.ReceivedAt
	d := &messenger.Delivery{MessageID: m.ID, ChatID: chatID, State: messenger.DeliveryQueued, UpdatedAt: m.ReceivedAt}
	if c.Type != messenger.ChatPublic {
		d.Recipients = map[string]bool{}
		for _, k := range append([]string{c.ID}, c.Members...) {
			if chatKey.MatchString(k) && k != selfKey {
				d.Recipients[k] = false
			}
		}
	}
	f.del[m.ID] = d
	return m.ID, nil
}

// receive stores a message from someone else (for the tests' "!!" steps).
func (f *fakeMessenger) receive(chatID, from, text string) *messenger.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := f.tick()
	m := &messenger.Message{ID: fmt.Sprintf("0x%064x", n), ChatID: chatID, From: from, Text: text,
		ContentType: "text/plain", MessageType: "public-group-user-message", Clock: 1700000000000 + n,
		Timestamp: 1700000000000 + n - 5, ReceivedAt: 1700000000000 + n, ResponseTo: fmt.Sprintf("0x%064x", n-1)}
	f.msgs = append(f.msgs, m)
	if c := f.chats[chatID]; c != nil {
		c.Unread++
	}
	cp := *m
	return &cp
}

func (f *fakeMessenger) Messages(chatID, cursor string, limit int) (*messenger.Page, error) {
	if limit <= 0 {
		limit = 50
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.chats[chatID] == nil {
		return nil, fmt.Errorf("%w: %q", messenger.ErrChatNotFound, chatID)
	}
	start := len(f.msgs) - 1
	if cursor != "" {
		var ok bool
		for i, m := range f.msgs {
			if "c"+m.ID == cursor {
				start, ok = i-1, true
			}
		}
		if !ok {
			return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidCursor, cursor)
		}
	}
	p := &messenger.Page{}
	for i := start; i >= 0; i-- {
		if f.msgs[i].ChatID != chatID {
			continue
		}
		if len(p.Messages) == limit {
			p.Cursor = "c" + p.Messages[limit-1].ID
			break
		}
		cp := *f.msgs[i]
		p.Messages = append(p.Messages, &cp)
	}
	return p, nil
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
	f.mu.Lock()
	if c := f.chats[chatID]; c != nil && c.Type == messenger.ChatOneToOne {
		cm.MessageType = message.TypeOneToOne
	}
	f.mu.Unlock()
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
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.msgs[len(f.msgs)-1]
	m.Text, m.ContentType, m.ResponseTo, m.Content = cm.Content.Text, string(cm.ContentType), cm.Content.ReplyTo(), cm.Content
	for _, q := range f.msgs {
		if q.ID == m.ResponseTo {
			m.Quoted = &messenger.Quoted{ID: q.ID, From: q.From, Text: q.Text, ContentType: q.ContentType}
		}
	}
	return id, nil
}

func (f *fakeMessenger) Message(id string) (*messenger.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.msgs {
		if m.ID == id {
			cp := *m
			return &cp, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", messenger.ErrMessageNotFound, id)
}

func (f *fakeMessenger) DeliveryState(id string) (*messenger.Delivery, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	d := f.del[id]
	if d == nil {
		return nil, fmt.Errorf("%w: no delivery record for %s", messenger.ErrMessageNotFound, id)
	}
	cp := *d
	return &cp, nil
}

func (f *fakeMessenger) SaveContact(ctx context.Context, pubKey, name string) (*messenger.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return nil, err
	}
	if !chatKey.MatchString(pubKey) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, pubKey)
	}
	c := f.contacts[pubKey]
	if c == nil {
		c = &messenger.Contact{ID: pubKey}
		f.contacts[pubKey] = c
	}
	c.Name, c.Added = name, true
	cp := *c
	return &cp, nil
}

func (f *fakeMessenger) contactLocked(pubKey string) (*messenger.Contact, error) {
	if err := f.fail(); err != nil {
		return nil, err
	}
	if !chatKey.MatchString(pubKey) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, pubKey)
	}
	c := f.contacts[pubKey]
	if c == nil {
		c = &messenger.Contact{ID: pubKey}
		f.contacts[pubKey] = c
	}
	return c, nil
}

func (f *fakeMessenger) RequestContact(ctx context.Context, pubKey string) (*messenger.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.contactLocked(pubKey)
	if err != nil {
		return nil, err
	}
	c.Added, c.Blocked = true, false
	cp := *c
	return &cp, nil
}

func (f *fakeMessenger) AcceptContact(ctx context.Context, pubKey string) (*messenger.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.contacts[pubKey]; c == nil || !c.RequestReceived {
		return nil, fmt.Errorf("%w: %.12s", messenger.ErrNoContactRequest, pubKey)
	}
	c, err := f.contactLocked(pubKey)
	if err != nil {
		return nil, err
	}
	c.Added = true
	cp := *c
	return &cp, nil
}

func (f *fakeMessenger) BlockContact(pubKey string) (*messenger.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.contactLocked(pubKey)
	if err != nil {
		return nil, err
	}
	c.Added, c.Blocked = false, true
	cp := *c
	return &cp, nil
}

// requestFrom records a contact request from pubKey (for the "!!" steps).
func (f *fakeMessenger) requestFrom(pubKey, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, _ := f.contactLocked(pubKey)
	c.Name, c.RequestReceived, c.LastUpdated = name, true, 1700000000123
}

// fakeIdenticon stands for our identicon in the fake's profile.
const fakeIdenticon = "data:image/png;base64,AAAA"

func (f *fakeMessenger) Profile() messenger.Profile {
	f.mu.Lock()
	defer f.mu.Unlock()
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
	f.mu.Lock()
	if err := f.fail(); err != nil {
		f.mu.Unlock()
		return messenger.Profile{}, err
	}
	f.profile = messenger.Profile{Name: name, Image: image, NameSet: name != "", ImageSet: image != ""}
	f.mu.Unlock()
	return f.Profile(), nil
}

func (f *fakeMessenger) Contacts() []*messenger.Contact {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]*messenger.Contact, 0, len(f.contacts))
	for _, c := range f.contacts {
		cp := *c
		out = append(out, &cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func (f *fakeMessenger) Installations() ([]messenger.Installation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return nil, err
	}
	return append([]messenger.Installation{}, f.insts...), nil
}

func (f *fakeMessenger) EnableInstallation(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail(); err != nil {
		return err
	}
	for i := range f.insts {
		if f.insts[i].ID == id {
			f.insts[i].Enabled = true
			return nil
		}
	}
	return fmt.Errorf("%w: %s", encryption.ErrInstallationNotFound, id)
}

func (f *fakeMessenger) record(call string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, call)
	return f.fail()
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
