package encryption

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"sort"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
)

// InstallationMetadata is what paired devices exchange in p2 (spec §1.9.2,
// §3.6).
type InstallationMetadata struct {
	Name       string `json:"name,omitempty"`
	DeviceType string `json:"device_type,omitempty"`
	FCMToken   string `json:"fcm_token,omitempty"`
}

// Installation is one device of an identity as learnt from its bundles.
type Installation struct {
	ID        string               `json:"id"`
	Timestamp int64                `json:"timestamp"` // newest bundle timestamp seen, Unix ns
	Enabled   bool                 `json:"enabled"`
	Metadata  InstallationMetadata `json:"metadata"`
}

func (t *txn) installations(identity []byte) ([]*Installation, error) {
	var out []*Installation
	err := t.iterate(KindInstallation, identity, func(_, v []byte) error {
		var inst Installation
		if err := t.decode(KindInstallation, v, &inst); err != nil {
			return err
		}
		out = append(out, &inst)
		return nil
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp > out[j].Timestamp })
	return out, err
}

// activeInstallations are the enabled installations of identity, newest
// first, our own installation left out, capped so that with ours there are
// at most MaxInstallations (spec §3.5–3.6).
func (m *Manager) activeInstallations(t *txn, identity []byte) ([]*Installation, error) {
	all, err := t.installations(identity)
	if err != nil {
		return nil, err
	}
	limit := MaxInstallations
	if m.isSelf(identity) {
		limit--
	}
	var out []*Installation
	for _, inst := range all {
		if !inst.Enabled || (m.isSelf(identity) && inst.ID == m.cfg.InstallationID) {
			continue
		}
		if len(out) == limit {
			break
		}
		out = append(out, inst)
	}
	return out, nil
}

func peerSPKs(t *txn, identity []byte, inst string) ([]peerSPK, error) {
	var list []peerSPK
	_, err := t.getJSON(KindPeerSPKs, identityInstKey(identity, inst), &list)
	return list, err
}

// latestSPK is the highest-version, non-expired SPK of an installation.
func latestSPK(t *txn, identity []byte, inst string) (*peerSPK, bool, error) {
	list, err := peerSPKs(t, identity, inst)
	if err != nil {
		return nil, false, err
	}
	var best *peerSPK
	for i := range list {
		if !list[i].Expired && (best == nil || list[i].Version > best.Version) {
			best = &list[i]
		}
	}
	return best, best != nil, nil
}

// processBundle verifies b and records its prekeys and installations
// (spec §3.2): a higher version expires the installation's older prekeys
// and the sessions built on them; installations of other identities are
// enabled on sight, our own only by EnableInstallation. It returns the
// installations seen for the first time: ours (own) and, when senderC is
// another identity, the sender's (peer).
func (m *Manager) processBundle(t *txn, now time.Time, senderC []byte, b *Bundle) (own, peer []*Installation, err error) {
	if !bytes.Equal(b.Identity, senderC) {
		return nil, nil, ErrBundleIdentity
	}
	seenKey := append([]byte(metaSeenBundle), senderC...)
	digest := crypto.Keccak256(BundleMaterial(b), b.Signature)
	if prev, ok, err := t.get(KindMeta, seenKey); err != nil || (ok && bytes.Equal(prev, digest)) {
		return nil, nil, err // unchanged bundle: already verified and recorded
	}
	if _, err := VerifyBundle(b); err != nil {
		return nil, nil, err
	}
	for id, spk := range b.SignedPreKeys {
		if m.isSelf(senderC) && id == m.cfg.InstallationID {
			continue
		}
		if id == NoInstallation || id == "" {
			return nil, nil, fmt.Errorf("%w: installation id %q", ErrMalformed, id)
		}
		if err := m.recordSPK(t, now, senderC, id, spk, b.Timestamp); err != nil {
			return nil, nil, err
		}
		inst, isNew, err := m.touchInstallation(t, senderC, id, b.Timestamp)
		switch {
		case err != nil:
			return nil, nil, err
		case isNew && m.isSelf(senderC):
			own = append(own, inst)
		case isNew:
			peer = append(peer, inst)
		}
	}
	t.put(KindMeta, seenKey, digest)
	sortByID(own)
	sortByID(peer)
	return own, peer, nil
}

// sortByID orders installations by ID (bundles map them; the callers'
// reports are deterministic).
func sortByID(insts []*Installation) {
	sort.Slice(insts, func(i, j int) bool { return insts[i].ID < insts[j].ID })
}

func (m *Manager) recordSPK(t *txn, now time.Time, identity []byte, inst string, spk SignedPreKey, ts int64) error {
	list, err := peerSPKs(t, identity, inst)
	if err != nil {
		return err
	}
	var maxV uint32
	known := false
	for i := range list {
		maxV = max(maxV, list[i].Version)
		if bytes.Equal(list[i].Key, spk.Key) {
			known = true
			list[i].ProtocolVersion = spk.ProtocolVersion
			list[i].Timestamp = max(list[i].Timestamp, ts)
		}
	}
	if !known {
		list = append(list, peerSPK{Key: spk.Key, Version: spk.Version, ProtocolVersion: spk.ProtocolVersion,
			Timestamp: ts, Expired: spk.Version < maxV})
	}
	if spk.Version > maxV {
		for i := range list {
			if list[i].Version < spk.Version && !list[i].Expired {
				list[i].Expired = true
				if err := m.expireSessionsOn(t, now, identity, list[i].Key); err != nil {
					return err
				}
			}
		}
	}
	t.putJSON(KindPeerSPKs, identityInstKey(identity, inst), list)
	return nil
}

