package encryption

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"

	dr "github.com/status-im/doubleratchet"
)

// drSessions is the library's SessionStorage over a txn.
type drSessions struct{ t *txn }

var _ dr.SessionStorage = drSessions{}

// Save implements dr.SessionStorage.
func (s drSessions) Save(id []byte, st *dr.State) error {
	r := ratchetRecord{
		DHr: st.DHr, Root: st.RootCh.CK,
		SendCK: st.SendCh.CK, SendN: st.SendCh.N,
		RecvCK: st.RecvCh.CK, RecvN: st.RecvCh.N,
		PN: st.PN, Step: st.Step, KeysCount: st.KeysCount,
	}
	if st.DHs != nil {
		r.DHsPub, r.DHsPriv = st.DHs.PublicKey(), st.DHs.PrivateKey()
	}
	s.t.putJSON(KindSession, id, &r)
	return nil
}

// Load implements dr.SessionStorage; nil, nil when there is no session.
func (s drSessions) Load(id []byte) (*dr.State, error) {
	r, ok, err := s.record(id)
	if err != nil || !ok {
		return nil, err
	}
	st := dr.DefaultState(r.Root)
	st.DHs = keyPair{priv: r.DHsPriv, pub: r.DHsPub}
	st.DHr = r.DHr
	st.SendCh.CK, st.SendCh.N = r.SendCK, r.SendN
	st.RecvCh.CK, st.RecvCh.N = r.RecvCK, r.RecvN
	st.PN, st.Step, st.KeysCount = r.PN, r.Step, r.KeysCount
	return &st, nil
}

func (s drSessions) record(id []byte) (*ratchetRecord, bool, error) {
	var r ratchetRecord
	ok, err := s.t.getJSON(KindSession, id, &r)
	return &r, ok, err
}

// drKeys is the library's KeysStorage over a txn: message keys by
// (ratchet key, n), plus a per-session index ordered by sequence number
// for the MaxKeep and per-session limits.
type drKeys struct{ t *txn }

var _ dr.KeysStorage = drKeys{}

func (k drKeys) record(dh dr.Key, n uint) (*mkRecord, bool, error) {
	var r mkRecord
	ok, err := k.t.getJSON(KindMessageKey, mkKey(dh, uint32(n)), &r)
	return &r, ok, err
}

// Get implements dr.KeysStorage.
func (k drKeys) Get(dh dr.Key, n uint) (dr.Key, bool, error) {
	r, ok, err := k.record(dh, n)
	if err != nil || !ok {
		return nil, false, err
	}
	return r.MK, true, nil
}

// Put implements dr.KeysStorage. The library stores the key of every
// message it decrypts (and decryptDR deletes it in the same txn): the
// writes of a key not stored before are put as fresh, so that put and
// delete cancel out (txn.putFresh).
func (k drKeys) Put(sid []byte, dh dr.Key, n uint, mk dr.Key, seq uint) error {
	raw, err := json.Marshal(&mkRecord{SessionID: sid, Seq: seq, MK: mk})
	if err != nil {
		return k.t.corrupt(fmt.Errorf("%w: encode %s: %w", ErrCorrupt, KindMessageKey, err))
	}
	for _, w := range []struct {
		kind       Kind
		key, value []byte
	}{{KindMessageKey, mkKey(dh, uint32(n)), raw}, {KindMessageKeyIndex, mkIndexKey(sid, seq), mkKey(dh, uint32(n))}} {
		_, had, err := k.t.get(w.kind, w.key)
		switch {
		case err != nil:
			return err
		case had:
			k.t.put(w.kind, w.key, w.value)
		default:
			k.t.putFresh(w.kind, w.key, w.value)
		}
	}
	return nil
}

// DeleteMk implements dr.KeysStorage.
func (k drKeys) DeleteMk(dh dr.Key, n uint) error {
	r, ok, err := k.record(dh, n)
	if err != nil || !ok {
		return err
	}
	k.t.del(KindMessageKey, mkKey(dh, uint32(n)))
	k.t.del(KindMessageKeyIndex, mkIndexKey(r.SessionID, r.Seq))
	return nil
}

type indexEntry struct{ idxKey, mkKey []byte }

func (k drKeys) index(sid []byte) ([]indexEntry, error) {
	var out []indexEntry
	prefix := mkIndexPrefix(sid)
	err := k.t.iterate(KindMessageKeyIndex, prefix, func(key, value []byte) error {
		if len(key) == len(prefix)+8 { // skip sessions whose id extends sid
			out = append(out, indexEntry{bytes.Clone(key), bytes.Clone(value)})
		}
		return nil
	})
	return out, err
}

func (k drKeys) drop(e indexEntry) {
	k.t.del(KindMessageKeyIndex, e.idxKey)
	k.t.del(KindMessageKey, e.mkKey)
}

// DeleteOldMks implements dr.KeysStorage: drops keys with seq <= until.
func (k drKeys) DeleteOldMks(sid []byte, until uint) error {
	idx, err := k.index(sid)
	if err != nil {
		return err
	}
	for _, e := range idx {
		if binary.BigEndian.Uint64(e.idxKey[len(e.idxKey)-8:]) > uint64(until) {
			break
		}
		k.drop(e)
	}
	return nil
}

// TruncateMks implements dr.KeysStorage: keeps the newest max keys.
func (k drKeys) TruncateMks(sid []byte, max int) error {
	idx, err := k.index(sid)
	if err != nil {
		return err
	}
	for i := 0; i < len(idx)-max; i++ {
		k.drop(idx[i])
	}
	return nil
}

// Count implements dr.KeysStorage.
func (k drKeys) Count(dh dr.Key) (uint, error) {
	var n uint
	err := k.t.iterate(KindMessageKey, dh, func(_, _ []byte) error { n++; return nil })
	return n, err
}

// All implements dr.KeysStorage. The library's session code does not call
// it; it is not supported over a persistent store.
func (k drKeys) All() (map[string]map[uint]dr.Key, error) {
	return nil, fmt.Errorf("encryption: listing all message keys is not supported")
}
