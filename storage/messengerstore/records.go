package messengerstore

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// The record types below are the stored format (Version 5). Field order
// and JSON tags are part of it: the JSON encoder writes fields in
// declaration order, and Message and Delivery are binary (binary.go). Read doc.go ("Changing a record") before touching any of them.

// Chat is the record of one conversation (KindChat). Binary since
// version 5 (binary.go); it is rewritten with every message of the chat.
type Chat struct {
	ID             string
	Type           uint8 // 1 public, 2 one-to-one, 3 private group
	Name           string
	Active         bool
	LastClock      int64
	DeletedAtClock int64
	Unread         int64
	LastMessageAt  int64 // Unix ms
	Members        []string
	Admins         []string
	// Joined and Membership (version 4, private groups only): the members
	// who joined, and our own standing ("invited", "joined", "declined",
	// "left", "removed").
	Joined     []string
	Membership string
}

// Message is the record of one stored chat message (KindMessage). Its
// index entry (KindIndex) is written beside it by PutMessage. Binary since
// version 5 (binary.go); the fields are written in declaration order.
type Message struct {
	ID          string
	ChatID      string
	From        string
	Text        string
	ContentType string
	MessageType string
	Clock       int64
	Timestamp   int64 // sender's Unix ms
	ReceivedAt  int64 // local Unix ms
	ResponseTo  string
	Outgoing    bool
	Seen        bool
	// Delivery is the state the message was stored with. Since version
	// 5 the messenger changes only the delivery record (KindDelivery)
	// afterwards, and an outgoing message's state is that record's.
	Delivery DeliveryState
	// Content is the message's whole content map as Transit-JSON, every
	// key in wire order (Version 3): what the message carried besides the
	// fields above (ENS name, sticker, command, unknown keys), enough to
	// re-encode it.
	Content string
}

// Delivery is the delivery record of one outgoing message (KindDelivery).
// Binary since version 5 (binary.go).
type Delivery struct {
	MessageID  string
	ChatID     string
	State      DeliveryState
	Recipients map[string]bool
	AckedBy    []string
	UpdatedAt  int64 // Unix ms
	// Confirmations (version 5): the Whisper peers' acknowledgements and
	// refusals of the envelopes that carried the message, oldest first.
	// Version 4 kept them in a meta value of the messenger's own.
	Confirmations []Confirmation
}

// Confirmation is one Whisper peer's answer about an envelope carrying a
// message.
type Confirmation struct {
	Peer    string // the peer's enode ID, hex
	Refused bool   // code 12; else acknowledged (code 11)
	Reason  string // why the peer refused it
	At      int64  // local time, Unix ms
}

// Contact is the record of another identity (KindContact).
type Contact struct {
	ID           string   `json:"id"`
	Name         string   `json:"name,omitempty"`
	ProfileImage string   `json:"profile_image,omitempty"`
	Address      string   `json:"address,omitempty"`
	Added        bool     `json:"added"`
	Blocked      bool     `json:"blocked"`
	LastUpdated  int64    `json:"last_updated,omitempty"` // Unix ms
	Devices      []string `json:"devices,omitempty"`
	// RequestReceived: the contact sent us a c2, c3 or c6 (status-react's
	// :contact/request-received). Since version 2.
	RequestReceived bool `json:"request_received,omitempty"`
}

// Group is the record of a private group (KindGroup): every signed
// membership update accepted, in arrival order.
type Group struct {
	ChatID  string             `json:"chat_id"`
	Updates []MembershipUpdate `json:"updates"`
}

// MembershipUpdate is one stored signed batch of group events. Its JSON
// names are Go-style: they were the field names of the protocol type the
// messenger stored directly before records had their own types.
type MembershipUpdate struct {
	ChatID    string            `json:"ChatID"`
	Events    []MembershipEvent `json:"Events"`
	Signature string            `json:"Signature"`
	KeyOrder  []string          `json:"KeyOrder"`
}

// MembershipEvent is one stored group event.
type MembershipEvent struct {
	Type       string   `json:"Type"`
	ClockValue int64    `json:"ClockValue"`
	Name       string   `json:"Name"`
	Member     string   `json:"Member"`
	Members    []string `json:"Members"`
	KeyOrder   []string `json:"KeyOrder"`
}

// Outbox is a direct message stored but not yet handed to MVDS
// (KindOutbox). Binary since version 5 (binary.go).
type Outbox struct {
	ID         string
	Recipients []string // 0x04… keys
	Body       []byte
}

// DeliveryState is the stored delivery state code: one byte in the binary
// records; in JSON (version-4 records, read by the migration) its name,
// and numbers (records written before states were named) are read too.
// Codes are append-only.
type DeliveryState uint8

// Delivery state codes.
const (
	DeliveryNone DeliveryState = iota
	DeliveryQueued
	DeliverySent
	DeliveryAcked
	DeliveryExpired
)

var deliveryNames = [...]string{"none", "queued", "sent", "acked", "expired"}

func (s DeliveryState) String() string {
	if int(s) < len(deliveryNames) {
		return deliveryNames[s]
	}
	return fmt.Sprintf("DeliveryState(%d)", uint8(s))
}

// MarshalJSON writes the state's name, or the number of a code this build
// does not name (so that it reads back unchanged).
// The names need no escaping, so they are quoted directly: records are
// written with a state for every change of delivery.
func (s DeliveryState) MarshalJSON() ([]byte, error) {
	if int(s) >= len(deliveryNames) {
		return strconv.AppendUint(nil, uint64(s), 10), nil
	}
	b := make([]byte, 0, len(deliveryNames[s])+2)
	return append(append(append(b, '"'), deliveryNames[s]...), '"'), nil
}

// UnmarshalJSON reads a state name or a number.
func (s *DeliveryState) UnmarshalJSON(b []byte) error {
	if n := len(b); n >= 2 && b[0] == '"' && b[n-1] == '"' {
		for i, v := range deliveryNames {
			if string(b[1:n-1]) == v {
				*s = DeliveryState(i)
				return nil
			}
		}
	}
	var name string
	if err := json.Unmarshal(b, &name); err != nil {
		var n uint8
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("messengerstore: delivery state %s: %w", b, err)
		}
		*s = DeliveryState(n)
		return nil
	}
	for i, v := range deliveryNames {
		if v == name {
			*s = DeliveryState(i)
			return nil
		}
	}
	return fmt.Errorf("messengerstore: unknown delivery state %q", name)
}
