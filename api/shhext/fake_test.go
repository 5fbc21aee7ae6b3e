package shhext

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/api"
	mailapi "github.com/statusnode/statusd/api/mailserver"
	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// Chat keys the fake knows: ours (the key of private key 0x11…11) and two
// others.
const (
	selfKey  = "0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1"
	aliceKey = "0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"
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
	mu        sync.Mutex
	err       error
	n         int64
	chats     map[string]*messenger.Chat
	msgs      []*messenger.Message
	contacts  map[string]*messenger.Contact
	insts     []messenger.Installation
	deleteErr error         // DeleteMessage fails with it (after the checks)
	pairing   []pairingSend // SendPairingMessage's calls, in order
}

// pairingSend is one pairing payload the fake was asked to send.
type pairingSend struct {
	Tag string
	DH  bool
}

var _ Messenger = (*fakeMessenger)(nil)

func newFakeMessenger() *fakeMessenger {
	return &fakeMessenger{
		chats:    map[string]*messenger.Chat{},
		contacts: map[string]*messenger.Contact{},
		insts: []messenger.Installation{
			{ID: "inst-self", Enabled: true, Own: true, Metadata: encryption.InstallationMetadata{Name: "laptop", DeviceType: "desktop"}},
			{ID: "inst-phone", Timestamp: 1700000000000000000, Metadata: encryption.InstallationMetadata{Name: "phone", DeviceType: "ios", FCMToken: "tok"}},
		},
	}
}

func (f *fakeMessenger) ChatKey() string { return selfKey }

func copyChat(c *messenger.Chat) *messenger.Chat {
	cc := *c
	cc.Members = append([]string(nil), c.Members...)
	cc.Admins = append([]string(nil), c.Admins...)
	return &cc
}

