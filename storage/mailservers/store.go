package mailservers

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/statusnode/statusd/storage"
)

// TableName is the table statusd keeps the namespace's records in.
const TableName = "mailservers"

// MaxKeyLen bounds the IDs, topics and chat IDs used in keys.
const MaxKeyLen = 4096

// ErrInvalid refuses a record whose ID, topic or chat ID is over MaxKeyLen bytes.
var ErrInvalid = errors.New("mailservers: invalid record")

// Mailserver is one mailserver the user knows. Password "" means none.
type Mailserver struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Address  string `json:"address"`
	Password string `json:"password,omitempty"`
	Fleet    string `json:"fleet"`
}

// Gap is a range of a chat's history that has not been fetched yet.
type Gap struct {
	ID     string `json:"id"`
	ChatID string `json:"chatId"`
	From   uint64 `json:"from"`
	To     uint64 `json:"to"`
}

// Topic is the request bookkeeping of one Whisper topic. ChatIDs nil and
// empty are kept apart.
type Topic struct {
	Topic       string   `json:"topic"`
	ChatIDs     []string `json:"chatIds"`
	LastRequest int64    `json:"lastRequest"`
}

// Range is the span of a chat's history already requested.
type Range struct {
	ChatID            string `json:"chatId"`
	LowestRequestFrom int64  `json:"lowest"`
	HighestRequestTo  int64  `json:"highest"`
}

// Store keeps the records in a storage.KV. Lists it returns are fresh
// slices owned by the caller; a list with no record is nil.
type Store struct {
	kv storage.KV
	mu sync.Mutex // serialises the read-modify-write of AddGaps and DeleteGaps
}

// New returns a store over kv, normally storage.NewTable(db, TableName).
func New(kv storage.KV) *Store { return &Store{kv: kv} }

const (
	pMailserver = 'm'
	pGap        = 'g'
	pGapIndex   = 'G'
	pTopic      = 't'
	pRange      = 'r'
)

func key(prefix byte, s string) []byte {
	return append([]byte{prefix}, s...)
}

func chatGapsPrefix(chatID string) []byte {
	k := make([]byte, 3, 3+len(chatID))
	k[0] = pGap
	binary.BigEndian.PutUint16(k[1:], uint16(len(chatID)))
	return append(k, chatID...)
}

func gapKey(chatID, id string) []byte { return append(chatGapsPrefix(chatID), id...) }

func check(what, s string) error {
	if len(s) > MaxKeyLen {
		return fmt.Errorf("%w: %s is %d bytes, over %d", ErrInvalid, what, len(s), MaxKeyLen)
	}
	return nil
}

// AddMailserver stores m, replacing the mailserver with the same ID.
func (s *Store) AddMailserver(m Mailserver) error {
	if err := check("id", m.ID); err != nil {
		return err
	}
	return s.put(key(pMailserver, m.ID), m)
}

// Mailservers lists the mailservers by ID.
func (s *Store) Mailservers() ([]Mailserver, error) {
	return list[Mailserver](s.kv, []byte{pMailserver})
}

// DeleteMailserver removes the mailserver id; a missing one is no error.
func (s *Store) DeleteMailserver(id string) error {
	return s.del(key(pMailserver, id))
}

