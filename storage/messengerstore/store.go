package messengerstore

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/statusnode/statusd/storage"
)

// Store reads and writes the messenger's records in a KV (normally
// storage.NewTable(db, TableName)). Writes that belong together are
// collected in a storage.Batch with the Put… and Delete… functions and
// committed with Write.
//
// Errors from the KV are returned wrapped; a value its decoder rejects is
// ErrCorrupt. Returned records are the caller's.
//
// A Store keeps the delivery records and MVDS ID mappings it wrote last
// (at most DefaultCacheEntries) in memory, so that reading them again
// soon after — as each envelope confirmation and ACK does — costs no
// database look-up (recordCache). It must therefore be the only writer of
// its table.
type Store struct {
	kv    storage.KV
	cache *recordCache
}

// New returns a Store over kv keeping DefaultCacheEntries records in
// memory. It does not touch kv; call Migrate once before the first read or
// write.
func New(kv storage.KV) *Store { return NewWithCache(kv, DefaultCacheEntries) }

// NewWithCache is New keeping at most entries records in memory; with 0
// every read goes to kv.
func NewWithCache(kv storage.KV, entries int) *Store {
	s := &Store{kv: kv}
	if entries > 0 {
		s.cache = newRecordCache(entries)
	}
	return s
}

// Migrate brings the table to Version (an empty table is stamped
// directly) and returns the version it had before: 0 for a table written
// before versions existed or a new one. It fails with storage.ErrTooNew
// for a table written by a newer build. Call it before any other method,
// with no concurrent writers.
func (s *Store) Migrate() (uint32, error) {
	before, err := storage.Migrate(s.kv, Version, migrations)
	s.cache.reset() // the migrations wrote the table directly
	if err != nil {
		return before, fmt.Errorf("messengerstore: %w", err)
	}
	return before, nil
}

// Version returns the table's stored format version (0 if none).
func (s *Store) Version() (uint32, error) {
	v, _, err := storage.ReadFormat(s.kv)
	return v, err
}

// Write commits b atomically; an empty batch is not written.
func (s *Store) Write(b *storage.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	s.cache.beginBatch(b)
	err := s.kv.Write(b)
	s.cache.endBatch(b, err == nil)
	if err != nil {
		return fmt.Errorf("messengerstore: write: %w", err)
	}
	return nil
}

// get returns the value of key; found is false for a missing key. A value
// from the record cache is the cache's: callers decode it, and must not
// change or keep it.
func (s *Store) get(key []byte) ([]byte, bool, error) {
	if v, ok := s.cache.get(key); ok {
		return v, true, nil
	}
	v, err := s.kv.Get(key)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("messengerstore: get %s: %w", Kind(key[0]), err)
	}
	return v, true, nil
}

func getRecord[T any](s *Store, key []byte, decode func([]byte) (*T, error)) (*T, error) {
	raw, ok, err := s.get(key)
	if err != nil || !ok {
		return nil, err
	}
	return decode(raw)
}

// Has reports whether a record of kind with id exists.
func (s *Store) Has(kind Kind, id string) (bool, error) {
	ok, err := s.kv.Has(Key(kind, id))
	if err != nil {
		return false, fmt.Errorf("messengerstore: has %s: %w", kind, err)
	}
	return ok, nil
}

// iterate calls fn with each decoded value of kind in key order and stops
// at the first error, which it returns unchanged if fn's.
func iterate[T any](s *Store, kind Kind, decode func([]byte) (*T, error), fn func(*T) error) error {
	var fnErr error
	err := s.kv.Iterate([]byte{byte(kind)}, nil, func(_, raw []byte) error {
		v, err := decode(raw)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			fnErr = err
			return err
		}
		return nil
	})
	switch {
	case fnErr != nil:
		return fnErr
	case err != nil && !errors.Is(err, ErrCorrupt):
		return fmt.Errorf("messengerstore: iterate %s: %w", kind, err)
	}
	return err
}

// Chat returns the chat with id, or nil if there is none.
func (s *Store) Chat(id string) (*Chat, error) {
	return getRecord(s, Key(KindChat, id), DecodeChat)
}

// Chats calls fn for every chat in ID order.
func (s *Store) Chats(fn func(*Chat) error) error { return iterate(s, KindChat, DecodeChat, fn) }

// Message returns the message with id, or nil if there is none.
func (s *Store) Message(id string) (*Message, error) {
	return getRecord(s, Key(KindMessage, id), DecodeMessage)
}

// Delivery returns the delivery record of message id, or nil.
func (s *Store) Delivery(id string) (*Delivery, error) {
	return getRecord(s, Key(KindDelivery, id), DecodeDelivery)
}

// Contacts calls fn for every contact in ID order.
func (s *Store) Contacts(fn func(*Contact) error) error {
	return iterate(s, KindContact, DecodeContact, fn)
}

// Groups calls fn for every group in chat ID order.
func (s *Store) Groups(fn func(*Group) error) error { return iterate(s, KindGroup, DecodeGroup, fn) }

