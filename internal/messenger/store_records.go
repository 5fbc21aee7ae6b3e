package messenger

import (
	"fmt"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage/messengerstore"
)

// Conversions between the messenger's domain types and the stored records
// of storage/messengerstore. Every domain field that is persisted appears
// in one pair below; TestRecordConversion fails for a domain field that
// does not survive the round trip. Slices and maps are shared, not copied:
// a record lives only for one encode or decode.

// encodeRecord returns the stored bytes of the domain value v: *Chat,
// *Message, *Contact, *Delivery, *storedGroup or (*)outboxEntry. Any other
// type is a programming error and panics.
func encodeRecord(v any) []byte {
	switch v := v.(type) {
	case *Chat:
		return messengerstore.EncodeChat(chatRecord(v))
	case *Message:
		return messengerstore.EncodeMessage(messageRecord(v))
	case *Contact:
		return messengerstore.EncodeContact(contactRecord(v))
	case *Delivery:
		return messengerstore.EncodeDelivery(deliveryRecord(v))
	case *storedGroup:
		return messengerstore.EncodeGroup(groupRecord(v))
	case *outboxEntry:
		return messengerstore.EncodeOutbox(outboxRecord(v))
	case outboxEntry:
		return messengerstore.EncodeOutbox(outboxRecord(&v))
	}
	panic(fmt.Sprintf("messenger: no stored record for %T", v))
}

// decodeRecord decodes stored bytes into the domain value v, a pointer to
// one of the types encodeRecord takes.
func decodeRecord(raw []byte, v any) error {
	switch v := v.(type) {
	case *Chat:
		return decodeInto(raw, v, messengerstore.DecodeChat, chatFromRecord)
	case *Message:
		return decodeInto(raw, v, messengerstore.DecodeMessage, messageFromRecord)
	case *Contact:
		return decodeInto(raw, v, messengerstore.DecodeContact, contactFromRecord)
	case *Delivery:
		return decodeInto(raw, v, messengerstore.DecodeDelivery, deliveryFromRecord)
	case *storedGroup:
		return decodeInto(raw, v, messengerstore.DecodeGroup, groupFromRecord)
	case *outboxEntry:
		return decodeInto(raw, v, messengerstore.DecodeOutbox, outboxFromRecord)
	}
	panic(fmt.Sprintf("messenger: no stored record for %T", v))
}

func decodeInto[R, D any](raw []byte, dst *D, decode func([]byte) (*R, error), conv func(*R) *D) error {
	r, err := decode(raw)
	if err != nil {
		return err
	}
	*dst = *conv(r)
	return nil
}

func chatRecord(c *Chat) *messengerstore.Chat {
	return &messengerstore.Chat{ID: c.ID, Type: uint8(c.Type), Name: c.Name, Active: c.Active,
		LastClock: c.LastClock, DeletedAtClock: c.DeletedAtClock, Unread: int64(c.Unread),
		LastMessageAt: c.LastMessageAt, Members: c.Members, Admins: c.Admins, Joined: c.Joined,
		Membership: c.Membership}
}

func chatFromRecord(r *messengerstore.Chat) *Chat {
	return &Chat{ID: r.ID, Type: ChatType(r.Type), Name: r.Name, Active: r.Active,
		LastClock: r.LastClock, DeletedAtClock: r.DeletedAtClock, Unread: int(r.Unread),
		LastMessageAt: r.LastMessageAt, Members: r.Members, Admins: r.Admins, Joined: r.Joined,
		Membership: r.Membership}
}

func messageRecord(m *Message) *messengerstore.Message {
	return messageRecordContent(m, contentRecord(m.Content))
}

// messageRecordContent is messageRecord with the content's stored form
// (contentRecord's result) already at hand.
func messageRecordContent(m *Message, content string) *messengerstore.Message {
	return &messengerstore.Message{ID: m.ID, ChatID: m.ChatID, From: m.From, Text: m.Text,
		ContentType: m.ContentType, MessageType: m.MessageType, Clock: m.Clock, Timestamp: m.Timestamp,
		ReceivedAt: m.ReceivedAt, ResponseTo: m.ResponseTo, Outgoing: m.Outgoing, Seen: m.Seen,
		Delivery: messengerstore.DeliveryState(m.Delivery), Content: content}
}

// contentRecord is the stored form of a content map: Transit-JSON, or ""
// for a content with no keys. Content decoded from the wire or built by
// message's builders always encodes (compose checks before storing); one
// that does not is stored as "".
func contentRecord(c message.Content) string {
	if contentEmpty(c) {
		return ""
	}
	raw, err := message.EncodeContent(c)
	if err != nil {
		return ""
	}
	return string(raw)
}

// storedContent is contentRecord(c) given raw, what EncodeContent wrote
// for c.
func storedContent(c message.Content, raw []byte) string {
	if contentEmpty(c) {
		return ""
	}
	return string(raw)
}