// AddGaps stores gaps in one batch, each replacing the gap with the same
// ID, whichever chat that gap belonged to. Of two gaps with one ID in gaps,
// the later wins.
func (s *Store) AddGaps(gaps []Gap) error {
	for _, g := range gaps {
		if err := check("gap id", g.ID); err != nil {
			return err
		}
		if err := check("gap chatId", g.ChatID); err != nil {
			return err
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var b storage.Batch
	chatOf := map[string]string{} // gap ID → chat ID as of this batch
	for _, g := range gaps {
		old, ok := chatOf[g.ID]
		if !ok {
			var err error
			if old, ok, err = s.gapChat(g.ID); err != nil {
				return err
			}
		}
		if ok && old != g.ChatID {
			b.Delete(gapKey(old, g.ID))
		}
		v, err := json.Marshal(g)
		if err != nil {
			return fmt.Errorf("mailservers: encode: %w", err)
		}
		b.Put(gapKey(g.ChatID, g.ID), v)
		b.Put(key(pGapIndex, g.ID), []byte(g.ChatID))
		chatOf[g.ID] = g.ChatID
	}
	return s.write(&b)
}

// gapChat returns the chat of the stored gap id.
func (s *Store) gapChat(id string) (string, bool, error) {
	v, err := s.kv.Get(key(pGapIndex, id))
	if errors.Is(err, storage.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("mailservers: read: %w", err)
	}
	return string(v), true, nil
}

// Gaps lists the gaps of chatID by gap ID.
func (s *Store) Gaps(chatID string) ([]Gap, error) {
	if len(chatID) > MaxKeyLen {
		return nil, nil
	}
	return list[Gap](s.kv, chatGapsPrefix(chatID))
}

// DeleteGaps removes the gaps with the given IDs; missing ones are no
// error.
func (s *Store) DeleteGaps(ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b storage.Batch
	for _, id := range ids {
		chat, ok, err := s.gapChat(id)
		if err != nil {
			return err
		}
		if ok {
			b.Delete(gapKey(chat, id))
			b.Delete(key(pGapIndex, id))
		}
	}
	return s.write(&b)
}

// DeleteChatGaps removes every gap of chatID.
func (s *Store) DeleteChatGaps(chatID string) error {
	if len(chatID) > MaxKeyLen {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var b storage.Batch
	prefix := chatGapsPrefix(chatID)
	err := s.kv.Iterate(prefix, nil, func(k, _ []byte) error {
		b.Delete(k)
		b.Delete(key(pGapIndex, string(k[len(prefix):])))
		return nil
	})
	if err != nil {
		return fmt.Errorf("mailservers: read: %w", err)
	}
	return s.write(&b)
}

// AddTopic stores t, replacing the record of the same topic.
func (s *Store) AddTopic(t Topic) error {
	if err := check("topic", t.Topic); err != nil {
		return err
	}
	return s.put(key(pTopic, t.Topic), t)
}

// Topics lists the topics in topic order.
func (s *Store) Topics() ([]Topic, error) { return list[Topic](s.kv, []byte{pTopic}) }

// DeleteTopic removes the record of topic.
func (s *Store) DeleteTopic(topic string) error { return s.del(key(pTopic, topic)) }

// AddRange stores r, replacing the range of the same chat.
func (s *Store) AddRange(r Range) error {
	if err := check("chat-id", r.ChatID); err != nil {
		return err
	}
	return s.put(key(pRange, r.ChatID), r)
}

// Ranges lists the chat request ranges by chat ID.
func (s *Store) Ranges() ([]Range, error) { return list[Range](s.kv, []byte{pRange}) }

// DeleteRange removes the range of chatID.
func (s *Store) DeleteRange(chatID string) error { return s.del(key(pRange, chatID)) }

func (s *Store) put(k []byte, rec any) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("mailservers: encode: %w", err)
	}
	if err := s.kv.Put(k, v); err != nil {
		return fmt.Errorf("mailservers: write: %w", err)
	}
	return nil
}

func (s *Store) del(k []byte) error {
	if len(k) > 1+MaxKeyLen {
		return nil // no such record can exist
	}
	if err := s.kv.Delete(k); err != nil {
		return fmt.Errorf("mailservers: write: %w", err)
	}
	return nil
}

func (s *Store) write(b *storage.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	if err := s.kv.Write(b); err != nil {
		return fmt.Errorf("mailservers: write: %w", err)
	}
	return nil
}

// list decodes every record under prefix, in key order.
func list[T any](kv storage.KV, prefix []byte) ([]T, error) {
	var out []T
	err := kv.Iterate(prefix, nil, func(_, v []byte) error {
		var rec T
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("mailservers: decode: %w", err)
		}
		out = append(out, rec)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mailservers: read: %w", err)
	}
	return out, nil
}