func (f *fakeMessenger) JoinPublic(name string) (*messenger.Chat, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
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
	if f.err != nil {
		return f.err
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
	if f.err != nil {
		return nil, f.err
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

// addGroup adds a private group chat (for the tests' "!!" steps).
func (f *fakeMessenger) addGroup(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.chats[id] = &messenger.Chat{ID: id, Type: messenger.ChatPrivateGroup, Name: "friends", Active: true,
		LastClock: 12, DeletedAtClock: 3, Unread: 2, LastMessageAt: 1700000000500,
		Members: []string{selfKey, aliceKey}, Admins: []string{aliceKey}}
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

func (f *fakeMessenger) DeleteChat(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	if f.chats[id] == nil {
		return fmt.Errorf("%w: %q", messenger.ErrChatNotFound, id)
	}
	delete(f.chats, id)
	return nil
}

func (f *fakeMessenger) SendText(ctx context.Context, chatID, text string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", f.err
	}
	c := f.chats[chatID]
	if c == nil {
		return "", fmt.Errorf("%w: %q", messenger.ErrChatNotFound, chatID)
	}
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("%w: blank text", messenger.ErrInvalidMessage)
	}
	f.n++
	m := &messenger.Message{ID: fmt.Sprintf("0x%064x", f.n), ChatID: chatID, From: selfKey, Text: text,
		ContentType: "text/plain", MessageType: "public-group-user-message", Clock: 1700000000000 + f.n,
		Timestamp: 1700000000000 + f.n, ReceivedAt: 1700000000000 + f.n, Outgoing: true, Seen: true,
		Delivery: messenger.DeliveryState(1 + f.n%4)}
	if f.n%5 == 0 {
		m.Delivery = messenger.DeliveryNone
	}
	if c.Type == messenger.ChatOneToOne {
		m.MessageType = "user-message"
	}
	f.msgs = append(f.msgs, m)
	c.LastClock, c.LastMessageAt = m.Clock, m.ReceivedAt
	return m.ID, nil
}

// Send stores a payload draft's message as sent (the real messenger's
// validation is tested in internal/messenger): into the group its chat-id
// names for a group message, else into chat chatID.
func (f *fakeMessenger) Send(ctx context.Context, chatID string, d messenger.Draft) (string, error) {
	p, err := message.Decode(d.Payload)
	if err != nil {
		return "", fmt.Errorf("%w: %w", messenger.ErrInvalidMessage, err)
	}
	cm, ok := p.(*message.ChatMessage)
	if !ok {
		return "", fmt.Errorf("%w: not a chat message", messenger.ErrInvalidMessage)
	}
	if cm.MessageType == message.TypePrivateGrp {
		chatID = cm.Content.ChatID
	}
	id, err := f.SendText(ctx, chatID, "payload")
	if err != nil {
		return "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.msgs[len(f.msgs)-1]
	m.Text, m.ContentType, m.MessageType, m.Content = cm.Content.Text, string(cm.ContentType), string(cm.MessageType), cm.Content
	m.Clock, m.Timestamp, m.ResponseTo = cm.Clock, cm.Timestamp, cm.Content.ReplyTo()
	return id, nil
}

// receive stores a message from alice (for the tests' "!!" steps).
func (f *fakeMessenger) receive(chatID, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	f.msgs = append(f.msgs, &messenger.Message{ID: fmt.Sprintf("0x%064x", f.n), ChatID: chatID, From: aliceKey, Text: text,
		ContentType: "text/plain", MessageType: "public-group-user-message", Clock: 1700000000000 + f.n,
		Timestamp: 1700000000000 + f.n - 5, ReceivedAt: 1700000000000 + f.n, ResponseTo: fmt.Sprintf("0x%064x", f.n-1)})
	if c := f.chats[chatID]; c != nil {
		c.Unread++
	}
}

func (f *fakeMessenger) Messages(chatID, cursor string, limit int) (*messenger.Page, error) {
	if limit <= 0 {
		limit = 50
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	if f.chats[chatID] == nil {
		return nil, fmt.Errorf("%w: %q", messenger.ErrChatNotFound, chatID)
	}
	start := len(f.msgs) - 1
	if cursor != "" {
		ok := false
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

func (f *fakeMessenger) DeleteMessage(id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	for i, m := range f.msgs {
		if m.ID == id {
			if f.deleteErr != nil {
				return f.deleteErr
			}
			f.msgs = append(f.msgs[:i], f.msgs[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("%w: %s", messenger.ErrMessageNotFound, id)
}

func (f *fakeMessenger) MarkSeen(ids ...string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	for _, id := range ids {
		found := false
		for _, m := range f.msgs {
			if m.ID == id {
				m.Seen, found = true, true
			}
		}
		if !found {
			return fmt.Errorf("%w: %s", messenger.ErrMessageNotFound, id)
		}
	}
	return nil
}

func (f *fakeMessenger) SetContact(pubKey, name string, added bool) (*messenger.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	if !chatKey.MatchString(pubKey) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, pubKey)
	}
	c := f.contactLocked(pubKey)
	if name != "" {
		c.Name = name
	}
	c.Added, c.Blocked = added, false
	cp := *c
	return &cp, nil
}

func (f *fakeMessenger) contactLocked(pubKey string) *messenger.Contact {
	c := f.contacts[pubKey]
	if c == nil {
		c = &messenger.Contact{ID: pubKey}
		f.contacts[pubKey] = c
	}
	return c
}

// SendContactMessage validates as the messenger does (decode, then the
// profile-image rule), marks the contact added for a c2/c3 and returns
// the keccak256 of the payload as its ID.
func (f *fakeMessenger) SendContactMessage(ctx context.Context, pubKey string, payload []byte) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", f.err
	}
	if !chatKey.MatchString(pubKey) {
		return "", fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, pubKey)
	}
	u, err := message.Unwrap(payload)
	if err != nil {
		return "", fmt.Errorf("%w: %w", messenger.ErrInvalidMessage, err)
	}
	p, err := message.Decode(u.Payload)
	if err != nil {
		return "", fmt.Errorf("%w: rule %s: %w", messenger.ErrInvalidMessage, message.RuleOf(err), err)
	}
	ct, ok := p.(*message.Contact)
	if !ok {
		return "", fmt.Errorf("%w: %w: not a contact message", messenger.ErrInvalidMessage, message.ErrUnsupported)
	}
	if err := message.CheckProfileImage(ct.ProfileImage); err != nil {
		return "", fmt.Errorf("%w: rule %s: %w", messenger.ErrInvalidMessage, message.RuleOf(err), err)
	}
	if ct.Tag != message.TagContactUpdate {
		c := f.contactLocked(pubKey)
		c.Added, c.Blocked = true, false
	}
	return crypto.Keccak256Hash(payload).Hex(), nil
}

func (f *fakeMessenger) BlockContact(pubKey string) (*messenger.Contact, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	if !chatKey.MatchString(pubKey) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, pubKey)
	}
	c := f.contacts[pubKey]
	if c == nil {
		c = &messenger.Contact{ID: pubKey}
		f.contacts[pubKey] = c
	}
	c.Blocked, c.Added = true, false
	delete(f.chats, pubKey)
	cp := *c
	return &cp, nil
}

// addContact adds a contact seen through a contact update (for the tests'
// "!!" steps).
func (f *fakeMessenger) addContact(c messenger.Contact) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.contacts[c.ID] = &c
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
	if f.err != nil {
		return nil, f.err
	}
	return append([]messenger.Installation{}, f.insts...), nil
}

func (f *fakeMessenger) installation(id string, fn func(i *messenger.Installation)) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	for i := range f.insts {
		if f.insts[i].ID == id {
			fn(&f.insts[i])
			return nil
		}
	}
	return fmt.Errorf("%w: %s", encryption.ErrInstallationNotFound, id)
}

func (f *fakeMessenger) EnableInstallation(id string) error {
	return f.installation(id, func(i *messenger.Installation) { i.Enabled = true })
}

func (f *fakeMessenger) DisableInstallation(id string) error {
	return f.installation(id, func(i *messenger.Installation) { i.Enabled = false })
}

func (f *fakeMessenger) SetInstallationMetadata(id string, md encryption.InstallationMetadata) error {
	return f.installation(id, func(i *messenger.Installation) { i.Metadata = md })
}

// fakeKeys is a SymKeys handing out sequential IDs.
type fakeKeys struct {
	mu  sync.Mutex
	ids map[string]string // id → password
}

func (k *fakeKeys) HasSymKey(id string) bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	_, ok := k.ids[id]
	return ok
}

