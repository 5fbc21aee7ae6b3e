package messenger

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/statusnode/statusd/storage"
)

// indexPrefix is "i" ‖ BE16 len ‖ chat ID.
func indexPrefix(chatID string) []byte {
	return key(pfxIndex, beUint16(len(chatID)), []byte(chatID))
}

// indexSuffix is BE64(^clock) ‖ message ID: ascending keys give the newest
// message (highest clock) first; equal clocks order by ID.
func indexSuffix(clock int64, id string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, ^uint64(clock)), id...)
}

func (s *store) message(id string) (*Message, error) {
	var m Message
	ok, err := s.getJSON(key(pfxMessage, []byte(id)), &m)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrMessageNotFound, id)
	}
	return &m, nil
}

// seen reports whether id was stored, deleted or processed before (dedupe).
func (s *store) seen(id string) (bool, error) {
	if ok, err := s.has(key(pfxMessage, []byte(id))); err != nil || ok {
		return ok, err
	}
	return s.has(key(pfxProcessed, []byte(id)))
}

// putMessage adds m and its index entry to b.
func putMessage(b *storage.Batch, m *Message) {
	putJSON(b, key(pfxMessage, []byte(m.ID)), m)
	b.Put(append(indexPrefix(m.ChatID), indexSuffix(m.Clock, m.ID)...), nil)
}

func markProcessed(b *storage.Batch, id string) { b.Put(key(pfxProcessed, []byte(id)), nil) }

// deleteMessage adds the removal of m (record, index, delivery) to b and
// leaves a processed marker so a retransmitted copy is not shown again.
func deleteMessage(b *storage.Batch, m *Message) {
	b.Delete(key(pfxMessage, []byte(m.ID)))
	b.Delete(append(indexPrefix(m.ChatID), indexSuffix(m.Clock, m.ID)...))
	b.Delete(key(pfxDelivery, []byte(m.ID)))
	markProcessed(b, m.ID)
}

// Page is one page of Messages: newest first, and the cursor of the next
// (older) page, "" when there is none.
type Page struct {
	Messages []*Message `json:"messages"`
	Cursor   string     `json:"cursor"` // continues with older messages; "" at the end
}

// messages returns up to limit messages of chatID older than cursor
// (cursor "" = the newest), newest first.
func (s *store) messages(chatID, cursor string, limit int) (*Page, error) {
	prefix := indexPrefix(chatID)
	var start []byte
	if cursor != "" {
		c, err := hex.DecodeString(cursor)
		if err != nil || len(c) < 8 {
			return nil, fmt.Errorf("%w: %q", ErrInvalidCursor, cursor)
		}
		start = append(bytes.Clone(prefix), c...)
	}
	page := &Page{}
	var ids []string
	var last []byte
	err := s.kv.Iterate(prefix, start, func(k, _ []byte) error {
		if start != nil && bytes.Equal(k, start) {
			return nil
		}
		if len(ids) == limit {
			page.Cursor = hex.EncodeToString(last)
			return errStopIter
		}
		ids = append(ids, string(k[len(prefix)+8:]))
		last = bytes.Clone(k[len(prefix):])
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
	var d Delivery
	ok, err := s.getJSON(key(pfxDelivery, []byte(id)), &d)
	if err != nil || !ok {
		return nil, err
	}
	return &d, nil
}

func putDelivery(b *storage.Batch, d *Delivery) {
	putJSON(b, key(pfxDelivery, []byte(d.MessageID)), d)
}
