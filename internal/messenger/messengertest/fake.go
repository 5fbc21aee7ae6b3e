package messengertest

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
)

// Chat keys the fake knows: ours (the key of private key 0x11…11) and two
// others.
const (
	SelfKey  = "0x044f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1"
	AliceKey = "0x04d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666"
	BobKey   = "0x046f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0"
)

// Times the fake stamps: clocks, timestamps and receive times are
// baseTime plus the fake's counter.
const baseTime = 1700000000000

var (
	chatName = regexp.MustCompile(`^[a-z0-9-]+$`)
	chatKey  = regexp.MustCompile(`^0x04[0-9a-f]{128}$`)
)

// ValidChatName reports whether name is a public chat name the fake
// accepts: lower-case letters, digits and dashes.
func ValidChatName(name string) bool { return chatName.MatchString(name) }

// ValidChatKey reports whether key is a chat key the fake accepts: an
// uncompressed public key as 0x-prefixed lower-case hex.
func ValidChatKey(key string) bool { return chatKey.MatchString(key) }

// Messenger is a hand-written messenger: chats, messages, contacts and
// installations in memory, with the messenger's sentinel errors and
// deterministic IDs, clocks and times. Err, when set, stands for a
// stopped messenger: the calls that change state fail with it; the reads
// that ignore it say so.
//
// Mu guards every field, including those a test package's fake adds
// beside an embedded Messenger. Exported methods take Mu themselves;
// methods named …Locked expect the caller to hold it. Tests that read or
// set a field directly hold Mu while they do. Values returned by the
// methods that are not …Locked are copies that belong to the caller.
type Messenger struct {
	Mu            sync.Mutex
	Err           error
	N             int64                         // IDs, clocks and times; see TickLocked
	ChatsByID     map[string]*messenger.Chat    // by chat ID
	Msgs          []*messenger.Message          // in storing order
	ContactsByKey map[string]*messenger.Contact // by public key
	Insts         []messenger.Installation      // ours first
}

// New returns an empty, running Messenger with two installations: our
// own, enabled ("inst-self", a laptop), and a phone's, not enabled.
func New() *Messenger {
	return &Messenger{
		ChatsByID:     map[string]*messenger.Chat{},
		ContactsByKey: map[string]*messenger.Contact{},
		Insts: []messenger.Installation{
			{ID: "inst-self", Enabled: true, Own: true, Metadata: encryption.InstallationMetadata{Name: "laptop", DeviceType: "desktop"}},
			{ID: "inst-phone", Timestamp: 1700000000000000000, Metadata: encryption.InstallationMetadata{Name: "phone", DeviceType: "ios", FCMToken: "tok"}},
		},
	}
}

// ChatKey returns SelfKey.
func (f *Messenger) ChatKey() string { return SelfKey }

// TickLocked advances the fake's counter and returns its new value, from
// which message IDs, clocks and times are made.
func (f *Messenger) TickLocked() int64 { f.N++; return f.N }

// CopyChat returns a copy of c that shares no slice with it.
func CopyChat(c *messenger.Chat) *messenger.Chat {
	cc := *c
	cc.Members = append([]string(nil), c.Members...)
	cc.Admins = append([]string(nil), c.Admins...)
	cc.Joined = append([]string(nil), c.Joined...)
	return &cc
}

// JoinPublic creates the public chat name if needed and marks it active;
// a name ValidChatName refuses is messenger.ErrInvalidChatName.
func (f *Messenger) JoinPublic(name string) (*messenger.Chat, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return nil, f.Err
	}
	if !ValidChatName(name) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidChatName, name)
	}
	c := f.ChatsByID[name]
	if c == nil {
		c = &messenger.Chat{ID: name, Type: messenger.ChatPublic, Name: name}
		f.ChatsByID[name] = c
	}
	c.Active = true
	return CopyChat(c), nil
}

// LeavePublic marks the public chat name inactive; any other name is
// messenger.ErrChatNotFound.
func (f *Messenger) LeavePublic(name string) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return f.Err
	}
	c := f.ChatsByID[name]
	if c == nil || c.Type != messenger.ChatPublic {
		return fmt.Errorf("%w: %q", messenger.ErrChatNotFound, name)
	}
	c.Active = false
	return nil
}

