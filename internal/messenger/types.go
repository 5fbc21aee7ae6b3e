package messenger

import (
	"encoding/json"
	"fmt"

	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// ChatType says how a chat's messages travel (docs/PROTOCOL.md §4.3).
// Values are persisted; append-only.
type ChatType uint8

const (
	ChatPublic       ChatType = iota + 1 // symmetric on the name's topic
	ChatOneToOne                         // encrypted + MVDS to one peer
	ChatPrivateGroup                     // fanned out pairwise as 1:1
)

func (t ChatType) String() string {
	switch t {
	case ChatPublic:
		return "public"
	case ChatOneToOne:
		return "one-to-one"
	case ChatPrivateGroup:
		return "private-group"
	}
	return fmt.Sprintf("ChatType(%d)", uint8(t))
}

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
	// Joined lists the members of a private group who joined (the
	// creator, and each member since its own member-joined); the others
	// are invited. It follows from the membership history, as 2019
	// clients derived it.
	Joined []string `json:"joined,omitempty"`
	// Membership is our own standing in a private group: "invited",
	// "joined", "declined", "left" or "removed" (groups.Standing), from
	// the history too.
	Membership string `json:"membership,omitempty"`
}

// Message is one stored chat message (a c4 shown to the user).
type Message struct {
	ID          string `json:"id"`      // §1.10, 0x-prefixed
	ChatID      string `json:"chat_id"` // the local chat it belongs to
	From        string `json:"from"`    // author, 0x04…
	Text        string `json:"text"`
	ContentType string `json:"content_type"`
	MessageType string `json:"message_type"`
	Clock       int64  `json:"clock"`       // Lamport clock-value
	Timestamp   int64  `json:"timestamp"`   // sender's Unix ms
	ReceivedAt  int64  `json:"received_at"` // local Unix ms (sent time for ours)
	ResponseTo  string `json:"response_to,omitempty"`
	Outgoing    bool   `json:"outgoing"` // authored by our identity (any of our devices)
	Seen        bool   `json:"seen"`
	// Delivery is the state of a message this installation sent; zero for
	// received ones. Kept current by the store (see DeliveryState).
	Delivery DeliveryState `json:"delivery,omitempty"`
	// OutgoingStatus is the status a frontend set on the message
	// (SetOutgoingStatus, SaveMessages), as given; "" when none did. It is
	// stored apart from the record and never read by the messenger.
	OutgoingStatus string `json:"outgoing_status,omitempty"`
	// Content is the whole content map the wire carried (or we sent):
	// every key, known or not, in wire order, enough to re-encode it. Text
	// and ResponseTo repeat two of its fields; the ENS name, sticker hash
	// and pack, command path and params are read from it. Stored.
	Content message.Content `json:"-"`
	// Quoted is the message ResponseTo names, when it is stored here.
	// Filled when the message is read or published, never stored.
	Quoted *Quoted `json:"quoted,omitempty" store:"-"`
}

// Quoted is the replied-to message of a reply, as far as a reader shows it.
type Quoted struct {
	ID          string `json:"id"`
	From        string `json:"from"`
	Text        string `json:"text"`
	ContentType string `json:"content_type"`
}

// Draft is a chat message to send natively (Messenger.Send): what the
// sender chooses; the messenger adds the chat ID, clock, timestamp and,
// for text and emoji, the node's ENS name (Config.ENSName).
type Draft struct {
	// ContentType is text/plain (also when empty), emoji, sticker, command
	// or command-request.
	ContentType message.ContentType
	// Text of a text/plain or emoji message.
	Text string
	// ReplyTo is the message ID (0x + 64 hex) this message answers.
	ReplyTo string
	// StickerHash and StickerPack of a sticker.
	StickerHash string
	StickerPack int64
	// Params of a transaction command: command sends a payment made
	// (address, tx hash), command-request asks for one. Commands go to 1:1
	// chats only (their 2019 scope, personal-chats).
	Params message.CommandParams
	// Payload, when set, is a Transit c4/c7 chat message the caller built
	// (the shhext_send…Message pass-through), bare; the other fields are
	// ignored. Its bytes are sent as given (wrapped and signed by us), so
	// its clock and timestamp are kept; they must validate, and the chat's
	// clock moves up to the message's. Send's chatID is then the chat the
	// caller named: a public chat name, or a 0x04… key for a 1:1 message; a
	// group message goes to the group its content chat-id names, which we
	// must be an active member of (ErrNotMember). The same payload sent
	// again (a 2019 frontend sent a group message once per member) is
	// stored and sent once: the second Send returns the same ID.
	Payload []byte
}

// DeliveryState is the fate of an outgoing message. Persisted; append-only.
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
//	queued  → expired  (public) its envelopes were refused (Whisper code 12)
//	                   maxRefusals times and none was acknowledged
//
// "Left to a peer" follows the Whisper confirmations (codes 11/12, §4.6),
// as status-go's envelope monitor did: to a peer that advertised them an
// envelope counts as sent only once that peer acknowledged its batch
// (code 11) without refusing it; to a peer that did not, on the write.
// An envelope every peer refused (code 12) is not sent: it expires, a
// public message is then re-posted (until maxRefusals) and a 1:1 or group
// one is retransmitted by MVDS. Every acknowledgement and refusal is
// recorded in Delivery.Confirmations, the evidence behind sent for the
// messages no MVDS ACK covers (public ones; peers seen without MVDS).
//
// Public messages stop at sent (nobody acknowledges them) or at expired.
type DeliveryState uint8

