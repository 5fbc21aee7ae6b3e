package messenger

import (
	"errors"
	"fmt"

	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

// TableName is the storage table the messenger's own records live in. The
// encryption layer and MVDS keep theirs in storage/sessions.TableName and
// storage/datasyncstore.TableName of the same database.
const TableName = messengerstore.TableName

// Key prefixes: the record kinds of storage/messengerstore, whose doc.go
// has the key layout, the value formats and the format versions. The
// store converts the messenger's domain types to those records and back
// (store_records.go); no domain type is ever encoded directly.
//
// Writes that belong together (a message, its index entry and its chat) go
// in one storage.Batch. The store is written before any event about the
// write is published (persist before events).
const (
	pfxChat       = byte(messengerstore.KindChat)
	pfxMessage    = byte(messengerstore.KindMessage)
	pfxIndex      = byte(messengerstore.KindIndex)
	pfxProcessed  = byte(messengerstore.KindProcessed)
	pfxDelivery   = byte(messengerstore.KindDelivery)
	pfxMVDS       = byte(messengerstore.KindMVDS)
	pfxContact    = byte(messengerstore.KindContact)
	pfxGroup      = byte(messengerstore.KindGroup)
	pfxNegotiated = byte(messengerstore.KindNegotiated)
	pfxOutbox     = byte(messengerstore.KindOutbox)
	pfxMeta       = byte(messengerstore.KindMeta)
)

const metaInstallation = messengerstore.MetaInstallation

// metaSessionsFor names the meta value holding the installation ID whose
// keys the session store was last opened with.
const metaSessionsFor = "sessions-for"

var errStopIter = errors.New("stop iteration")

// store is the messenger's record store over a storage.KV (normally a
// storage.Table): a thin layer over storage/messengerstore converting
// domain values to records and back. It holds no state of its own and is
// safe for concurrent use as far as the KV is; read-modify-write sequences
// are serialised by the callers' locks.
type store struct {
	kv storage.KV
	rs *messengerstore.Store
}

func newStore(kv storage.KV) *store { return &store{kv: kv, rs: messengerstore.New(kv)} }

// migrate brings the table to the current record format; Start calls it
// before anything else touches the table.
func (s *store) migrate() error {
	if _, err := s.rs.Migrate(); err != nil {
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	return nil
}

func key(pfx byte, parts ...[]byte) []byte {
	k := []byte{pfx}
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

func (s *store) write(b *storage.Batch) error {
	if err := s.rs.Write(b); err != nil {
		return fmt.Errorf("%w: %w", ErrStore, err)
	}
	return nil
}

// putJSON adds the record of the domain value v (see encodeRecord) under k
// to b. k must be the key of v's record kind.
func putJSON(b *storage.Batch, k []byte, v any) { b.Put(k, encodeRecord(v)) }

// iterateJSON decodes every record under prefix into a fresh T, a domain
// type decodeRecord knows.
func iterateJSON[T any](s *store, prefix []byte, fn func(v *T) error) error {
	err := s.kv.Iterate(prefix, nil, func(_, raw []byte) error {
		v := new(T)
		if err := decodeRecord(raw, v); err != nil {
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

func putChat(b *storage.Batch, c *Chat) { messengerstore.PutChat(b, chatRecord(c)) }

func (s *store) chats() ([]*Chat, error) {
	var out []*Chat
	err := s.rs.Chats(func(r *messengerstore.Chat) error { out = append(out, chatFromRecord(r)); return nil })
	return out, storeErr(err)
}

// Contacts.

func (s *store) contacts() ([]*Contact, error) {
	var out []*Contact
	err := s.rs.Contacts(func(r *messengerstore.Contact) error { out = append(out, contactFromRecord(r)); return nil })
	return out, storeErr(err)
}

func putContact(b *storage.Batch, c *Contact) { messengerstore.PutContact(b, contactRecord(c)) }

// MVDS message ID → status message ID (for ACKs).

// putMVDS adds MVDS message ID → status message ID to b.
func putMVDS(b *storage.Batch, mvdsID [32]byte, statusID string) {
	b.Put(messengerstore.MVDSKey(mvdsID), []byte(statusID))
}

func (s *store) statusIDOf(mvdsID [32]byte) (string, bool, error) {
	id, ok, err := s.rs.StatusID(mvdsID)
	return id, ok, storeErr(err)
}

// Negotiated topics and meta values.

func (s *store) negotiated() ([]string, error) {
	names, err := s.rs.Negotiated()
	return names, storeErr(err)
}

func (s *store) meta(name string) ([]byte, bool, error) {
	v, ok, err := s.rs.Meta(name)
	return v, ok, storeErr(err)
}

// storeErr wraps a messengerstore error as ErrStore; nil stays nil.
func storeErr(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%w: %w", ErrStore, err)
}