// StartOneToOne returns the one-to-one chat with pubKey, created active if
// new; a key ValidChatKey refuses is messenger.ErrInvalidPublicKey.
func (f *Messenger) StartOneToOne(pubKey string) (*messenger.Chat, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return nil, f.Err
	}
	if !ValidChatKey(pubKey) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, pubKey)
	}
	c := f.ChatsByID[pubKey]
	if c == nil {
		c = &messenger.Chat{ID: pubKey, Type: messenger.ChatOneToOne, Active: true}
		f.ChatsByID[pubKey] = c
	}
	return CopyChat(c), nil
}

// Chats returns every chat, the latest message first, then by ID. It works
// on a stopped fake too.
func (f *Messenger) Chats() []*messenger.Chat {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	out := make([]*messenger.Chat, 0, len(f.ChatsByID))
	for _, c := range f.ChatsByID {
		out = append(out, CopyChat(c))
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].LastMessageAt != out[j].LastMessageAt {
			return out[i].LastMessageAt > out[j].LastMessageAt
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Chat returns the chat id or messenger.ErrChatNotFound. It works on a
// stopped fake too.
func (f *Messenger) Chat(id string) (*messenger.Chat, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	c := f.ChatsByID[id]
	if c == nil {
		return nil, fmt.Errorf("%w: %q", messenger.ErrChatNotFound, id)
	}
	return CopyChat(c), nil
}

// SendTextWith checks a text send as the messenger does (Err, an unknown
// chat is messenger.ErrChatNotFound, blank text is
// messenger.ErrInvalidMessage), then stores an outgoing, seen message from
// SelfKey in chat chatID, numbered by TickLocked, makes it the chat's
// latest and returns its ID. Before it releases Mu it runs set, if not
// nil, on the stored message and its chat (both owned by the fake), for a
// caller to add what its namespace needs, such as the delivery state.
func (f *Messenger) SendTextWith(chatID, text string, set func(m *messenger.Message, c *messenger.Chat)) (string, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return "", f.Err
	}
	c := f.ChatsByID[chatID]
	if c == nil {
		return "", fmt.Errorf("%w: %q", messenger.ErrChatNotFound, chatID)
	}
	if strings.TrimSpace(text) == "" {
		return "", fmt.Errorf("%w: blank text", messenger.ErrInvalidMessage)
	}
	n := f.TickLocked()
	m := &messenger.Message{ID: messageID(n), ChatID: chatID, From: SelfKey, Text: text,
		ContentType: "text/plain", MessageType: "public-group-user-message", Clock: baseTime + n,
		Timestamp: baseTime + n, ReceivedAt: baseTime + n, Outgoing: true, Seen: true}
	if c.Type == messenger.ChatOneToOne {
		m.MessageType = "user-message"
	}
	f.Msgs = append(f.Msgs, m)
	c.LastClock, c.LastMessageAt = m.Clock, m.ReceivedAt
	if set != nil {
		set(m, c)
	}
	return m.ID, nil
}

// Receive stores a text message from someone else in chat chatID (which
// need not exist), replying to the previous message ID and counted unread
// in its chat, and returns a copy of it. It ignores Err: it stands for
// the network, for tests to drive.
func (f *Messenger) Receive(chatID, from, text string) *messenger.Message {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	n := f.TickLocked()
	m := &messenger.Message{ID: messageID(n), ChatID: chatID, From: from, Text: text,
		ContentType: "text/plain", MessageType: "public-group-user-message", Clock: baseTime + n,
		Timestamp: baseTime + n - 5, ReceivedAt: baseTime + n, ResponseTo: messageID(n - 1)}
	f.Msgs = append(f.Msgs, m)
	if c := f.ChatsByID[chatID]; c != nil {
		c.Unread++
	}
	cp := *m
	return &cp
}

// messageID is the ID of the fake's n-th message.
func messageID(n int64) string { return fmt.Sprintf("0x%064x", n) }

// Messages returns a page of chat chatID's messages, newest first (see
// MessagesLocked). It works on a stopped fake too.
func (f *Messenger) Messages(chatID, cursor string, limit int) (*messenger.Page, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.MessagesLocked(chatID, cursor, limit)
}

// MessagesLocked returns up to limit (50 when not positive) of chat
// chatID's messages, newest first, starting after the message cursor
// names; the page's cursor is set when more remain. An unknown chat is
// messenger.ErrChatNotFound, a cursor the fake did not hand out
// messenger.ErrInvalidCursor. It does not look at Err.
func (f *Messenger) MessagesLocked(chatID, cursor string, limit int) (*messenger.Page, error) {
	if limit <= 0 {
		limit = 50
	}
	if f.ChatsByID[chatID] == nil {
		return nil, fmt.Errorf("%w: %q", messenger.ErrChatNotFound, chatID)
	}
	start := len(f.Msgs) - 1
	if cursor != "" {
		ok := false
		for i, m := range f.Msgs {
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
		if f.Msgs[i].ChatID != chatID {
			continue
		}
		if len(p.Messages) == limit {
			p.Cursor = "c" + p.Messages[limit-1].ID
			break
		}
		cp := *f.Msgs[i]
		p.Messages = append(p.Messages, &cp)
	}
	return p, nil
}

// Message returns a copy of message id or messenger.ErrMessageNotFound. It
// works on a stopped fake too.
func (f *Messenger) Message(id string) (*messenger.Message, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	return f.MessageLocked(id)
}

// MessageLocked is Message for a caller holding Mu.
func (f *Messenger) MessageLocked(id string) (*messenger.Message, error) {
	m := f.FindLocked(id)
	if m == nil {
		return nil, fmt.Errorf("%w: %s", messenger.ErrMessageNotFound, id)
	}
	cp := *m
	return &cp, nil
}

// FindLocked returns the stored message id (owned by the fake), or nil.
func (f *Messenger) FindLocked(id string) *messenger.Message {
	for _, m := range f.Msgs {
		if m.ID == id {
			return m
		}
	}
	return nil
}

// ContactLocked returns the stored contact pubKey (owned by the fake),
// created empty if new, after the checks every contact change makes: Err,
// then a key ValidChatKey refuses is messenger.ErrInvalidPublicKey.
func (f *Messenger) ContactLocked(pubKey string) (*messenger.Contact, error) {
	if f.Err != nil {
		return nil, f.Err
	}
	if !ValidChatKey(pubKey) {
		return nil, fmt.Errorf("%w: %q", messenger.ErrInvalidPublicKey, pubKey)
	}
	c := f.ContactsByKey[pubKey]
	if c == nil {
		c = &messenger.Contact{ID: pubKey}
		f.ContactsByKey[pubKey] = c
	}
	return c, nil
}

// UpdateContact runs fn under Mu on contact pubKey (created empty if new,
// after ContactLocked's checks) and returns a copy of it as fn left it.
func (f *Messenger) UpdateContact(pubKey string, fn func(c *messenger.Contact)) (*messenger.Contact, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	c, err := f.ContactLocked(pubKey)
	if err != nil {
		return nil, err
	}
	fn(c)
	cp := *c
	return &cp, nil
}

// Contacts returns every contact by public key. It works on a stopped
// fake too.
func (f *Messenger) Contacts() []*messenger.Contact {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	out := make([]*messenger.Contact, 0, len(f.ContactsByKey))
	for _, c := range f.ContactsByKey {
		cp := *c
		out = append(out, &cp)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// Installations returns our installations, ours first.
func (f *Messenger) Installations() ([]messenger.Installation, error) {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return nil, f.Err
	}
	return append([]messenger.Installation{}, f.Insts...), nil
}

// UpdateInstallation runs fn on installation id under Mu; an unknown id is
// encryption.ErrInstallationNotFound.
func (f *Messenger) UpdateInstallation(id string, fn func(i *messenger.Installation)) error {
	f.Mu.Lock()
	defer f.Mu.Unlock()
	if f.Err != nil {
		return f.Err
	}
	for i := range f.Insts {
		if f.Insts[i].ID == id {
			fn(&f.Insts[i])
			return nil
		}
	}
	return fmt.Errorf("%w: %s", encryption.ErrInstallationNotFound, id)
}

// EnableInstallation enables installation id.
func (f *Messenger) EnableInstallation(id string) error {
	return f.UpdateInstallation(id, func(i *messenger.Installation) { i.Enabled = true })
}