const (
	DeliveryNone DeliveryState = iota
	DeliveryQueued
	DeliverySent
	DeliveryAcked
	DeliveryExpired
)

func (s DeliveryState) String() string {
	switch s {
	case DeliveryNone:
		return "none"
	case DeliveryQueued:
		return "queued"
	case DeliverySent:
		return "sent"
	case DeliveryAcked:
		return "acked"
	case DeliveryExpired:
		return "expired"
	}
	return fmt.Sprintf("DeliveryState(%d)", uint8(s))
}

// MarshalJSON writes the state as its name ("queued", "sent", "acked",
// "expired"; "none" for received messages), the form API clients see.
func (s DeliveryState) MarshalJSON() ([]byte, error) {
	return json.Marshal(s.String())
}

// UnmarshalJSON reads a state name, or the number records written before
// states were named.
func (s *DeliveryState) UnmarshalJSON(b []byte) error {
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		var n uint8
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("messenger: delivery state %s: %w", b, err)
		}
		*s = DeliveryState(n)
		return nil
	}
	for v := DeliveryNone; v <= DeliveryExpired; v++ {
		if v.String() == name {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("messenger: unknown delivery state %q", name)
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
	// first; only the newest maxConfirmations are kept.
	Confirmations []Confirmation `json:"confirmations,omitempty"`
}

// Confirmation is one Whisper peer's answer about an envelope carrying a
// message (§4.6).
type Confirmation struct {
	Peer    string `json:"peer"`              // the peer's enode ID, hex
	Refused bool   `json:"refused,omitempty"` // code 12; else acknowledged (code 11)
	Reason  string `json:"reason,omitempty"`  // why the peer refused it
	At      int64  `json:"at"`                // local time, Unix ms
}

// Contact is another identity we know.
type Contact struct {
	ID           string `json:"id"` // 0x04…
	Name         string `json:"name,omitempty"`
	ProfileImage string `json:"profile_image,omitempty"`
	Address      string `json:"address,omitempty"`
	// Added is set by SaveContact; contacts also appear when they send a
	// contact update (c2/c3/c6) without being added.
	Added   bool `json:"added"`
	Blocked bool `json:"blocked"`
	// LastUpdated is the Whisper timestamp (Unix ms) of the last contact
	// message processed; older ones are discarded (§1.9.1).
	LastUpdated int64    `json:"last_updated,omitempty"`
	Devices     []string `json:"devices,omitempty"` // installation IDs from device-info
	// RequestReceived is set when the contact sends us a c2, c3 or c6
	// (status-react's :contact/request-received); it stays set.
	RequestReceived bool `json:"request_received,omitempty"`
}

// ContactState is where a contact stands in the contact-request flow of
// 2019 clients (status-react contact/db.cljs: added?, pending?, blocked?).
type ContactState string

// Contact states.
const (
	// ContactNone: neither side sent a request (a contact seen only, e.g.
	// as a group member).
	ContactNone ContactState = "none"
	// ContactRequestSent: we added the contact (and sent it a c2); it has
	// not answered.
	ContactRequestSent ContactState = "request-sent"
	// ContactRequestReceived: it sent us a contact message and we have not
	// added it: a pending request to accept (AcceptContact).
	ContactRequestReceived ContactState = "request-received"
	// ContactAdded: both sides added each other.
	ContactAdded ContactState = "added"
	// ContactBlocked: blocked; its messages and requests are dropped.
	ContactBlocked ContactState = "blocked"
)

// State derives the contact's ContactState from Added, Blocked and
// RequestReceived.
func (c *Contact) State() ContactState {
	switch {
	case c.Blocked:
		return ContactBlocked
	case c.Added && c.RequestReceived:
		return ContactAdded
	case c.Added:
		return ContactRequestSent
	case c.RequestReceived:
		return ContactRequestReceived
	}
	return ContactNone
}

// Pending is status-react's pending?: one side sent a request and the
// other did not answer yet.
func (c *Contact) Pending() bool {
	s := c.State()
	return s == ContactRequestSent || s == ContactRequestReceived
}

// Active is status-react's active?: added and not blocked. Active contacts
// get our contact update (c6) when the profile changes and periodically.
func (c *Contact) Active() bool { return c.Added && !c.Blocked }

// Profile is what our contact messages (c2, c3, c6) tell contacts about us.
type Profile struct {
	// Name is the display name sent; when none was set it is our three-word
	// alias, as status-react sent the generated name.
	Name string `json:"name"`
	// Image is the photo sent, a base64 image data URI of at most
	// message.MaxProfileImageBytes; when none was set it is our identicon,
	// as status-react's photo-path defaulted to it.
	Image string `json:"image"`
	// NameSet and ImageSet report whether Name and Image were set
	// (SetProfile) rather than defaulted.
	NameSet  bool `json:"name_set"`
	ImageSet bool `json:"image_set"`
}

// Installation is one device of our own identity.
type Installation struct {
	ID       string                          `json:"id"`
	Enabled  bool                            `json:"enabled"`
	Own      bool                            `json:"own"` // this installation
	Metadata encryption.InstallationMetadata `json:"metadata"`
	// Timestamp is the newest bundle timestamp seen from it, Unix ns.
	Timestamp int64 `json:"timestamp"`
}
