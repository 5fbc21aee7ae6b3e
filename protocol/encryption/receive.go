package encryption

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"io"
	"time"

	dr "github.com/status-im/doubleratchet"
)

// Received is the outcome of HandleMessage.
type Received struct {
	// InstallationID is the sender's installation.
	InstallationID string
	// Plaintext is the decrypted direct payload, or the public payload.
	Plaintext []byte
	// Public is set for a public-chat message (unencrypted).
	Public bool
	// Direct is set for a decrypted direct message.
	Direct bool
	// NewInstallations are our own devices seen for the first time; show
	// them to the user for pairing (spec §3.6).
	NewInstallations []*Installation
	// NewPeerInstallations are installations of the sender (another
	// identity: a bundle is accepted only from its own identity) seen for
	// the first time, by ID. Messages encrypted to the sender before did
	// not reach them; the caller may send those again (spec §3.5), and
	// then calls ResendDone: the sender is listed by PendingResends until
	// then, across restarts.
	NewPeerInstallations []*Installation
	// SharedSecret is set when the negotiated secret with the sender's
	// installation was agreed by this message (spec §3.8); the caller
	// installs a filter for its topic.
	SharedSecret []byte
}

// HandleMessage processes one ProtocolMessage received from sender (the
// identity recovered from the Whisper signature or the v1 wrapper). It
// records the attached bundles, then decrypts our entry: X3DH header
// (passive X3DH, new session), DR header, or DH-only (spec §3.5).
//
// The ratchet step, the deletion of the used message key (so a replay does
// not decrypt again) and the bundle records are committed atomically before
// the plaintext is returned. On any error nothing is written, and the error
// wraps one of the package sentinels. It never panics on hostile input.
//
// An error wrapping ErrStore says the Store failed, not the message: the
// same message handled again once the Store works decrypts as if it came
// then (a caller that must not lose it keeps it and retries). ErrCorrupt
// says a record it needed does not decode; retrying does not help.
func (m *Manager) HandleMessage(now time.Time, r io.Reader, sender *ecdsa.PublicKey, raw []byte) (*Received, error) {
	msg, err := DecodeProtocolMessage(raw)
	if err != nil {
		return nil, err
	}
	return m.Handle(now, r, sender, msg)
}

// Handle is HandleMessage for an already decoded message.
func (m *Manager) Handle(now time.Time, r io.Reader, sender *ecdsa.PublicKey, msg *ProtocolMessage) (*Received, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := newTxn(m.store)
	res, err := m.handle(t, now, r, sender, msg)
	if err == nil {
		err = t.commit()
	}
	if err != nil {
		return nil, t.result(err)
	}
	return res, nil
}

func (m *Manager) handle(t *txn, now time.Time, r io.Reader, sender *ecdsa.PublicKey, msg *ProtocolMessage) (*Received, error) {
	senderC := compress(sender)
	res := &Received{InstallationID: msg.InstallationID}
	for _, b := range msg.Bundles {
		own, peer, err := m.processBundle(t, now, senderC, b)
		if err != nil {
			return nil, err
		}
		res.NewInstallations = append(res.NewInstallations, own...)
		res.NewPeerInstallations = append(res.NewPeerInstallations, peer...)
	}
	if len(res.NewPeerInstallations) > 0 {
		t.put(KindMeta, resendKey(senderC), []byte{1}) // see PendingResends
	}
	if msg.Public != nil {
		res.Public, res.Plaintext = true, msg.Public
		return res, nil
	}
	if len(msg.Direct) == 0 {
		return res, nil // bundle-only (contact code) message
	}
	dm := msg.Direct[m.cfg.InstallationID]
	if dm == nil {
		dm = msg.Direct[NoInstallation]
	}
	if dm == nil {
		if m.isSelf(senderC) {
			return nil, ErrNotPairedDevice
		}
		return nil, ErrDeviceNotFound
	}
	pt, err := m.decrypt(t, now, r, sender, senderC, msg.InstallationID, dm)
	if err != nil {
		return nil, err
	}
	res.Direct, res.Plaintext = true, pt
	if dm.DH == nil || dm.DR != nil {
		res.SharedSecret, err = m.agree(t, sender, senderC, msg.InstallationID)
	}
	return res, err
}

func (m *Manager) decrypt(t *txn, now time.Time, r io.Reader, sender *ecdsa.PublicKey, senderC []byte, inst string, dm *DirectMessage) ([]byte, error) {
	if dm.X3DH != nil {
		if dm.DR == nil {
			return nil, fmt.Errorf("%w: X3DH header without DR header", ErrMalformed)
		}
		if err := m.respond(t, now, r, sender, senderC, inst, dm.X3DH); err != nil {
			return nil, err
		}
	}
	switch {
	case dm.DR != nil:
		return m.decryptDR(t, now, r, senderC, inst, dm.DR, dm.Payload)
	case dm.DH != nil:
		ek, err := decompress(dm.DH.Key)
		if err != nil {
			return nil, err
		}
		return openGCM(ecdh(m.cfg.Identity, ek), dm.Payload)
	}
	return nil, fmt.Errorf("%w: entry has no header", ErrMalformed)
}

