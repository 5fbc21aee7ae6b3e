package encryption

import (
	"bytes"
	"time"
)

// Session bookkeeping (spec §3.5, §3.7): a ratchetInfo per (peer identity,
// peer installation, bundle id) points at one DR session. At most one per
// (identity, installation) is active for sending; expired ones still
// decrypt for ExpiredSessionRetention.

func (t *txn) ratchetInfos(prefix []byte, keep func(*ratchetInfo) bool) ([]*ratchetInfo, error) {
	var out []*ratchetInfo
	err := t.iterate(KindRatchetInfo, prefix, func(_, v []byte) error {
		var ri ratchetInfo
		if err := t.decode(KindRatchetInfo, v, &ri); err != nil {
			return err
		}
		if keep(&ri) {
			out = append(out, &ri)
		}
		return nil
	})
	return out, err
}

func (t *txn) ratchetInfo(identity, bundleID []byte, inst string) (*ratchetInfo, bool, error) {
	var ri ratchetInfo
	ok, err := t.getJSON(KindRatchetInfo, rinfoKey(identity, bundleID, inst), &ri)
	return &ri, ok, err
}

// activeRatchetInfo is the non-expired session for sending to an
// installation, if any.
func (t *txn) activeRatchetInfo(identity []byte, inst string) (*ratchetInfo, error) {
	list, err := t.ratchetInfos(identity, func(ri *ratchetInfo) bool {
		return !ri.Expired && ri.Installation == inst
	})
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return lowestSK(list), nil
}

func lowestSK(list []*ratchetInfo) *ratchetInfo {
	best := list[0]
	for _, ri := range list[1:] {
		if bytes.Compare(ri.SK, best.SK) < 0 {
			best = ri
		}
	}
	return best
}

// expireSessionsOn expires every session built on bundleID (with identity,
// or with anyone when identity is nil).
func (m *Manager) expireSessionsOn(t *txn, now time.Time, identity, bundleID []byte) error {
	list, err := t.ratchetInfos(identity, func(ri *ratchetInfo) bool {
		return !ri.Expired && bytes.Equal(ri.BundleID, bundleID)
	})
	if err != nil {
		return err
	}
	for _, ri := range list {
		ri.Expired, ri.ExpiredAt = true, now.UnixNano()
		t.putJSON(KindRatchetInfo, ri.key(), ri)
	}
	return nil
}

// addRatchetInfo stores ri and resolves concurrent sessions (spec §3.7):
// of all active sessions with the same installation the one whose SK sorts
// first byte-wise stays active, the others expire. Both peers apply the
// same rule, so simultaneous X3DH initiations converge on one session.
func (m *Manager) addRatchetInfo(t *txn, now time.Time, ri *ratchetInfo) error {
	t.putJSON(KindRatchetInfo, ri.key(), ri)
	if ri.Expired {
		return nil
	}
	list, err := t.ratchetInfos(ri.Identity, func(o *ratchetInfo) bool {
		return !o.Expired && o.Installation == ri.Installation
	})
	if err != nil || len(list) < 2 {
		return err
	}
	keep := lowestSK(list)
	for _, o := range list {
		if o != keep {
			o.Expired, o.ExpiredAt = true, now.UnixNano()
			t.putJSON(KindRatchetInfo, o.key(), o)
		}
	}
	return nil
}

// usable reports whether a session may still decrypt at now.
func (ri *ratchetInfo) usable(now time.Time) bool {
	return !ri.Expired || now.Sub(time.Unix(0, ri.ExpiredAt)) <= ExpiredSessionRetention
}

// PruneExpired deletes sessions expired more than ExpiredSessionRetention
// before now, with their ratchet state and kept message keys. It returns
// how many sessions it deleted.
func (m *Manager) PruneExpired(now time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := newTxn(m.store)
	list, err := t.ratchetInfos(nil, func(ri *ratchetInfo) bool { return !ri.usable(now) })
	if err != nil {
		return 0, err
	}
	keys := drKeys{t}
	for _, ri := range list {
		sid := ri.sessionID()
		idx, err := keys.index(sid)
		if err != nil {
			return 0, err
		}
		for _, e := range idx {
			keys.drop(e)
		}
		t.del(KindSession, sid)
		t.del(KindRatchetInfo, ri.key())
	}
	return len(list), t.commit()
}
