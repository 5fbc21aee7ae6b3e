package statusd

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/statusnode/statusd/internal/messenger"
)

// The namespace's result types. They are the JSON shapes clients see, kept
// apart from the messenger's own structs so that the messenger can change
// without changing the API; the to… functions convert. A nil pointer or
// slice from the messenger stays nil (JSON null).

// ChatType says how a chat's messages travel (docs/PROTOCOL.md §4.3):
// 1 public, 2 one-to-one, 3 private group.
type ChatType uint8

// Chat is one conversation. The ID is the public chat name, the peer's
// 0x04… key, or the group chat ID (§1.7).
type Chat struct {
	ID   string   `json:"id"`
	Type ChatType `json:"type"`
	// Name is the public chat name, the group name, or "" for 1:1.
	Name string `json:"name"`
	// Active is false after LeavePublic/LeaveGroup or removal from a group.
	Active bool `json:"active"`
	// LastClock is the chat's Lamport clock (§1.6).
	LastClock int64 `json:"last_clock"`
	// DeletedAtClock: messages with a clock at or below it are dropped
	// (DeleteChat; status-react deleted-at-clock-value, §1.8).
	DeletedAtClock int64 `json:"deleted_at_clock,omitempty"`
	// Unread counts received messages not marked seen.
	Unread int `json:"unread"`
	// LastMessageAt is the local receive/send time of the newest message, Unix ms.
	LastMessageAt int64 `json:"last_message_at"`
	// Members and Admins of a private group (0x04… keys), from replaying its
	// membership updates.
	Members []string `json:"members,omitempty"`
	Admins  []string `json:"admins,omitempty"`
	// Joined lists the members of a private group who joined it (the
	// creator, and each member since its member-joined); the others are
	// invited. Absent for other chats.
	Joined []string `json:"joined,omitempty"`
	// Membership is our own standing in a private group: "invited" (added
	// by someone; join with statusd_joinGroup or decline with
	// statusd_declineGroup; its messages are held meanwhile and shown
	// if we join),
	// "joined", "declined", "left" or "removed". Absent for other chats.
	Membership string `json:"membership,omitempty"`
	// People shows who the chat is with, as other users see them before
	// they are named: each member of a private group, or the peer of a
	// 1:1 chat, with the alias and identicon derived from its key (§2).
	// Absent for public chats.
	People []Person `json:"people,omitempty"`
}

// Person is a chat key with its three-word alias and identicon (a
// data:image/png;base64 URI), both derived from the key (§2).
type Person struct {
	ChatKey   string `json:"chat_key"`
	Alias     string `json:"alias"`
	Identicon string `json:"identicon"`
}

// peopleOf lists the people of a chat: a group's members, a 1:1 chat's
// peer, none for a public chat.
func peopleOf(c *messenger.Chat) []Person {
	keys := c.Members
	if c.Type == messenger.ChatOneToOne {
		keys = []string{c.ID}
	}
	if len(keys) == 0 {
		return nil
	}
	out := make([]Person, len(keys))
	for i, k := range keys {
		out[i] = Person{ChatKey: k, Alias: aliasOf(k), Identicon: identiconOf(k)}
	}
	return out
}

func toChat(c *messenger.Chat) *Chat {
	if c == nil {
		return nil
	}
	return &Chat{ID: c.ID, Type: ChatType(c.Type), Name: c.Name, Active: c.Active, LastClock: c.LastClock,
		DeletedAtClock: c.DeletedAtClock, Unread: c.Unread, LastMessageAt: c.LastMessageAt,
		Members: slices.Clone(c.Members), Admins: slices.Clone(c.Admins), Joined: slices.Clone(c.Joined),
		Membership: c.Membership, People: peopleOf(c)}
}

func toChats(cs []*messenger.Chat) []*Chat {
	if cs == nil {
		return nil
	}
	out := make([]*Chat, len(cs))
	for i, c := range cs {
		out[i] = toChat(c)
	}
	return out
}

// DeliveryState is the fate of an outgoing message, by name:
//
//	queued  → sent     an envelope carrying it left to ≥ 1 peer
//	queued  → queued   (public) its envelope expired unsent within the retry
//	                   window: it is re-posted, same bytes in a fresh
//	                   envelope, as soon as a peer is connected
//	queued  → expired  (public) the retry window (24 h by default) ended
//	                   before any envelope reached a peer; (1:1, group) the
//	                   envelope's TTL passed unsent
//	sent    → expired  (1:1, group) that envelope's TTL passed before the
//	                   message was acked
//	expired → sent     MVDS retransmitted it in a new envelope (1:1, group)
//	any     → acked    every recipient acknowledged it through MVDS (1:1, group)
//
// Public messages stop at sent (nobody acknowledges them) or at expired. "none" is the
// state of a received message.
type DeliveryState string

