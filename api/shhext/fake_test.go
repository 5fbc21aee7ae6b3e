package shhext

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/api"
	mailapi "github.com/statusnode/statusd/api/mailserver"
	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/messengertest"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// Chat keys the fake knows: ours and alice's.
const (
	selfKey  = messengertest.SelfKey
	aliceKey = messengertest.AliceKey
)

// fakeMessenger is the shared fake messenger with what shhext needs
// beside it: a stopped fake also fails Messages and Message, the send
// paths take payloads, and the calls only shhext has. Its fields are
// guarded by the shared fake's Mu.
type fakeMessenger struct {
	*messengertest.Messenger
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
	return &fakeMessenger{Messenger: messengertest.New()}
}

// addGroup adds a private group chat (for the tests' "!!" steps).
func (f *fakeMessenger) addGroup(id string) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.ChatsByID[id] = &messenger.Chat{ID: id, Type: messenger.ChatPrivateGroup, Name: "friends", Active: true,
		LastClock: 12, DeletedAtClock: 3, Unread: 2, LastMessageAt: 1700000000500,
		Members: []string{selfKey, aliceKey}, Admins: []string{aliceKey}}
}

func (f *fakeMessenger) DeleteChat(id string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return f.Err
	}
	if f.ChatsByID[id] == nil {
		return fmt.Errorf("%w: %q", messenger.ErrChatNotFound, id)
	}
	delete(f.ChatsByID, id)
	return nil
}

// SendText stores the text as the shared fake does, with a delivery state
// that cycles through the states by message number.
func (f *fakeMessenger) SendText(ctx context.Context, chatID, text string) (string, error) {
	return f.SendTextWith(chatID, text, func(m *messenger.Message, _ *messenger.Chat) {
		m.Delivery = messenger.DeliveryState(1 + f.N%4)
		if f.N%5 == 0 {
			m.Delivery = messenger.DeliveryNone
		}
	})
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
	f.Mu.Lock()
	defer f.Mu.Unlock()
	m := f.Msgs[len(f.Msgs)-1]
	m.Text, m.ContentType, m.MessageType, m.Content = cm.Content.Text, string(cm.ContentType), string(cm.MessageType), cm.Content
	m.Clock, m.Timestamp, m.ResponseTo = cm.Clock, cm.Timestamp, cm.Content.ReplyTo()
	return id, nil
}

// receive stores a message from alice (for the tests' "!!" steps).
func (f *fakeMessenger) receive(chatID, text string) {
	f.Receive(chatID, aliceKey, text)
}

// Messages is the shared fake's, failing on a stopped fake.
func (f *fakeMessenger) Messages(chatID, cursor string, limit int) (*messenger.Page, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return nil, f.Err
	}
	return f.MessagesLocked(chatID, cursor, limit)
}

func (f *fakeMessenger) DeleteMessage(id string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return f.Err
	}
	for i, m := range f.Msgs {
		if m.ID == id {
			if f.deleteErr != nil {
				return f.deleteErr
			}
			f.Msgs = append(f.Msgs[:i], f.Msgs[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("%w: %s", messenger.ErrMessageNotFound, id)
}

func (f *fakeMessenger) MarkSeen(ids ...string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return f.Err
	}
	for _, id := range ids {
		found := false
		for _, m := range f.Msgs {
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
	return f.UpdateContact(pubKey, func(c *messenger.Contact) {
		if name != "" {
			c.Name = name
		}
		c.Added, c.Blocked = added, false
	})
}

// SendContactMessage validates as the messenger does (decode, then the
// profile-image rule), marks the contact added for a c2/c3 and returns
// the keccak256 of the payload as its ID.
func (f *fakeMessenger) SendContactMessage(ctx context.Context, pubKey string, payload []byte) (string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return "", f.Err
	}
	if !messengertest.ValidChatKey(pubKey) {
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
		c, err := f.ContactLocked(pubKey)
		if err != nil {
			return "", err
		}
		c.Added, c.Blocked = true, false
	}
	return crypto.Keccak256Hash(payload).Hex(), nil
}

// BlockContact blocks the contact and deletes its one-to-one chat.
func (f *fakeMessenger) BlockContact(pubKey string) (*messenger.Contact, error) {
	return f.UpdateContact(pubKey, func(c *messenger.Contact) {
		c.Blocked, c.Added = true, false
		delete(f.ChatsByID, pubKey)
	})
}

// addContact adds a contact seen through a contact update (for the tests'
// "!!" steps).
func (f *fakeMessenger) addContact(c messenger.Contact) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	f.ContactsByKey[c.ID] = &c
}

func (f *fakeMessenger) DisableInstallation(id string) error {
	return f.UpdateInstallation(id, func(i *messenger.Installation) { i.Enabled = false })
}

func (f *fakeMessenger) SetInstallationMetadata(id string, md encryption.InstallationMetadata) error {
	return f.UpdateInstallation(id, func(i *messenger.Installation) { i.Metadata = md })
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

// Message is the shared fake's, failing on a stopped fake.
func (f *fakeMessenger) Message(id string) (*messenger.Message, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return nil, f.Err
	}
	return f.MessageLocked(id)
}

// SaveMessages follows messenger.SaveMessages: stored ones take seen and
// a non-empty status, new ones need their chat.
func (f *fakeMessenger) SaveMessages(msgs []*messenger.Message) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return f.Err
	}
	for _, in := range msgs {
		if f.FindLocked(in.ID) == nil && f.ChatsByID[in.ChatID] == nil {
			return fmt.Errorf("%w: %q", messenger.ErrChatNotFound, in.ChatID)
		}
	}
	for _, in := range msgs {
		if m := f.FindLocked(in.ID); m != nil {
			m.Seen = m.Seen || in.Seen
			if in.OutgoingStatus != "" {
				m.OutgoingStatus = in.OutgoingStatus
			}
			continue
		}
		cp := *in
		cp.Outgoing = cp.From == selfKey
		f.Msgs = append(f.Msgs, &cp)
	}
	return nil
}

func (f *fakeMessenger) SetOutgoingStatus(id, status string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return f.Err
	}
	m := f.FindLocked(id)
	if m == nil {
		return fmt.Errorf("%w: %s", messenger.ErrMessageNotFound, id)
	}
	m.OutgoingStatus = status
	return nil
}

// GroupEvents answers two events for the groups of addGroup.
func (f *fakeMessenger) GroupEvents(chatID string) []messenger.GroupEvent {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if c := f.ChatsByID[chatID]; c == nil || c.Type != messenger.ChatPrivateGroup {
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
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return "", f.Err
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