// Outbox calls fn for every outbox entry in message ID order.
func (s *Store) Outbox(fn func(*Outbox) error) error {
	return iterate(s, KindOutbox, DecodeOutbox, fn)
}

// ChatIndex calls fn with the position (IndexPosition) and message ID of
// each index entry of chatID, newest first, starting at the first position
// >= start (nil: the newest). The position slice is fn's to keep. It stops
// at the first error fn returns and returns it unchanged.
func (s *Store) ChatIndex(chatID string, start []byte, fn func(pos []byte, id string) error) error {
	prefix := IndexPrefix(chatID)
	var from []byte
	if start != nil {
		from = append(bytes.Clone(prefix), start...)
	}
	var fnErr error
	err := s.kv.Iterate(prefix, from, func(k, _ []byte) error {
		pos := k[len(prefix):]
		if len(pos) < positionLen {
			return fmt.Errorf("%w: index key of %d bytes", ErrCorrupt, len(k))
		}
		if err := fn(bytes.Clone(pos), string(pos[positionLen:])); err != nil {
			fnErr = err
			return err
		}
		return nil
	})
	switch {
	case fnErr != nil:
		return fnErr
	case err != nil && !errors.Is(err, ErrCorrupt):
		return fmt.Errorf("messengerstore: iterate index: %w", err)
	}
	return err
}

// StatusID returns the status message ID an MVDS message ID maps to.
func (s *Store) StatusID(mvdsID [32]byte) (string, bool, error) {
	v, ok, err := s.get(MVDSKey(mvdsID))
	return string(v), ok, err
}

// PutMVDS records MVDS message ID → status message ID at once.
func (s *Store) PutMVDS(mvdsID [32]byte, statusID string) error {
	key := MVDSKey(mvdsID)
	s.cache.begin(key)
	err := s.kv.Put(key, []byte(statusID))
	s.cache.end(key, []byte(statusID), err == nil)
	if err != nil {
		return fmt.Errorf("messengerstore: put %s: %w", KindMVDS, err)
	}
	return nil
}

// Negotiated returns the names of the negotiated topics to rejoin.
func (s *Store) Negotiated() ([]string, error) {
	var out []string
	err := s.kv.Iterate([]byte{byte(KindNegotiated)}, nil, func(k, _ []byte) error {
		out = append(out, string(k[1:]))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("messengerstore: iterate %s: %w", KindNegotiated, err)
	}
	return out, nil
}

// Meta returns the meta value name.
func (s *Store) Meta(name string) ([]byte, bool, error) { return s.get(Key(KindMeta, name)) }

// Batch writers. Each adds the writes of one record to b.

// PutChat writes c.
func PutChat(b *storage.Batch, c *Chat) { b.Put(Key(KindChat, c.ID), EncodeChat(c)) }

// PutMessage writes m and its index entry.
func PutMessage(b *storage.Batch, m *Message) {
	b.Put(Key(KindMessage, m.ID), EncodeMessage(m))
	b.Put(IndexKey(m.ChatID, m.Clock, m.ID), nil)
}

// UpdateMessage rewrites m's record only: its chat, clock and ID (hence
// its index entry) must be those already stored.
func UpdateMessage(b *storage.Batch, m *Message) { b.Put(Key(KindMessage, m.ID), EncodeMessage(m)) }

// DeleteMessage removes the message (record, index entry, delivery record
// and the frontend's outgoing status) and leaves a processed marker in its
// place.
func DeleteMessage(b *storage.Batch, chatID string, clock int64, id string) {
	b.Delete(Key(KindMessage, id))
	b.Delete(IndexKey(chatID, clock, id))
	b.Delete(Key(KindDelivery, id))
	b.Delete(Key(KindMeta, OutgoingStatusMeta(id)))
	PutProcessed(b, id)
}

// PutProcessed writes the processed marker of message id.
func PutProcessed(b *storage.Batch, id string) { b.Put(Key(KindProcessed, id), nil) }

// PutDelivery writes d.
func PutDelivery(b *storage.Batch, d *Delivery) {
	b.Put(Key(KindDelivery, d.MessageID), EncodeDelivery(d))
}

// PutContact writes c.
func PutContact(b *storage.Batch, c *Contact) { b.Put(Key(KindContact, c.ID), EncodeContact(c)) }

// PutGroup writes g.
func PutGroup(b *storage.Batch, g *Group) { b.Put(Key(KindGroup, g.ChatID), EncodeGroup(g)) }

// PutOutbox writes o.
func PutOutbox(b *storage.Batch, o *Outbox) { b.Put(Key(KindOutbox, o.ID), EncodeOutbox(o)) }

// DeleteOutbox removes the outbox entry of message id.
func DeleteOutbox(b *storage.Batch, id string) { b.Delete(Key(KindOutbox, id)) }

// PutNegotiated records a negotiated topic to rejoin.
func PutNegotiated(b *storage.Batch, name string) { b.Put(Key(KindNegotiated, name), nil) }

// PutMeta writes the meta value name.
func PutMeta(b *storage.Batch, name string, value []byte) { b.Put(Key(KindMeta, name), value) }
