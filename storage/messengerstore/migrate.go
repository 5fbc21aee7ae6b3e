package messengerstore

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/statusnode/statusd/protocol/transit"
	"github.com/statusnode/statusd/storage"
)

// Version is the format version of the records this build writes and
// reads (see doc.go for the list and for how to add one).
const Version uint32 = 5

// migrations bring an older table to Version, one step each; storage.Migrate
// runs them in order and commits each with its new version.
var migrations = []storage.Migration{
	// A table written before the version key existed holds version-1
	// records already: stamping it is the whole migration.
	{From: 0, Apply: func(storage.KV, *storage.Batch) error { return nil }},
	{From: 1, Apply: migrateContactsV2},
	{From: 2, Apply: migrateMessagesV3},
	{From: 3, Apply: migrateGroupStanding},
	{From: 4, Apply: migrateBinaryRecords},
}

// migrateContactsV2 adds request_received to every contact that sent us a
// contact message (a non-zero last_updated: version 1 set it only on
// receipt of a c2, c3 or c6), as status-react tagged such a contact
// :contact/request-received.
func migrateContactsV2(kv storage.KV, b *storage.Batch) error {
	prefix := []byte{byte(KindContact)}
	return kv.Iterate(prefix, nil, func(k, v []byte) error {
		var c contactV1
		if err := json.Unmarshal(v, &c); err != nil {
			return fmt.Errorf("messengerstore: migrate contact %q: %w", k, err)
		}
		if c.LastUpdated == 0 {
			return nil
		}
		b.Put(append([]byte(nil), k...), EncodeContact(&Contact{ID: c.ID, Name: c.Name, ProfileImage: c.ProfileImage,
			Address: c.Address, Added: c.Added, Blocked: c.Blocked, LastUpdated: c.LastUpdated, Devices: c.Devices,
			RequestReceived: true}))
		return nil
	})
}

// contactV1 is a version-1 contact record (the migration's private copy).
type contactV1 struct {
	ID           string   `json:"id"`
	Name         string   `json:"name,omitempty"`
	ProfileImage string   `json:"profile_image,omitempty"`
	Address      string   `json:"address,omitempty"`
	Added        bool     `json:"added"`
	Blocked      bool     `json:"blocked"`
	LastUpdated  int64    `json:"last_updated,omitempty"`
	Devices      []string `json:"devices,omitempty"`
}

// messageV2 is the version-1 and version-2 message record, kept to read old bytes.
type messageV2 struct {
	ID          string          `json:"id"`
	ChatID      string          `json:"chat_id"`
	From        string          `json:"from"`
	Text        string          `json:"text"`
	ContentType string          `json:"content_type"`
	MessageType string          `json:"message_type"`
	Clock       int64           `json:"clock"`
	Timestamp   int64           `json:"timestamp"`
	ReceivedAt  int64           `json:"received_at"`
	ResponseTo  string          `json:"response_to,omitempty"`
	Outgoing    bool            `json:"outgoing"`
	Seen        bool            `json:"seen"`
	Delivery    json.RawMessage `json:"delivery,omitempty"`
}

// migrateMessagesV3 gives every version-2 message the content map it can
// still be known to have carried: its text and, for a reply, response-to
// (versions 1 and 2 kept nothing else of the content).
func migrateMessagesV3(kv storage.KV, b *storage.Batch) error {
	return kv.Iterate([]byte{byte(KindMessage)}, nil, func(k, v []byte) error {
		var old messageV2
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("%w: v2 message %q: %w", ErrCorrupt, k, err)
		}
		content := transit.NewMap(transit.Keyword("text"), old.Text)
		if old.ResponseTo != "" {
			content.Set(transit.Keyword("response-to"), old.ResponseTo)
		}
		raw, err := transit.Encode(content)
		if err != nil {
			return fmt.Errorf("messengerstore: v2 message %q content: %w", k, err)
		}
		m := &messageV4{ID: old.ID, ChatID: old.ChatID, From: old.From, Text: old.Text,
			ContentType: old.ContentType, MessageType: old.MessageType, Clock: old.Clock,
			Timestamp: old.Timestamp, ReceivedAt: old.ReceivedAt, ResponseTo: old.ResponseTo,
			Outgoing: old.Outgoing, Seen: old.Seen, Content: string(raw)}
		if len(old.Delivery) > 0 {
			if err := m.Delivery.UnmarshalJSON(old.Delivery); err != nil {
				return fmt.Errorf("%w: v2 message %q: %w", ErrCorrupt, k, err)
			}
		}
		b.Put(k, encodeJSON(m)) // version 3's encoding; 4 → 5 makes it binary
		return nil
	})
}