func contentEmpty(c message.Content) bool {
	return len(c.KeyOrder) == 0 && c.ChatID == "" && c.Text == "" && c.ResponseTo == "" && c.ResponseToV2 == "" &&
		c.Name == "" && c.Hash == "" && c.Pack == nil && c.CommandPath == nil && c.Params == nil && len(c.Extra) == 0
}

func messageFromRecord(r *messengerstore.Message) *Message {
	m := &Message{ID: r.ID, ChatID: r.ChatID, From: r.From, Text: r.Text,
		ContentType: r.ContentType, MessageType: r.MessageType, Clock: r.Clock, Timestamp: r.Timestamp,
		ReceivedAt: r.ReceivedAt, ResponseTo: r.ResponseTo, Outgoing: r.Outgoing, Seen: r.Seen,
		Delivery: DeliveryState(r.Delivery)}
	if r.Content != "" {
		c, err := message.DecodeContent([]byte(r.Content), message.ContentType(r.ContentType))
		if err != nil { // not written by this store: keep what the record's fields say
			c = message.Content{Text: r.Text, ResponseTo: r.ResponseTo}
		}
		m.Content = c
	}
	return m
}

func deliveryRecord(d *Delivery) *messengerstore.Delivery {
	r := &messengerstore.Delivery{MessageID: d.MessageID, ChatID: d.ChatID,
		State: messengerstore.DeliveryState(d.State), Recipients: d.Recipients, AckedBy: d.AckedBy,
		UpdatedAt: d.UpdatedAt}
	if len(d.Confirmations) > 0 {
		r.Confirmations = make([]messengerstore.Confirmation, len(d.Confirmations))
		for i, c := range d.Confirmations {
			r.Confirmations[i] = messengerstore.Confirmation(c)
		}
	}
	return r
}

func deliveryFromRecord(r *messengerstore.Delivery) *Delivery {
	d := &Delivery{MessageID: r.MessageID, ChatID: r.ChatID, State: DeliveryState(r.State),
		Recipients: r.Recipients, AckedBy: r.AckedBy, UpdatedAt: r.UpdatedAt}
	if len(r.Confirmations) > 0 {
		d.Confirmations = make([]Confirmation, len(r.Confirmations))
		for i, c := range r.Confirmations {
			d.Confirmations[i] = Confirmation(c)
		}
	}
	return d
}

func contactRecord(c *Contact) *messengerstore.Contact {
	return &messengerstore.Contact{ID: c.ID, Name: c.Name, ProfileImage: c.ProfileImage, Address: c.Address,
		Added: c.Added, Blocked: c.Blocked, LastUpdated: c.LastUpdated, Devices: c.Devices, RequestReceived: c.RequestReceived}
}

func contactFromRecord(r *messengerstore.Contact) *Contact {
	return &Contact{ID: r.ID, Name: r.Name, ProfileImage: r.ProfileImage, Address: r.Address,
		Added: r.Added, Blocked: r.Blocked, LastUpdated: r.LastUpdated, Devices: r.Devices, RequestReceived: r.RequestReceived}
}

func outboxRecord(e *outboxEntry) *messengerstore.Outbox {
	return &messengerstore.Outbox{ID: e.ID, Recipients: e.Recipients, Body: e.Body}
}

func outboxFromRecord(r *messengerstore.Outbox) *outboxEntry {
	return &outboxEntry{ID: r.ID, Recipients: r.Recipients, Body: r.Body}
}

func groupRecord(g *storedGroup) *messengerstore.Group {
	r := &messengerstore.Group{ChatID: g.ChatID}
	if g.Updates != nil {
		r.Updates = make([]messengerstore.MembershipUpdate, len(g.Updates))
	}
	for i, u := range g.Updates {
		ru := messengerstore.MembershipUpdate{ChatID: u.ChatID, Signature: u.Signature, KeyOrder: u.KeyOrder}
		if u.Events != nil {
			ru.Events = make([]messengerstore.MembershipEvent, len(u.Events))
		}
		for j, e := range u.Events {
			ru.Events[j] = messengerstore.MembershipEvent{Type: e.Type, ClockValue: e.ClockValue, Name: e.Name,
				Member: e.Member, Members: e.Members, KeyOrder: e.KeyOrder}
		}
		r.Updates[i] = ru
	}
	return r
}

func groupFromRecord(r *messengerstore.Group) *storedGroup {
	g := &storedGroup{ChatID: r.ChatID}
	if r.Updates != nil {
		g.Updates = make([]message.MembershipUpdate, len(r.Updates))
	}
	for i, ru := range r.Updates {
		u := message.MembershipUpdate{ChatID: ru.ChatID, Signature: ru.Signature, KeyOrder: ru.KeyOrder}
		if ru.Events != nil {
			u.Events = make([]message.MembershipEvent, len(ru.Events))
		}
		for j, e := range ru.Events {
			u.Events[j] = message.MembershipEvent{Type: e.Type, ClockValue: e.ClockValue, Name: e.Name,
				Member: e.Member, Members: e.Members, KeyOrder: e.KeyOrder}
		}
		g.Updates[i] = u
	}
	return g
}