func toDeliveryState(s messenger.DeliveryState) DeliveryState { return DeliveryState(s.String()) }

// Message is one stored chat message (a c4 shown to the user).
type Message struct {
	ID          string `json:"id"`      // §1.10, 0x-prefixed
	ChatID      string `json:"chat_id"` // the local chat it belongs to
	From        string `json:"from"`    // author, 0x04…
	Alias       string `json:"alias"`   // the author's three-word alias (§2)
	Text        string `json:"text"`
	ContentType string `json:"content_type"`
	MessageType string `json:"message_type"`
	Clock       int64  `json:"clock"`       // Lamport clock-value
	Timestamp   int64  `json:"timestamp"`   // sender's Unix ms
	ReceivedAt  int64  `json:"received_at"` // local Unix ms (sent time for ours)
	ResponseTo  string `json:"response_to,omitempty"`
	Outgoing    bool   `json:"outgoing"` // authored by our identity (any of our devices)
	Seen        bool   `json:"seen"`
	// Delivery is the state of a message this installation sent; absent
	// for received ones.
	Delivery DeliveryState `json:"delivery,omitempty"`
	// Name is the sender's ENS name as the message carried it (content
	// "name"; not verified).
	Name string `json:"name,omitempty"`
	// ResponseToLegacy is the legacy response-to when a message carried
	// both reply keys with different IDs (response_to holds
	// response-to-v2, which readers follow).
	ResponseToLegacy string `json:"response_to_legacy,omitempty"`
	// Quoted is the message response_to names, when this node has it.
	Quoted *Quoted `json:"quoted,omitempty"`
	// Sticker of a sticker message.
	Sticker *Sticker `json:"sticker,omitempty"`
	// Command of a command or command-request message.
	Command *Command `json:"command,omitempty"`
	// Content is the whole content map the message carried, every key in
	// wire order — known ones ("chat-id", "text", "response-to",
	// "response-to-v2", "name", "hash", "pack", "command-path", "params")
	// and any other (legacy command keys, "parsed-text", …) — as JSON:
	// keywords by name, sets as arrays. Absent for messages stored before
	// contents were kept whole.
	Content json.RawMessage `json:"content,omitempty"`
}

// toMessage converts m; n supplies the author's alias (nil: computed).
func toMessage(n *names, m *messenger.Message) *Message {
	if m == nil {
		return nil
	}
	out := &Message{ID: m.ID, ChatID: m.ChatID, From: m.From, Alias: n.alias(m.From), Text: m.Text, ContentType: m.ContentType,
		MessageType: m.MessageType, Clock: m.Clock, Timestamp: m.Timestamp, ReceivedAt: m.ReceivedAt,
		ResponseTo: m.ResponseTo, Outgoing: m.Outgoing, Seen: m.Seen}
	if m.Delivery != messenger.DeliveryNone {
		out.Delivery = toDeliveryState(m.Delivery)
	}
	fillContent(n, out, m)
	return out
}

// Page is one page of Messages: newest first, and the cursor of the next
// (older) page, "" when there is none.
type Page struct {
	Messages []*Message `json:"messages"`
	Cursor   string     `json:"cursor"` // continues with older messages; "" at the end
}

// toPage converts p; its messages are [] rather than null when there are
// none.
func toPage(n *names, p *messenger.Page) *Page {
	if p == nil {
		return nil
	}
	out := &Page{Messages: make([]*Message, len(p.Messages)), Cursor: p.Cursor}
	for i, m := range p.Messages {
		out.Messages[i] = toMessage(n, m)
	}
	return out
}

// Delivery is the delivery record of one outgoing message.
type Delivery struct {
	MessageID string        `json:"message_id"`
	ChatID    string        `json:"chat_id"`
	State     DeliveryState `json:"state"`
	// Recipients maps each recipient identity (0x04…) to whether its MVDS
	// ACK arrived. Empty for public messages.
	Recipients map[string]bool `json:"recipients,omitempty"`
	// AckedBy lists "identity/installation" pairs whose ACK arrived; the
	// installation is the one whose ProtocolMessage carried the ACK.
	AckedBy []string `json:"acked_by,omitempty"`
	// UpdatedAt is the local time of the last change, Unix ms.
	UpdatedAt int64 `json:"updated_at"`
	// Confirmations are the Whisper peers' acknowledgements (code 11) and
	// refusals (code 12) of the envelopes that carried the message, oldest
	// first (the newest 16): the evidence behind "sent" where no MVDS ACK
	// follows, and why a refused message was re-posted or expired.
	Confirmations []Confirmation `json:"confirmations,omitempty"`
}

// Confirmation is one Whisper peer's answer about an envelope carrying a
// message.
type Confirmation struct {
	Peer    string `json:"peer"`              // the peer's enode ID, hex
	Refused bool   `json:"refused,omitempty"` // refused (code 12); else acknowledged (code 11)
	Reason  string `json:"reason,omitempty"`  // why the peer refused it
	At      int64  `json:"at"`                // local time, Unix ms
}