// chatV3 is a version-3 Chat record (unchanged since version 1), for
// migrateGroupStanding only.
type chatV3 struct {
	ID             string   `json:"id"`
	Type           uint8    `json:"type"`
	Name           string   `json:"name"`
	Active         bool     `json:"active"`
	LastClock      int64    `json:"last_clock"`
	DeletedAtClock int64    `json:"deleted_at_clock,omitempty"`
	Unread         int64    `json:"unread"`
	LastMessageAt  int64    `json:"last_message_at"`
	Members        []string `json:"members,omitempty"`
	Admins         []string `json:"admins,omitempty"`
}

// migrateGroupStanding (3 → 4) gives every private group chat the
// standing a version-3 build acted on: it took part in every group it was
// in without a word, so an active group is "joined" with every member
// joined, an inactive one "left". The messenger recomputes both fields
// from the group's signed history when it loads (the history, not these
// fields, is what the other members see).
func migrateGroupStanding(kv storage.KV, b *storage.Batch) error {
	return kv.Iterate([]byte{byte(KindChat)}, nil, func(key, raw []byte) error {
		var old chatV3
		if err := json.Unmarshal(raw, &old); err != nil {
			return fmt.Errorf("%w: chat %q: %w", ErrCorrupt, key, err)
		}
		if old.Type != 3 {
			return nil
		}
		c := chatV4{chatV3: old, Joined: old.Members, Membership: "left"}
		if old.Active {
			c.Membership = "joined"
		}
		b.Put(append([]byte(nil), key...), encodeJSON(&c)) // version 4's encoding; 4 → 5 makes it binary
		return nil
	})
}

// chatV4 is a version-4 chat record (JSON), for migrateGroupStanding to
// write and migrateBinaryRecords to read.
type chatV4 struct {
	chatV3
	Joined     []string `json:"joined,omitempty"`
	Membership string   `json:"membership,omitempty"`
}

// messageV4 is a version-3 and version-4 message record (JSON), for
// migrateMessagesV3 to write and migrateBinaryRecords to read.
type messageV4 struct {
	ID          string        `json:"id"`
	ChatID      string        `json:"chat_id"`
	From        string        `json:"from"`
	Text        string        `json:"text"`
	ContentType string        `json:"content_type"`
	MessageType string        `json:"message_type"`
	Clock       int64         `json:"clock"`
	Timestamp   int64         `json:"timestamp"`
	ReceivedAt  int64         `json:"received_at"`
	ResponseTo  string        `json:"response_to,omitempty"`
	Outgoing    bool          `json:"outgoing"`
	Seen        bool          `json:"seen"`
	Delivery    DeliveryState `json:"delivery,omitempty"`
	Content     string        `json:"content,omitempty"`
}

// deliveryV4 is a version-1 to version-4 delivery record (JSON), for
// migrateBinaryRecords.
type deliveryV4 struct {
	MessageID  string          `json:"message_id"`
	ChatID     string          `json:"chat_id"`
	State      DeliveryState   `json:"state"`
	Recipients map[string]bool `json:"recipients,omitempty"`
	AckedBy    []string        `json:"acked_by,omitempty"`
	UpdatedAt  int64           `json:"updated_at"`
}

