package datasyncstore

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
)

// TableName is the table statusd keeps MVDS state in.
const TableName = "mvds"

// Sentinel errors.
var (
	// ErrCorrupt: a stored entry has the wrong size or does not match its
	// key. Load stops at the first one.
	ErrCorrupt = errors.New("datasyncstore: corrupt entry")

	// ErrUnknownPending: a pending delivery names a message that is not
	// stored.
	ErrUnknownPending = errors.New("datasyncstore: pending delivery of unknown message")
)

// Store keeps one MVDS node's state in a storage.KV. It implements
// datasync.Store. It is safe for concurrent use as far as the KV is, but the
// driver calls it from its one goroutine.
type Store struct {
	kv storage.KV
}

var _ datasync.Store = (*Store)(nil)

// New returns a store over kv, normally storage.NewTable(db, TableName). One
// KV holds the state of one node.
func New(kv storage.KV) *Store { return &Store{kv: kv} }

// Sync makes every write of the store so far durable, across a power
// loss (storage.Sync of its KV; nothing to do for a KV that cannot sync).
// internal/datasync's driver calls it before a payload carrying ACKs
// leaves, so an acknowledged message is never lost.
func (s *Store) Sync() error { return storage.Sync(s.kv) }

// Apply implements datasync.Store: it persists c in one atomic batch.
func (s *Store) Apply(c datasync.Changes) error { return s.ApplyReady(c, nil) }

// ApplyReady persists c and marks the messages of deliver as pending
// delivery (with their senders), in one atomic batch: after a crash, either the node's state
// includes the messages and they are pending, or neither. The driver calls
// it before sending anything of the Ready the changes come from, and
// Delivered once the application has the messages. A message of
// c.ReleaseMessages loses its body and its pending mark (the driver
// releases only messages the application has), and one of
// c.ForgetMessages its row, in the same batch. It does not retain c.
func (s *Store) ApplyReady(c datasync.Changes, deliver []datasync.Delivery) error {
	var b storage.Batch
	if c.EpochChanged {
		var v [8]byte
		binary.BigEndian.PutUint64(v[:], c.Epoch)
		b.Put(epochKey, v[:])
	}
	for _, k := range c.DeleteRecords {
		b.Delete(recordKey(k))
	}
	for _, e := range c.PutRecords {
		b.Put(recordKey(e.Key), encodeRecord(e.Record))
	}
	for _, m := range c.PutMessages {
		b.Put(messageKey(m.ID()), encodeMessage(m))
	}
	for _, r := range c.ReleaseMessages {
		b.Put(messageKey(r.ID), encodeReleased(r.At)) // after PutMessages: the ID alone stays
		b.Delete(pendingKey(r.ID))                    // a released message was delivered
	}
	for _, id := range c.ForgetMessages {
		b.Delete(messageKey(id)) // after ReleaseMessages: released and forgotten is gone
	}
	for _, mb := range c.RemoveMembers {
		b.Delete(memberKey(mb))
	}
	for _, mb := range c.AddMembers {
		b.Put(memberKey(mb), nil)
	}
	for _, d := range deliver {
		b.Put(pendingKey(d.ID()), encodePending(d.From))
	}
	if b.Len() == 0 {
		return nil
	}
	if err := s.kv.Write(&b); err != nil {
		return fmt.Errorf("datasyncstore: apply: %w", err)
	}
	return nil
}

// Delivered clears the pending mark of ids: the application has them.
func (s *Store) Delivered(ids []datasync.MessageID) error {
	if len(ids) == 0 {
		return nil
	}
	var b storage.Batch
	for _, id := range ids {
		b.Delete(pendingKey(id))
	}
	if err := s.kv.Write(&b); err != nil {
		return fmt.Errorf("datasyncstore: delivered: %w", err)
	}
	return nil
}

// Pending returns the messages persisted by ApplyReady whose delivery was
// not confirmed with Delivered, with their senders, in key order. The driver hands them to the
// application again at start-up: after a crash the application may see a
// message twice (it dedupes by ID), never zero times.
func (s *Store) Pending() ([]datasync.Delivery, error) {
	var ids []datasync.MessageID
	var froms []datasync.PeerID
	err := s.kv.Iterate([]byte{prefixPending}, nil, func(k, v []byte) error {
		id, from, err := decodePending(k, v)
		ids, froms = append(ids, id), append(froms, from)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("datasyncstore: pending: %w", err)
	}
	out := make([]datasync.Delivery, 0, len(ids))
	for i, id := range ids {
		v, err := s.kv.Get(messageKey(id))
		if errors.Is(err, storage.ErrNotFound) {
			return nil, fmt.Errorf("%w: %s", ErrUnknownPending, id)
		}
		if err != nil {
			return nil, fmt.Errorf("datasyncstore: pending: %w", err)
		}
		if isReleased(v) { // released: cannot be handed out again
			return nil, fmt.Errorf("%w: %s was released", ErrUnknownPending, id)
		}
		m, err := decodeMessage(messageKey(id), v)
		if err != nil {
			return nil, err
		}
		out = append(out, datasync.Delivery{From: froms[i], Message: m})
	}
	return out, nil
}

// Load implements datasync.Store: the persisted state in key order, or an
// empty Snapshot for an empty KV. Errors wrap ErrCorrupt for a damaged entry.
func (s *Store) Load() (datasync.Snapshot, error) {
	var snap datasync.Snapshot
	v, err := s.kv.Get(epochKey)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return snap, fmt.Errorf("datasyncstore: load epoch: %w", err)
	case len(v) != 8:
		return snap, fmt.Errorf("%w: epoch of %d bytes", ErrCorrupt, len(v))
	default:
		snap.Epoch = binary.BigEndian.Uint64(v)
	}
	err = s.kv.Iterate([]byte{prefixRecord}, nil, func(k, v []byte) error {
		e, err := decodeRecord(k, v)
		snap.Records = append(snap.Records, e)
		return err
	})
	if err == nil {
		err = s.kv.Iterate([]byte{prefixMessage}, nil, func(k, v []byte) error {
			if isReleased(v) {
				r, err := decodeReleased(k, v)
				snap.Released = append(snap.Released, r)
				return err
			}
			m, err := decodeMessage(k, v)
			snap.Messages = append(snap.Messages, m)
			return err
		})
	}
	if err == nil {
		err = s.kv.Iterate([]byte{prefixMember}, nil, func(k, _ []byte) error {
			mb, err := decodeMember(k)
			snap.Members = append(snap.Members, mb)
			return err
		})
	}
	if err != nil {
		return datasync.Snapshot{}, fmt.Errorf("datasyncstore: load: %w", err)
	}
	return snap, nil
}
