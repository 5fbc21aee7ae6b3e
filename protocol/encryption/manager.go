package encryption

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
)

// Config is a Manager's identity.
type Config struct {
	// Identity is the account's chat key.
	Identity *ecdsa.PrivateKey
	// InstallationID identifies this device; see NewInstallationID.
	InstallationID string
}

// Validate checks c.
func (c Config) Validate() error {
	if c.Identity == nil {
		return fmt.Errorf("%w: no identity key", ErrInvalidConfig)
	}
	if c.InstallationID == "" || c.InstallationID == NoInstallation {
		return fmt.Errorf("%w: installation id %q", ErrInvalidConfig, c.InstallationID)
	}
	return nil
}

// NewInstallationID returns a random (version 4) UUID string drawn from r,
// the form status-react generated (spec §0; UUID version UNCONFIRMED).
func NewInstallationID(r io.Reader) (string, error) {
	id, err := uuid.NewRandomFromReader(r)
	if err != nil {
		return "", fmt.Errorf("encryption: installation id: %w", err)
	}
	return id.String(), nil
}

// Manager is the session manager of one installation: it owns no state of
// its own beyond its Config and the last bundle it signed (a cache checked
// against the Store on every use); every session, bundle and key lives in
// the Store. Methods are safe for concurrent use (one mutex serialises them),
// never block on anything but the Store, and take the time and randomness
// they need as arguments.
//
// Ordering rule: each method computes its writes in memory and commits them
// to the Store in one atomic Commit before it returns ciphertext or
// plaintext. A caller that sends what Send returns therefore never sends a
// message whose ratchet state could be lost, and a crash after Commit
// replays nothing twice. After an error nothing has been written.
type Manager struct {
	mu    sync.Mutex
	cfg   Config
	idC   []byte // compressed identity
	store Store

	signed *signedBundle // the last bundle ownBundle signed; guarded by mu
}

// NewManager returns a Manager over store. Dropping a Manager and creating
// a new one over the same Store continues every session.
func NewManager(cfg Config, store Store) (*Manager, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Manager{cfg: cfg, idC: compress(&cfg.Identity.PublicKey), store: store}, nil
}

// InstallationID is our installation.
func (m *Manager) InstallationID() string { return m.cfg.InstallationID }

func (m *Manager) isSelf(identityC []byte) bool { return bytes.Equal(identityC, m.idC) }

// currentSPK returns our signed prekey, creating the first one or rotating
// it when older than BundleRefreshInterval (spec §3.7): the old one is
// marked expired (kept to decrypt late X3DH messages) and the sessions built
// on it expire, so peers move to the new prekey.
func (m *Manager) currentSPK(t *txn, now time.Time, r io.Reader) (*privateSPK, error) {
	var cur privateSPK
	pub, ok, err := t.get(KindMeta, []byte(metaCurrentSPK))
	if err != nil {
		return nil, err
	}
	if ok {
		if ok, err = t.getJSON(KindPrivateSPK, pub, &cur); err != nil {
			return nil, err
		}
	}
	if ok && now.Sub(time.Unix(0, cur.Created)) < BundleRefreshInterval {
		return &cur, nil
	}
	k, err := generateKey(r)
	if err != nil {
		return nil, err
	}
	next := &privateSPK{Priv: crypto.FromECDSA(k), Pub: compress(&k.PublicKey), Version: 1, Created: now.UnixNano()}
	if ok {
		next.Version = cur.Version + 1
		cur.Expired = true
		t.putJSON(KindPrivateSPK, cur.Pub, &cur)
		if err := m.expireSessionsOn(t, now, nil, cur.Pub); err != nil {
			return nil, err
		}
	}
	t.putJSON(KindPrivateSPK, next.Pub, next)
	t.put(KindMeta, []byte(metaCurrentSPK), next.Pub)
	return next, nil
}

// BundleResignInterval is the most time an unchanged bundle of ours is
// kept before it is signed again with a fresh timestamp (a statusd choice:
// status-protocol-go signed one for every message). Peers order our
// installations by bundle timestamp, which is thus at most this old.
const BundleResignInterval = time.Hour

// signedBundle is the last bundle ownBundle signed, with its material
// without the timestamp.
type signedBundle struct {
	bundle   *Bundle
	material []byte
}

// ownBundle returns our signed bundle: our SPK and the latest SPKs of our
// other enabled installations (at most MaxInstallations-1) (spec §3.2,
// §3.6). The bundle is signed, with the timestamp now, only when that
// material differs from the last signed one's or the last is
// BundleResignInterval old; otherwise the last one is returned, so that
// sending costs no signature and peers verify our bundle once. The cache
// holds no state of its own: its material is compared with what t reads
// each time, and a newly signed bundle replaces it only once t committed.
// Called with m.mu held.
func (m *Manager) ownBundle(t *txn, now time.Time, r io.Reader) (*Bundle, error) {
	spk, err := m.currentSPK(t, now, r)
	if err != nil {
		return nil, err
	}
	b := &Bundle{SignedPreKeys: map[string]SignedPreKey{
		m.cfg.InstallationID: {Key: spk.Pub, Version: spk.Version, ProtocolVersion: ProtocolVersion},
	}}
	others, err := m.activeInstallations(t, m.idC)
	if err != nil {
		return nil, err
	}
	for _, inst := range others {
		if k, ok, err := latestSPK(t, m.idC, inst.ID); err != nil {
			return nil, err
		} else if ok {
			b.SignedPreKeys[inst.ID] = SignedPreKey{Key: k.Key, Version: k.Version, ProtocolVersion: k.ProtocolVersion}
		}
	}
	material := BundleMaterial(b)
	if last := m.signed; last != nil && bytes.Equal(last.material, material) &&
		now.Sub(time.Unix(0, last.bundle.Timestamp)) < BundleResignInterval && !now.Before(time.Unix(0, last.bundle.Timestamp)) {
		return last.bundle.clone(), nil
	}
	b.Timestamp = now.UnixNano()
	if err := SignBundle(b, m.cfg.Identity); err != nil {
		return nil, err
	}
	signed := &signedBundle{bundle: b.clone(), material: material}
	t.afterCommit = append(t.afterCommit, func() { m.signed = signed })
	return b, nil
}

// Bundle returns our current signed bundle (for the contact code and the
// contact-code topic), committing a new or rotated signed prekey first.
func (m *Manager) Bundle(now time.Time, r io.Reader) (*Bundle, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := newTxn(m.store)
	b, err := m.ownBundle(t, now, r)
	if err != nil {
		return nil, err
	}
	return b, t.commit()
}

// BundleMessage returns the encoded ProtocolMessage that carries only our
// installation id and bundle, as published on the contact-code topic.
func (m *Manager) BundleMessage(now time.Time, r io.Reader) ([]byte, error) {
	b, err := m.Bundle(now, r)
	if err != nil {
		return nil, err
	}
	return EncodeProtocolMessage(&ProtocolMessage{InstallationID: m.cfg.InstallationID, Bundles: []*Bundle{b}})
}

// BuildPublicMessage wraps a public-chat payload (unencrypted, field 102)
// with our installation id and bundle.
func (m *Manager) BuildPublicMessage(now time.Time, r io.Reader, payload []byte) ([]byte, error) {
	b, err := m.Bundle(now, r)
	if err != nil {
		return nil, err
	}
	return EncodeProtocolMessage(&ProtocolMessage{InstallationID: m.cfg.InstallationID, Bundles: []*Bundle{b}, Public: payload})
}
