package messenger

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

// message reads message id. The delivery state of an outgoing message is
// its delivery record's when it has one: the tracker (delivery.go) changes
// only that record, and the message record keeps the state it was stored
// with.
func (s *store) message(id string) (*Message, error) {
	r, err := s.rs.Message(id)
	if err != nil {
		return nil, storeErr(err)
	}
	if r == nil {
		return nil, fmt.Errorf("%w: %s", ErrMessageNotFound, id)
	}
	m := messageFromRecord(r)
	if m.Outgoing {
		d, err := s.rs.Delivery(id)
		if err != nil {
			return nil, storeErr(err)
		}
		if d != nil {
			m.Delivery = DeliveryState(d.State)
		}
	}
	st, _, err := s.rs.Meta(messengerstore.OutgoingStatusMeta(id))
	if err != nil {
		return nil, storeErr(err)
	}
	m.OutgoingStatus = string(st)
	return m, nil
}

// seen reports whether id was stored, deleted or processed before (dedupe).
func (s *store) seen(id string) (bool, error) {
	if ok, err := s.rs.Has(messengerstore.KindMessage, id); err != nil || ok {
		return ok, storeErr(err)
	}
	ok, err := s.rs.Has(messengerstore.KindProcessed, id)
	return ok, storeErr(err)
}

// putMessage adds m and its index entry to b.
func putMessage(b *storage.Batch, m *Message) { messengerstore.PutMessage(b, messageRecord(m)) }

// putMessageContent is putMessage with m's stored content (contentRecord's
// result) already encoded.
func putMessageContent(b *storage.Batch, m *Message, content string) {
	messengerstore.PutMessage(b, messageRecordContent(m, content))
}

func markProcessed(b *storage.Batch, id string) { messengerstore.PutProcessed(b, id) }

// deleteMessage adds the removal of m (record, index, delivery) to b and
// leaves a processed marker so a retransmitted copy is not shown again.
func deleteMessage(b *storage.Batch, m *Message) {
	messengerstore.DeleteMessage(b, m.ChatID, m.Clock, m.ID)
}

// Page is one page of Messages: newest first, and the cursor of the next
// (older) page, "" when there is none.
type Page struct {
	Messages []*Message `json:"messages"`
	Cursor   string     `json:"cursor"` // continues with older messages; "" at the end
}

// messages returns up to limit messages of chatID older than cursor
// (cursor "" = the newest), newest first. A cursor is the hex index
// position (messengerstore.IndexPosition) of the last message of the
// previous page.
func (s *store) messages(chatID, cursor string, limit int) (*Page, error) {
	var start []byte
	if cursor != "" {
		c, err := hex.DecodeString(cursor)
		if err != nil || len(c) < 8 {
			return nil, fmt.Errorf("%w: %q", ErrInvalidCursor, cursor)
		}
		start = c
	}
	page := &Page{}
	var ids []string
	var last []byte
	err := s.rs.ChatIndex(chatID, start, func(pos []byte, id string) error {
		if start != nil && string(pos) == string(start) {
			return nil
		}
		if len(ids) == limit {
			page.Cursor = hex.EncodeToString(last)
			return errStopIter
		}
		ids = append(ids, id)
		last = pos
		return nil
	})
	if err != nil && !errors.Is(err, errStopIter) {
		return nil, fmt.Errorf("%w: iterate: %w", ErrStore, err)
	}
	for _, id := range ids {
		m, err := s.message(id)
		if err != nil {
			return nil, err
		}
		s.quote(m)
		page.Messages = append(page.Messages, m)
	}
	return page, nil
}

// chatMessages returns every message of chatID, newest first.
func (s *store) chatMessages(chatID string) ([]*Message, error) {
	var out []*Message
	cursor := ""
	for {
		p, err := s.messages(chatID, cursor, 256)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Messages...)
		if p.Cursor == "" {
			return out, nil
		}
		cursor = p.Cursor
	}
}

// Deliveries.

func (s *store) delivery(id string) (*Delivery, error) {
	r, err := s.rs.Delivery(id)
	if err != nil || r == nil {
		return nil, storeErr(err)
	}
	return deliveryFromRecord(r), nil
}

// putDelivery adds d, confirmations included, to b.
func putDelivery(b *storage.Batch, d *Delivery) { messengerstore.PutDelivery(b, deliveryRecord(d)) }

// quote fills m.Quoted from the stored message m.ResponseTo names, if any.
func (s *store) quote(m *Message) {
	if m.ResponseTo == "" {
		return
	}
	r, err := s.rs.Message(m.ResponseTo)
	if err != nil || r == nil {
		return
	}
	m.Quoted = &Quoted{ID: r.ID, From: r.From, Text: r.Text, ContentType: r.ContentType}
}
