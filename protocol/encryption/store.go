package encryption

import (
	"bytes"
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// Kind names one record family of the Store. Values are persisted (the
// storage layer derives table names from String) and append-only.
type Kind uint8

// Record kinds. The key and value layouts are written next to each kind.
const (
	// KindSession: session id (bundle id ‖ installation id) → ratchet state
	// (JSON ratchetRecord). Secret.
	KindSession Kind = iota + 1
	// KindMessageKey: ratchet pubkey (33) ‖ BE32 n → JSON mkRecord. Secret.
	KindMessageKey
	// KindMessageKeyIndex: len(sid) byte ‖ session id ‖ BE64 seq →
	// ratchet pubkey ‖ BE32 n. Lets limits walk a session's keys in order.
	KindMessageKeyIndex
	// KindPrivateSPK: our SPK pubkey (33) → JSON privateSPK. Secret.
	KindPrivateSPK
	// KindPeerSPKs: identity (33) ‖ installation id → JSON []peerSPK.
	KindPeerSPKs
	// KindInstallation: identity (33) ‖ installation id → JSON Installation.
	KindInstallation
	// KindRatchetInfo: identity (33) ‖ bundle id (33) ‖ installation id →
	// JSON ratchetInfo. Secret (holds SK).
	KindRatchetInfo
	// KindAgreement: identity (33) ‖ installation id → the negotiated
	// secret; present once agreed with that installation (spec §3.8). Secret.
	KindAgreement
	// KindMeta: name → value (our current SPK; hashes of seen bundles).
	KindMeta
)

// Secret reports whether values of k hold private key material; the storage
// layer encrypts those at rest.
func (k Kind) Secret() bool {
	switch k {
	case KindSession, KindMessageKey, KindPrivateSPK, KindRatchetInfo, KindAgreement:
		return true
	}
	return false
}

func (k Kind) String() string {
	switch k {
	case KindSession:
		return "session"
	case KindMessageKey:
		return "mkey"
	case KindMessageKeyIndex:
		return "mkidx"
	case KindPrivateSPK:
		return "pspk"
	case KindPeerSPKs:
		return "spks"
	case KindInstallation:
		return "inst"
	case KindRatchetInfo:
		return "rinfo"
	case KindAgreement:
		return "agree"
	case KindMeta:
		return "meta"
	}
	return "kind" + strconv.Itoa(int(k))
}

// Kinds lists every kind, for storage implementations.
func Kinds() []Kind {
	return []Kind{KindSession, KindMessageKey, KindMessageKeyIndex, KindPrivateSPK,
		KindPeerSPKs, KindInstallation, KindRatchetInfo, KindAgreement, KindMeta}
}

// Op is one write of a change set: a put, or a delete when Delete is set.
type Op struct {
	Kind   Kind
	Key    []byte
	Value  []byte
	Delete bool
}

// Store is the persistence the Manager needs, implemented by
// storage/sessions. Implementations are safe for concurrent use.
//
// The Manager reads through Get and Iterate and writes only through Commit,
// once per operation, before it returns anything derived from the new state
// (persist before send). Commit must apply all ops atomically and durably
// enough that after it returns a crash loses none of them.
//
// Errors of Get and Iterate: one wrapping ErrNotFound (Get) is a missing
// record; one wrapping ErrCorrupt is a record the Store holds but cannot
// read (its sealed value fails authentication, say), which the Manager
// reports as ErrCorrupt; any other is a failure of the Store itself, which
// the Manager reports as ErrStore.
type Store interface {
	// Get returns the value of (kind, key), or an error wrapping
	// ErrNotFound. The returned slice belongs to the caller.
	Get(kind Kind, key []byte) ([]byte, error)
	// Iterate calls fn for each record of kind whose key starts with prefix,
	// in ascending key order. fn must not call the Store; slices are valid
	// only during the call. Iteration stops at fn's first error.
	Iterate(kind Kind, prefix []byte, fn func(key, value []byte) error) error
	// Commit applies ops atomically, in order.
	Commit(ops []Op) error
}

// txn is a write overlay over a Store for one Manager operation: reads see
// the pending writes, nothing reaches the Store until commit. Dropping a
// txn leaves the Store unchanged, which is how every error path keeps state.
//
// A txn remembers the first fault it met (fault): a Store failure
// (ErrStore) or a corrupt record (ErrCorrupt). The doubleratchet library
// turns the errors of its storage callbacks into text, so an operation
// reports its outcome through result, which names that fault whatever
// error it surfaced as. Changes of the Manager's own memory that depend on
// the operation's writes wait in afterCommit and are made only once commit
// succeeded, so a failed operation leaves the Manager as it was.
type txn struct {
	st          Store
	pending     map[string]*Op
	fresh       map[string]struct{} // pending puts of keys the Store does not hold (putFresh)
	fault       error               // the first ErrStore or ErrCorrupt error met
	afterCommit []func()
}

func newTxn(st Store) *txn { return &txn{st: st, pending: make(map[string]*Op)} }

func txnKey(k Kind, key []byte) string { return string(rune(k)) + string(key) }

func (t *txn) get(k Kind, key []byte) ([]byte, bool, error) {
	if op, ok := t.pending[txnKey(k, key)]; ok {
		if op.Delete {
			return nil, false, nil
		}
		return op.Value, true, nil
	}
	v, err := t.st.Get(k, key)
	if errors.Is(err, ErrNotFound) {
		return nil, false, nil
	}
	if errors.Is(err, ErrCorrupt) {
		return nil, false, t.corrupt(fmt.Errorf("get %s: %w", k, err))
	}
	if err != nil {
		return nil, false, t.failed(fmt.Errorf("%w: get %s: %w", ErrStore, k, err))
	}
	return v, true, nil
}

// failed records err, a Store failure, as the txn's fault and returns it.
func (t *txn) failed(err error) error {
	if t.fault == nil || errors.Is(t.fault, ErrCorrupt) {
		t.fault = err // a Store failure outranks a corrupt read it may have caused
	}
	return err
}

// corrupt records err, a corrupt record, as the txn's fault (unless a
// Store failure came first) and returns it.
func (t *txn) corrupt(err error) error {
	if t.fault == nil {
		t.fault = err
	}
	return err
}

// result is the error a Manager operation over t returns for err, the
// error its code path produced: nil for nil; otherwise, when t met a fault
// err does not already carry, that fault with err's text as detail, so that
// callers can tell a Store failure (retry) and a corrupt record (drop)
// from what the message itself caused.
func (t *txn) result(err error) error {
	if err == nil || t.fault == nil || errors.Is(err, ErrStore) || errors.Is(err, ErrCorrupt) {
		return err
	}
	return fmt.Errorf("%w (%v)", t.fault, err)
}

func (t *txn) put(k Kind, key, value []byte) {
	t.pending[txnKey(k, key)] = &Op{Kind: k, Key: bytes.Clone(key), Value: value}
}

// putFresh is put of a key the caller knows the Store does not hold. A
// del of it in the same txn then drops both writes: the Store never sees
// the key, and no delete marker is left behind. (The message key the
// ratchet stores for each received message and deletes once it decrypted
// would otherwise leave two markers a message, which every later walk of
// the session's key index steps over until the database compacts them.)
func (t *txn) putFresh(k Kind, key, value []byte) {
	tk := txnKey(k, key)
	t.pending[tk] = &Op{Kind: k, Key: bytes.Clone(key), Value: value}
	if t.fresh == nil {
		t.fresh = make(map[string]struct{})
	}
	t.fresh[tk] = struct{}{}
}

func (t *txn) del(k Kind, key []byte) {
	tk := txnKey(k, key)
	if _, ok := t.fresh[tk]; ok {
		delete(t.fresh, tk)
		delete(t.pending, tk)
		return
	}
	t.pending[tk] = &Op{Kind: k, Key: bytes.Clone(key), Delete: true}
}

// iterate merges the Store's records with pending writes, in key order.
func (t *txn) iterate(k Kind, prefix []byte, fn func(key, value []byte) error) error {
	rows := make(map[string][]byte)
	err := t.st.Iterate(k, prefix, func(key, value []byte) error {
		rows[string(key)] = bytes.Clone(value)
		return nil
	})
	if errors.Is(err, ErrCorrupt) {
		return t.corrupt(fmt.Errorf("iterate %s: %w", k, err))
	}
	if err != nil {
		return t.failed(fmt.Errorf("%w: iterate %s: %w", ErrStore, k, err))
	}
	for _, op := range t.pending {
		if op.Kind != k || !bytes.HasPrefix(op.Key, prefix) {
			continue
		}
		if op.Delete {
			delete(rows, string(op.Key))
		} else {
			rows[string(op.Key)] = op.Value
		}
	}
	keys := make([]string, 0, len(rows))
	for key := range rows {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		if err := fn([]byte(key), rows[key]); err != nil {
			return err
		}
	}
	return nil
}

// ops returns the pending writes in a deterministic order.
func (t *txn) ops() []Op {
	keys := make([]string, 0, len(t.pending))
	for key := range t.pending {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	out := make([]Op, 0, len(keys))
	for _, key := range keys {
		out = append(out, *t.pending[key])
	}
	return out
}

// commit writes the pending ops to the Store in one atomic Commit, then
// runs the afterCommit functions. After an error nothing was written and
// none of them ran.
func (t *txn) commit() error {
	if len(t.pending) > 0 {
		if err := t.st.Commit(t.ops()); err != nil {
			return t.failed(fmt.Errorf("%w: commit: %w", ErrStore, err))
		}
		t.pending = make(map[string]*Op)
	}
	for _, f := range t.afterCommit {
		f()
	}
	t.afterCommit = nil
	return nil
}