// respond runs passive X3DH with our prekey named by the header and creates
// the responder session, unless a session for that (identity, installation,
// bundle) exists: an existing session is never replaced, so a replayed
// X3DH message cannot reset it.
func (m *Manager) respond(t *txn, now time.Time, r io.Reader, sender *ecdsa.PublicKey, senderC []byte, inst string, h *X3DHHeader) error {
	if inst == "" || inst == NoInstallation {
		return fmt.Errorf("%w: sender installation %q", ErrMalformed, inst)
	}
	if _, ok, err := t.ratchetInfo(senderC, h.ID, inst); err != nil || ok {
		return err
	}
	var spk privateSPK
	ok, err := t.getJSON(KindPrivateSPK, h.ID, &spk)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %x", ErrPrivateBundleNotFound, h.ID)
	}
	if spk.Expired && now.Sub(time.Unix(0, spk.Created)) > BundleRefreshInterval+ExpiredSessionRetention {
		return fmt.Errorf("%w: prekey %x retired", ErrSessionExpired, h.ID)
	}
	ek, err := decompress(h.Key)
	if err != nil {
		return err
	}
	priv, err := privFromBytes(spk.Priv)
	if err != nil {
		return t.corrupt(fmt.Errorf("%w: prekey %x: %w", ErrCorrupt, h.ID, err))
	}
	ri := &ratchetInfo{Identity: senderC, Installation: inst, BundleID: h.ID,
		SK: X3DHResponder(priv, m.cfg.Identity, sender, ek), Created: now.UnixNano()}
	if spk.Expired {
		ri.Expired, ri.ExpiredAt = true, now.UnixNano()
	}
	pair := keyPair{priv: spk.Priv, pub: spk.Pub}
	if _, err := newResponderSession(ri.sessionID(), ri.SK, pair, drSessions{t}, drCrypto{rand: r}, drKeys{t}); err != nil {
		return fmt.Errorf("encryption: new session: %w", err)
	}
	return m.addRatchetInfo(t, now, ri)
}

// decryptDR decrypts on the session named by the header, checks the skip
// limit first, deletes the used message key, and marks the session
// confirmed (our X3DH header is no longer sent).
func (m *Manager) decryptDR(t *txn, now time.Time, r io.Reader, senderC []byte, inst string, h *DRHeader, payload []byte) ([]byte, error) {
	ri, ok, err := t.ratchetInfo(senderC, h.ID, inst)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: bundle %x installation %q", ErrSessionNotFound, h.ID, inst)
	}
	if !ri.usable(now) {
		return nil, ErrSessionExpired
	}
	sid := ri.sessionID()
	keys := drKeys{t}
	if err := checkHeader(drSessions{t}, keys, sid, h); err != nil {
		return nil, err
	}
	sess, err := loadSession(sid, drSessions{t}, drCrypto{rand: r}, keys)
	if err != nil || sess == nil {
		return nil, fmt.Errorf("%w: state of %x: %v", ErrSessionNotFound, sid, err)
	}
	pt, err := sess.RatchetDecrypt(dr.Message{Header: dr.MessageHeader{DH: h.Key, N: h.N, PN: h.PN}, Ciphertext: payload}, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrDecrypt, err)
	}
	if err := keys.DeleteMk(h.Key, uint(h.N)); err != nil {
		return nil, err
	}
	if ri.EphemeralKey != nil {
		ri.EphemeralKey = nil
		t.putJSON(KindRatchetInfo, ri.key(), ri)
	}
	return pt, nil
}

// checkHeader rejects, before the library runs, a header that would skip
// more than MaxSkip keys and a header whose key was already used.
func checkHeader(ss drSessions, keys drKeys, sid []byte, h *DRHeader) error {
	if _, kept, err := keys.Get(h.Key, uint(h.N)); err != nil || kept {
		return err
	}
	st, ok, err := ss.record(sid)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: state of %x", ErrSessionNotFound, sid)
	}
	if bytes.Equal(h.Key, st.DHr) {
		if h.N < st.RecvN {
			return fmt.Errorf("%w (%w): n=%d", ErrReplay, ErrDecrypt, h.N)
		}
		if uint64(h.N) > uint64(st.RecvN)+MaxSkip {
			return fmt.Errorf("%w: n=%d, next %d", ErrTooManySkipped, h.N, st.RecvN)
		}
		return nil
	}
	if uint64(h.N) > MaxSkip || (st.DHr != nil && uint64(h.PN) > uint64(st.RecvN)+MaxSkip) {
		return fmt.Errorf("%w: n=%d pn=%d", ErrTooManySkipped, h.N, h.PN)
	}
	return nil
}

// agree records that the negotiated secret with the sender's installation
// is agreed when it advertises protocol version >= 1 (spec §3.8). It
// returns the secret the first time.
func (m *Manager) agree(t *txn, sender *ecdsa.PublicKey, senderC []byte, inst string) ([]byte, error) {
	spk, ok, err := latestSPK(t, senderC, inst)
	if err != nil || !ok || spk.ProtocolVersion < 1 {
		return nil, err
	}
	key := identityInstKey(senderC, inst)
	if _, ok, err := t.get(KindAgreement, key); err != nil || ok {
		return nil, err
	}
	secret := NegotiatedSecret(m.cfg.Identity, sender)
	t.put(KindAgreement, key, secret)
	return secret, nil
}
