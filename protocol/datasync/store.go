package datasync

import (
	"sync"
)

// Store is what a driver implements to keep a node's state across restarts.
// The node never calls it: the driver calls Apply with each Ready's Changes
// before sending that Ready's payloads, and Load once at start-up to build
// the node with RestartNode.
type Store interface {
	// Load returns the persisted state; an empty Snapshot for a new store.
	Load() (Snapshot, error)
	// Apply persists c atomically: after a crash either all of c is visible
	// to Load or none of it is. It must not retain c's slices.
	Apply(c Changes) error
}

// MemoryStore is an in-memory Store for tests and simulations. It is safe
// for concurrent use.
type MemoryStore struct {
	mu       sync.Mutex
	epoch    uint64
	records  map[RecordKey]Record
	messages map[MessageID]Message
	order    []MessageID         // insertion order of messages; released ones are skipped
	released map[MessageID]int64 // release time, Unix seconds
	members  map[Membership]struct{}
	applied  int // number of Apply calls, for tests
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		records:  make(map[RecordKey]Record),
		messages: make(map[MessageID]Message),
		released: make(map[MessageID]int64),
		members:  make(map[Membership]struct{}),
	}
}

// Apply implements Store.
func (s *MemoryStore) Apply(c Changes) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyLocked(c)
	return nil
}

func (s *MemoryStore) applyLocked(c Changes) {
	s.applied++
	if c.EpochChanged {
		s.epoch = c.Epoch
	}
	for _, k := range c.DeleteRecords {
		delete(s.records, k)
	}
	for _, e := range c.PutRecords {
		s.records[e.Key] = e.Record
	}
	for _, m := range c.PutMessages {
		id := m.ID()
		if _, ok := s.messages[id]; ok {
			continue
		}
		delete(s.released, id) // forgotten by the node, and received again
		m.Body = append([]byte(nil), m.Body...)
		s.messages[id] = m
		s.order = append(s.order, id)
	}
	for _, r := range c.ReleaseMessages {
		if _, ok := s.messages[r.ID]; ok {
			delete(s.messages, r.ID)
			s.released[r.ID] = r.At
		}
	}
	for _, id := range c.ForgetMessages {
		delete(s.released, id)
	}
	for _, m := range c.RemoveMembers {
		delete(s.members, m)
	}
	for _, m := range c.AddMembers {
		s.members[m] = struct{}{}
	}
}

// Load implements Store. The returned snapshot is a deep copy in a
// deterministic order.
func (s *MemoryStore) Load() (Snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := Snapshot{Epoch: s.epoch}
	keys := make([]RecordKey, 0, len(s.records))
	for k := range s.records {
		keys = append(keys, k)
	}
	sortKeys(keys)
	for _, k := range keys {
		snap.Records = append(snap.Records, RecordEntry{Key: k, Record: s.records[k]})
	}
	listed := make(map[MessageID]struct{}, len(s.messages))
	for _, id := range s.order {
		m, ok := s.messages[id]
		if _, dup := listed[id]; !ok || dup {
			continue // released, or stored again after ForgetMessages
		}
		listed[id] = struct{}{}
		m.Body = append([]byte(nil), m.Body...)
		snap.Messages = append(snap.Messages, m)
	}
	for id, at := range s.released {
		snap.Released = append(snap.Released, Released{ID: id, At: at})
	}
	sortReleased(snap.Released)
	for m := range s.members {
		snap.Members = append(snap.Members, m)
	}
	sortMemberships(snap.Members)
	return snap, nil
}

// Applies returns the number of Apply calls so far.
func (s *MemoryStore) Applies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied
}