// outboxV4 is a version-1 to version-4 outbox record (JSON), for
// migrateBinaryRecords.
type outboxV4 struct {
	ID         string   `json:"id"`
	Recipients []string `json:"recipients"`
	Body       []byte   `json:"body"`
}

// migrateBinaryRecords (4 → 5) rewrites every chat, message, delivery and
// outbox record from JSON to the binary encoding of binary.go, field for
// field. Empty maps, lists and bodies read as nil.
func migrateBinaryRecords(kv storage.KV, b *storage.Batch) error {
	err := kv.Iterate([]byte{byte(KindChat)}, nil, func(k, v []byte) error {
		var old chatV4
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("%w: v4 chat %q: %w", ErrCorrupt, k, err)
		}
		b.Put(append([]byte(nil), k...), EncodeChat(&Chat{ID: old.ID, Type: old.Type, Name: old.Name,
			Active: old.Active, LastClock: old.LastClock, DeletedAtClock: old.DeletedAtClock,
			Unread: old.Unread, LastMessageAt: old.LastMessageAt, Members: old.Members,
			Admins: old.Admins, Joined: old.Joined, Membership: old.Membership}))
		return nil
	})
	if err != nil {
		return err
	}
	err = kv.Iterate([]byte{byte(KindOutbox)}, nil, func(k, v []byte) error {
		var old outboxV4
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("%w: v4 outbox %q: %w", ErrCorrupt, k, err)
		}
		b.Put(append([]byte(nil), k...), EncodeOutbox(&Outbox{ID: old.ID, Recipients: old.Recipients, Body: old.Body}))
		return nil
	})
	if err != nil {
		return err
	}
	err = kv.Iterate([]byte{byte(KindMessage)}, nil, func(k, v []byte) error {
		var old messageV4
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("%w: v4 message %q: %w", ErrCorrupt, k, err)
		}
		b.Put(append([]byte(nil), k...), EncodeMessage(&Message{ID: old.ID, ChatID: old.ChatID,
			From: old.From, Text: old.Text, ContentType: old.ContentType, MessageType: old.MessageType,
			Clock: old.Clock, Timestamp: old.Timestamp, ReceivedAt: old.ReceivedAt,
			ResponseTo: old.ResponseTo, Outgoing: old.Outgoing, Seen: old.Seen,
			Delivery: old.Delivery, Content: old.Content}))
		return nil
	})
	if err != nil {
		return err
	}
	return kv.Iterate([]byte{byte(KindDelivery)}, nil, func(k, v []byte) error {
		var old deliveryV4
		if err := json.Unmarshal(v, &old); err != nil {
			return fmt.Errorf("%w: v4 delivery %q: %w", ErrCorrupt, k, err)
		}
		d := &Delivery{MessageID: old.MessageID, ChatID: old.ChatID, State: old.State,
			Recipients: old.Recipients, AckedBy: old.AckedBy, UpdatedAt: old.UpdatedAt}
		ck := Key(KindMeta, confirmationsMetaV4+string(k[1:]))
		raw, err := kv.Get(ck)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return fmt.Errorf("messengerstore: v4 confirmations %q: %w", ck, err)
		default:
			var cs []confirmationV4
			if err := json.Unmarshal(raw, &cs); err != nil {
				return fmt.Errorf("%w: v4 confirmations %q: %w", ErrCorrupt, ck, err)
			}
			for _, c := range cs {
				d.Confirmations = append(d.Confirmations, Confirmation(c))
			}
			b.Delete(ck)
		}
		b.Put(append([]byte(nil), k...), EncodeDelivery(d))
		return nil
	})
}

// confirmationsMetaV4 prefixes the meta name under which versions up to 4
// kept a delivery's confirmations (JSON []confirmationV4), written by the
// messenger beside the delivery record of the same message ID.
const confirmationsMetaV4 = "delivery-confirmations/"

// confirmationV4 is one version-4 confirmation.
type confirmationV4 struct {
	Peer    string `json:"peer"`
	Refused bool   `json:"refused,omitempty"`
	Reason  string `json:"reason,omitempty"`
	At      int64  `json:"at"`
}