func toDelivery(d *messenger.Delivery) *Delivery {
	if d == nil {
		return nil
	}
	out := &Delivery{MessageID: d.MessageID, ChatID: d.ChatID, State: toDeliveryState(d.State),
		Recipients: maps.Clone(d.Recipients), AckedBy: slices.Clone(d.AckedBy), UpdatedAt: d.UpdatedAt}
	for _, c := range d.Confirmations {
		out.Confirmations = append(out.Confirmations, Confirmation{Peer: c.Peer, Refused: c.Refused, Reason: c.Reason, At: c.At})
	}
	return out
}

// Contact is another identity we know.
type Contact struct {
	ID string `json:"id"` // 0x04…
	// Alias is the three-word name and Identicon the data-URI image every
	// 2019 client derived from the key (§2); what users see before a name.
	Alias        string `json:"alias"`
	Identicon    string `json:"identicon"`
	Name         string `json:"name,omitempty"`
	ProfileImage string `json:"profile_image,omitempty"`
	Address      string `json:"address,omitempty"`
	// State is where the contact stands in the contact-request flow:
	// "none", "request-sent" (we added it, it has not answered),
	// "request-received" (it sent us a contact message and we have not
	// added it: accept with statusd_acceptContact), "added" (both sides),
	// "blocked". Pending is true for the two request states.
	State   string `json:"state"`
	Pending bool   `json:"pending"`
	// Added is set by statusd_requestContact, statusd_acceptContact and
	// statusd_addContact; contacts also appear when they send a contact
	// message (c2/c3/c6) without being added (RequestReceived).
	Added           bool `json:"added"`
	Blocked         bool `json:"blocked"`
	RequestReceived bool `json:"request_received"`
	// LastUpdated is the Whisper timestamp (Unix ms) of the last contact
	// message processed; older ones are discarded (§1.9.1).
	LastUpdated int64    `json:"last_updated,omitempty"`
	Devices     []string `json:"devices,omitempty"` // installation IDs from device-info
}

// Profile is our own profile: what our contact messages tell contacts.
type Profile struct {
	// Name is the display name sent; our three-word alias until one is set.
	Name string `json:"name"`
	// Image is the photo sent, a base64 image data URI; our identicon until
	// one is set.
	Image string `json:"image"`
	// NameSet and ImageSet report whether they were set (statusd_setProfile)
	// rather than defaulted.
	NameSet  bool `json:"name_set"`
	ImageSet bool `json:"image_set"`
}

func toProfile(p messenger.Profile) Profile {
	return Profile{Name: p.Name, Image: p.Image, NameSet: p.NameSet, ImageSet: p.ImageSet}
}

func toContact(c *messenger.Contact) *Contact {
	if c == nil {
		return nil
	}
	return &Contact{ID: c.ID, Alias: aliasOf(c.ID), Identicon: identiconOf(c.ID), Name: c.Name, ProfileImage: c.ProfileImage,
		Address: c.Address, State: string(c.State()), Pending: c.Pending(), Added: c.Added, Blocked: c.Blocked,
		RequestReceived: c.RequestReceived, LastUpdated: c.LastUpdated, Devices: slices.Clone(c.Devices)}
}

func toContacts(cs []*messenger.Contact) []*Contact {
	if cs == nil {
		return nil
	}
	out := make([]*Contact, len(cs))
	for i, c := range cs {
		out[i] = toContact(c)
	}
	return out
}

// Installation is one device of our own identity.
type Installation struct {
	ID       string               `json:"id"`
	Enabled  bool                 `json:"enabled"`
	Own      bool                 `json:"own"` // this installation
	Metadata InstallationMetadata `json:"metadata"`
	// Timestamp is the newest bundle timestamp seen from it, Unix ns.
	Timestamp int64 `json:"timestamp"`
}

// InstallationMetadata is what paired devices exchange about themselves
// (spec §1.9.2, §3.6).
type InstallationMetadata struct {
	Name       string `json:"name,omitempty"`
	DeviceType string `json:"device_type,omitempty"`
	FCMToken   string `json:"fcm_token,omitempty"`
}

func toInstallation(i messenger.Installation) Installation {
	return Installation{ID: i.ID, Enabled: i.Enabled, Own: i.Own, Timestamp: i.Timestamp,
		Metadata: InstallationMetadata{Name: i.Metadata.Name, DeviceType: i.Metadata.DeviceType, FCMToken: i.Metadata.FCMToken}}
}

func toInstallations(is []messenger.Installation) []Installation {
	if is == nil {
		return nil
	}
	out := make([]Installation, len(is))
	for i, inst := range is {
		out[i] = toInstallation(inst)
	}
	return out
}