func (k *fakeKeys) AddSymKeyFromPassword(password string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.ids == nil {
		k.ids = map[string]string{}
	}
	id := fmt.Sprintf("sym-%d", len(k.ids)+1)
	k.ids[id] = password
	return id, nil
}

// fakePoster answers shhext_post with a fixed hash, or an error for
// symKeyID "fail" (shaped as shh_post's own errors).
type fakePoster struct {
	mu   sync.Mutex
	reqs []shh.NewMessage
}

func (p *fakePoster) Post(ctx context.Context, req shh.NewMessage) (hexutil.Bytes, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.reqs = append(p.reqs, req)
	if req.SymKeyID == "fail" {
		return nil, &api.Error{Code: api.CodeInvalidParams, Msg: "invalid params: symKeyID: whisper: key not found: symmetric key fail"}
	}
	return hexutil.Bytes{0x5f, 0x1e}, nil
}

// fakeMail answers the two history requests.
type fakeMail struct{}

func (fakeMail) RequestMessages(ctx context.Context, r mailapi.MessagesRequest) (hexutil.Bytes, error) {
	if r.MailServerPeer == "" {
		return nil, &api.Error{Code: api.CodeServer, Msg: "mailserver: no mailserver available"}
	}
	return hexutil.Bytes{0x6f, 0x1c}, nil
}

func (fakeMail) RequestMessagesSync(ctx context.Context, conf mailapi.RetryConfig, r mailapi.MessagesRequest) (mailapi.MessagesResponse, error) {
	if conf.MaxRetries > 5 {
		return mailapi.MessagesResponse{}, errors.New("mailserver: too many retries")
	}
	return mailapi.MessagesResponse{Cursor: "00ab", Error: ""}, nil
}