func (m *Manager) touchInstallation(t *txn, identity []byte, id string, ts int64) (*Installation, bool, error) {
	var inst Installation
	ok, err := t.getJSON(KindInstallation, identityInstKey(identity, id), &inst)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		inst = Installation{ID: id, Enabled: !m.isSelf(identity)}
	}
	inst.Timestamp = max(inst.Timestamp, ts)
	t.putJSON(KindInstallation, identityInstKey(identity, id), &inst)
	return &inst, !ok, nil
}

// Installations lists the known installations of identity, newest first
// (ours included when identity is our own key, once paired devices exist).
func (m *Manager) Installations(identity *ecdsa.PublicKey) ([]*Installation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return newTxn(m.store).installations(compress(identity))
}

// EnableInstallation enables one of our own installations (pairing, spec
// §3.6): it is then in our bundle and gets copies of what we send. At most
// MaxInstallations-1 others can be enabled.
func (m *Manager) EnableInstallation(id string) error { return m.setEnabled(id, true) }

// DisableInstallation disables one of our own installations.
func (m *Manager) DisableInstallation(id string) error { return m.setEnabled(id, false) }

func (m *Manager) setEnabled(id string, on bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := newTxn(m.store)
	var inst Installation
	ok, err := t.getJSON(KindInstallation, identityInstKey(m.idC, id), &inst)
	if err != nil {
		return err
	}
	if !ok || id == m.cfg.InstallationID {
		return fmt.Errorf("%w: %q", ErrInstallationNotFound, id)
	}
	if on && !inst.Enabled {
		active, err := m.activeInstallations(t, m.idC)
		if err != nil {
			return err
		}
		if len(active) >= MaxInstallations-1 {
			return fmt.Errorf("%w: %d already enabled", ErrTooManyInstallations, len(active))
		}
	}
	inst.Enabled = on
	t.putJSON(KindInstallation, identityInstKey(m.idC, id), &inst)
	return t.commit()
}

// SetInstallationMetadata records the name/device type/FCM token of an
// installation of identity (from a p2 pairing message, or our own).
func (m *Manager) SetInstallationMetadata(identity *ecdsa.PublicKey, id string, md InstallationMetadata) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := newTxn(m.store)
	idC := compress(identity)
	var inst Installation
	ok, err := t.getJSON(KindInstallation, identityInstKey(idC, id), &inst)
	if err != nil {
		return err
	}
	if !ok {
		if !(m.isSelf(idC) && id == m.cfg.InstallationID) {
			return fmt.Errorf("%w: %q", ErrInstallationNotFound, id)
		}
		inst = Installation{ID: id, Enabled: true}
	}
	inst.Metadata = md
	t.putJSON(KindInstallation, identityInstKey(idC, id), &inst)
	return t.commit()
}

// PruneInstallations drops the stale installations (spec §3.7): those whose
// newest bundle timestamp is more than StaleInstallationAge before now,
// when their identity has another installation seen within that age (a
// peer that reinstalled or lost its keys), so they are no longer encrypted
// to. The last live installation of an identity is never dropped, however
// old: a contact silent for a week keeps its session. Of our own
// installations only disabled ones are dropped; pairing is the user's.
//
// A dropped installation loses its record, its prekeys and its agreement;
// its sessions expire now and still decrypt late messages for
// ExpiredSessionRetention (PruneExpired deletes them afterwards). A later
// bundle listing it brings it back as new (an old bundle delivered late
// too, until the next prune). It returns how many
// installations it dropped; on error nothing is changed.
func (m *Manager) PruneInstallations(now time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := newTxn(m.store)
	byIdentity := make(map[string][]*Installation)
	err := t.iterate(KindInstallation, nil, func(k, v []byte) error {
		var inst Installation
		if len(k) < compressedKeyLen {
			return t.corrupt(fmt.Errorf("%w: installation key %x", ErrCorrupt, k))
		}
		if err := t.decode(KindInstallation, v, &inst); err != nil {
			return err
		}
		id := string(k[:compressedKeyLen])
		byIdentity[id] = append(byIdentity[id], &inst)
		return nil
	})
	if err != nil {
		return 0, err
	}
	cutoff := now.Add(-StaleInstallationAge).UnixNano()
	n := 0
	for idC, insts := range byIdentity {
		identity := []byte(idC)
		for _, inst := range staleInstallations(insts, cutoff, m.isSelf(identity), m.cfg.InstallationID) {
			if err := m.dropInstallation(t, now, identity, inst.ID); err != nil {
				return 0, err
			}
			n++
		}
	}
	return n, t.commit()
}

// staleInstallations picks from one identity's installations those
// PruneInstallations drops: seen before cutoff, while another one of the
// identity was seen since (for our own identity, this installation always
// counts as seen, and only disabled ones are picked).
func staleInstallations(insts []*Installation, cutoff int64, self bool, ownID string) []*Installation {
	live := self
	for _, inst := range insts {
		live = live || inst.Timestamp >= cutoff
	}
	if !live {
		return nil
	}
	var out []*Installation
	for _, inst := range insts {
		if inst.Timestamp >= cutoff || (self && (inst.ID == ownID || inst.Enabled)) {
			continue
		}
		out = append(out, inst)
	}
	return out
}

// dropInstallation removes one installation of identity with its prekeys
// and agreement, and expires its sessions at now.
func (m *Manager) dropInstallation(t *txn, now time.Time, identity []byte, id string) error {
	key := identityInstKey(identity, id)
	t.del(KindInstallation, key)
	t.del(KindPeerSPKs, key)
	t.del(KindAgreement, key)
	list, err := t.ratchetInfos(identity, func(ri *ratchetInfo) bool {
		return !ri.Expired && ri.Installation == id
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
