package messenger

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/statusnode/statusd/storage"
)

// TableName is the storage table the messenger's own records live in. The
// encryption layer and MVDS keep theirs in storage/sessions.TableName and
// storage/datasyncstore.TableName of the same database.
const TableName = "messenger"

// Key layout (format 1) inside TableName; values are JSON unless noted:
//
//	"c" ‖ chat ID                          Chat
//	"m" ‖ message ID                       Message
//	"i" ‖ BE16 len ‖ chat ID ‖ BE64(^clock) ‖ message ID   index, empty value;
//	                                       ascending order = newest first
//	"t" ‖ message ID                       processed marker, empty: a deleted
//	                                       message or a non-chat payload already
//	                                       handled (dedupe)
//	"d" ‖ message ID                       Delivery
//	"x" ‖ MVDS message ID (32 bytes)       status message ID (raw string)
//	"k" ‖ contact ID                       Contact
//	"g" ‖ group chat ID                    []message.MembershipUpdate
//	"n" ‖ negotiated topic name            empty: negotiated topics to rejoin
//	"o" ‖ message ID                       outboxEntry: a 1:1 or group message
//	                                       stored but not yet appended to MVDS
//	"v" ‖ name                             meta value (raw bytes)
//
// Writes that belong together (a message, its index entry and its chat) go
// in one storage.Batch. The store is written before any event about the
// write is published (persist before events).
const (
	pfxChat       = 'c'
	pfxMessage    = 'm'
	pfxIndex      = 'i'
	pfxProcessed  = 't'
	pfxDelivery   = 'd'
	pfxMVDS       = 'x'
	pfxContact    = 'k'
	pfxGroup      = 'g'
	pfxNegotiated = 'n'
	pfxOutbox     = 'o'
	pfxMeta       = 'v'
)

const metaInstallation = "installation-id"

var errStopIter = errors.New("stop iteration")

// store is the messenger's record store over a storage.KV (normally a
// storage.Table). It holds no state of its own and is safe for concurrent
// use as far as the KV is; read-modify-write sequences are serialised by
// the callers' locks.
type store struct {
	kv storage.KV
}

func newStore(kv storage.KV) *store { return &store{kv: kv} }

func key(pfx byte, parts ...[]byte) []byte {
	k := []byte{pfx}
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

func (s *store) write(b *storage.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	if err := s.kv.Write(b); err != nil {
		return fmt.Errorf("%w: write: %w", ErrStore, err)
	}
	return nil
}

// getJSON reads k into v; found is false for a missing key.
func (s *store) getJSON(k []byte, v any) (bool, error) {
	raw, err := s.kv.Get(k)
	if errors.Is(err, storage.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("%w: get: %w", ErrStore, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return false, fmt.Errorf("%w: decode %q: %w", ErrStore, k[:1], err)
	}
	return true, nil
}

func putJSON(b *storage.Batch, k []byte, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("messenger: encode %T: %v", v, err)) // plain structs: cannot fail
	}
	b.Put(k, raw)
}

func (s *store) has(k []byte) (bool, error) {
	ok, err := s.kv.Has(k)
	if err != nil {
		return false, fmt.Errorf("%w: has: %w", ErrStore, err)
	}
	return ok, nil
}

// iterateJSON decodes every value under prefix into a fresh T.
func iterateJSON[T any](s *store, prefix []byte, fn func(v *T) error) error {
	err := s.kv.Iterate(prefix, nil, func(_, raw []byte) error {
		v := new(T)
		if err := json.Unmarshal(raw, v); err != nil {
			return fmt.Errorf("%w: decode %q: %w", ErrStore, prefix, err)
		}
		return fn(v)
	})
	if err != nil && !errors.Is(err, ErrStore) {
		return fmt.Errorf("%w: iterate: %w", ErrStore, err)
	}
	return err
}

// Chats.

func (s *store) chat(id string) (*Chat, error) {
	var c Chat
	ok, err := s.getJSON(key(pfxChat, []byte(id)), &c)
	if err != nil || !ok {
		return nil, err
	}
	return &c, nil
}

func putChat(b *storage.Batch, c *Chat) { putJSON(b, key(pfxChat, []byte(c.ID)), c) }

func (s *store) chats() ([]*Chat, error) {
	var out []*Chat
	err := iterateJSON(s, []byte{pfxChat}, func(c *Chat) error { out = append(out, c); return nil })
	return out, err
}

// Contacts.

func (s *store) contacts() ([]*Contact, error) {
	var out []*Contact
	err := iterateJSON(s, []byte{pfxContact}, func(c *Contact) error { out = append(out, c); return nil })
	return out, err
}

func putContact(b *storage.Batch, c *Contact) { putJSON(b, key(pfxContact, []byte(c.ID)), c) }

// MVDS message ID → status message ID (for ACKs).

func (s *store) putMVDS(mvdsID [32]byte, statusID string) error {
	if err := s.kv.Put(key(pfxMVDS, mvdsID[:]), []byte(statusID)); err != nil {
		return fmt.Errorf("%w: put: %w", ErrStore, err)
	}
	return nil
}

func (s *store) statusIDOf(mvdsID [32]byte) (string, bool, error) {
	v, err := s.kv.Get(key(pfxMVDS, mvdsID[:]))
	if errors.Is(err, storage.ErrNotFound) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("%w: get: %w", ErrStore, err)
	}
	return string(v), true, nil
}

// Negotiated topics and meta values.

func (s *store) negotiated() ([]string, error) {
	var out []string
	err := s.kv.Iterate([]byte{pfxNegotiated}, nil, func(k, _ []byte) error {
		out = append(out, string(k[1:]))
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: iterate: %w", ErrStore, err)
	}
	return out, nil
}

func (s *store) meta(name string) ([]byte, bool, error) {
	v, err := s.kv.Get(key(pfxMeta, []byte(name)))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("%w: get: %w", ErrStore, err)
	}
	return v, true, nil
}

func beUint16(n int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(n)) }