// fakes are a namespace's backends.
type fakes struct {
	m    *fakeMessenger
	keys *fakeKeys
	post *fakePoster
	svc  *Service
}

// newFakeServer registers the namespace over fakes on an in-process server
// (with the mailserver requester unless noMail); stopped when t ends.
func newFakeServer(t *testing.T, noMail bool) (*rpc.Server, *fakes) {
	t.Helper()
	f := &fakes{m: newFakeMessenger(), keys: &fakeKeys{}, post: &fakePoster{}}
	f.svc = New(f.m, f.keys, f.post)
	if !noMail {
		f.svc.SetMailserver(fakeMail{})
	}
	srv := rpc.NewServer()
	if err := srv.RegisterName("shhext", f.svc.ShhExt()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv, f
}

func (f *fakeMessenger) Message(id string) (*messenger.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return nil, f.err
	}
	for _, m := range f.msgs {
		if m.ID == id {
			cp := *m
			return &cp, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", messenger.ErrMessageNotFound, id)
}

// SaveMessages follows messenger.SaveMessages: stored ones take seen and
// a non-empty status, new ones need their chat.
func (f *fakeMessenger) SaveMessages(msgs []*messenger.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	for _, in := range msgs {
		if f.find(in.ID) == nil && f.chats[in.ChatID] == nil {
			return fmt.Errorf("%w: %q", messenger.ErrChatNotFound, in.ChatID)
		}
	}
	for _, in := range msgs {
		if m := f.find(in.ID); m != nil {
			m.Seen = m.Seen || in.Seen
			if in.OutgoingStatus != "" {
				m.OutgoingStatus = in.OutgoingStatus
			}
			continue
		}
		cp := *in
		cp.Outgoing = cp.From == selfKey
		f.msgs = append(f.msgs, &cp)
	}
	return nil
}

func (f *fakeMessenger) find(id string) *messenger.Message {
	for _, m := range f.msgs {
		if m.ID == id {
			return m
		}
	}
	return nil
}

func (f *fakeMessenger) SetOutgoingStatus(id, status string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	m := f.find(id)
	if m == nil {
		return fmt.Errorf("%w: %s", messenger.ErrMessageNotFound, id)
	}
	m.OutgoingStatus = status
	return nil
}

// GroupEvents answers two events for the groups of addGroup.
func (f *fakeMessenger) GroupEvents(chatID string) []messenger.GroupEvent {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c := f.chats[chatID]; c == nil || c.Type != messenger.ChatPrivateGroup {
		return nil
	}
	return []messenger.GroupEvent{
		{Type: "chat-created", ClockValue: 1700000000001, Name: "friends", Signature: "ab01", From: aliceKey},
		{Type: "members-added", ClockValue: 1700000000002, Members: []string{selfKey}, Signature: "ab01", From: aliceKey},
	}
}

// SendPairingMessage validates as the messenger does (decode, a p1 or p2,
// §1.8 with our key as author), records the call and returns the
// keccak256 of the payload as its ID.
func (f *fakeMessenger) SendPairingMessage(ctx context.Context, payload []byte, dh bool) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return "", f.err
	}
	u, err := message.Unwrap(payload)
	if err != nil {
		return "", fmt.Errorf("%w: %w", messenger.ErrInvalidMessage, err)
	}
	p, err := message.Decode(u.Payload)
	if err == nil {
		self, _ := parsePubHex(selfKey)
		_, err = message.Validate(p, message.Context{Author: self, Self: self})
	}
	if err != nil {
		return "", fmt.Errorf("%w: rule %s: %w", messenger.ErrInvalidMessage, message.RuleOf(err), err)
	}
	f.pairing = append(f.pairing, pairingSend{Tag: p.TransitTag(), DH: dh})
	return hexutil.Encode(crypto.Keccak256(payload)), nil
}
