package encryptiontest

import (
	"errors"
	"fmt"
	"sync"

	"github.com/statusnode/statusd/protocol/encryption"
)

// ErrFault is what a FaultStore returns for a call it fails: the store
// itself failing (a full disk, say), not a missing or corrupt record.
var ErrFault = errors.New("encryptiontest: injected store fault")

// FaultStore wraps a Store and fails chosen calls with ErrFault: n Gets,
// Iterates or Commits after skip more succeeded (FailGets, FailIterates,
// FailCommits), the Commits a predicate picks (FailCommitsIf), or every
// call while it is down (SetDown). A failed call does nothing. It is safe
// for concurrent use.
type FaultStore struct {
	encryption.Store

	mu                    sync.Mutex
	gets, iters, commits  plan
	down                  bool
	commitIf              func([]encryption.Op) bool
	failedCalls, okCommit int
}

// plan is which calls of one method fail: after skip more calls pass, the
// n following ones fail.
type plan struct{ skip, n int }

var _ encryption.Store = (*FaultStore)(nil)

// NewFaultStore wraps st; it fails nothing until told to.
func NewFaultStore(st encryption.Store) *FaultStore { return &FaultStore{Store: st} }

// FailGets lets the next skip Gets pass and makes the n after them fail.
func (s *FaultStore) FailGets(skip, n int) { s.set(&s.gets, skip, n) }

// FailIterates is FailGets for Iterate.
func (s *FaultStore) FailIterates(skip, n int) { s.set(&s.iters, skip, n) }

// FailCommits is FailGets for Commit.
func (s *FaultStore) FailCommits(skip, n int) { s.set(&s.commits, skip, n) }

// FailCommitsIf makes every Commit whose ops pick returns true for fail,
// until called again (nil: none).
func (s *FaultStore) FailCommitsIf(pick func(ops []encryption.Op) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.commitIf = pick
}

// SetDown makes every call fail (down) or none but the counted ones.
func (s *FaultStore) SetDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

// Failed returns how many calls failed so far.
func (s *FaultStore) Failed() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.failedCalls
}

// Commits returns how many Commits succeeded so far.
func (s *FaultStore) Commits() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.okCommit
}

func (s *FaultStore) set(p *plan, skip, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*p = plan{skip: skip, n: n}
}

// fail returns the error of this call of method, nil when it passes.
func (s *FaultStore) fail(p *plan, method string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.down:
	case p.skip > 0:
		p.skip--
		return nil
	case p.n > 0:
		p.n--
	default:
		return nil
	}
	s.failedCalls++
	return fmt.Errorf("%w: %s", ErrFault, method)
}

// Get implements encryption.Store.
func (s *FaultStore) Get(kind encryption.Kind, key []byte) ([]byte, error) {
	if err := s.fail(&s.gets, "get"); err != nil {
		return nil, err
	}
	return s.Store.Get(kind, key)
}

// Iterate implements encryption.Store.
func (s *FaultStore) Iterate(kind encryption.Kind, prefix []byte, fn func(key, value []byte) error) error {
	if err := s.fail(&s.iters, "iterate"); err != nil {
		return err
	}
	return s.Store.Iterate(kind, prefix, fn)
}

// Commit implements encryption.Store.
func (s *FaultStore) Commit(ops []encryption.Op) error {
	if err := s.fail(&s.commits, "commit"); err != nil {
		return err
	}
	s.mu.Lock()
	picked := s.commitIf != nil && s.commitIf(ops)
	if picked {
		s.failedCalls++
	}
	s.mu.Unlock()
	if picked {
		return fmt.Errorf("%w: commit", ErrFault)
	}
	if err := s.Store.Commit(ops); err != nil {
		return err
	}
	s.mu.Lock()
	s.okCommit++
	s.mu.Unlock()
	return nil
}
