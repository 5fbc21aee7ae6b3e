package encryption

import (
	"crypto/ecdsa"
	"fmt"
	"io"
	"time"
)

// Outgoing is one encoded ProtocolMessage to hand to the transport.
type Outgoing struct {
	// Recipient is the identity the Whisper envelope is addressed to (the
	// peer, or our own key for the copies to our other devices).
	Recipient *ecdsa.PublicKey
	// Payload is the serialised ProtocolMessage (the Whisper payload).
	Payload []byte
	// Message is Payload decoded, for inspection; do not modify.
	Message *ProtocolMessage
	// Route is the topic to post on (spec §4.3).
	Route Route
}

// SendDirect encrypts payload for every active installation of peer (spec
// §3.5) and, if we have enabled paired devices, also for them in a second
// message addressed to our own key. The returned messages may be sent only
// because the new ratchet state was committed before SendDirect returned.
// After an error wrapping ErrStore nothing was committed and nothing may be
// sent; the caller keeps the payload and calls again later.
// Sending to our own key yields just the copies (none without paired
// devices).
func (m *Manager) SendDirect(now time.Time, r io.Reader, peer *ecdsa.PublicKey, payload []byte) ([]*Outgoing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := newTxn(m.store)
	out, err := m.sendDirect(t, now, r, peer, payload)
	if err == nil {
		err = t.commit()
	}
	if err != nil {
		return nil, t.result(err)
	}
	return out, nil
}

func (m *Manager) sendDirect(t *txn, now time.Time, r io.Reader, peer *ecdsa.PublicKey, payload []byte) ([]*Outgoing, error) {
	bundle, err := m.ownBundle(t, now, r)
	if err != nil {
		return nil, err
	}
	var out []*Outgoing
	peerC := compress(peer)
	if !m.isSelf(peerC) {
		o, err := m.buildDirect(t, now, r, peer, peerC, bundle, payload)
		if err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	self, err := m.buildDirect(t, now, r, &m.cfg.Identity.PublicKey, m.idC, bundle, payload)
	if err != nil {
		return nil, err
	}
	if self != nil {
		out = append(out, self)
	}
	return out, nil
}

// SendDH builds a DH-only message to peer (no forward secrecy; spec §3.5),
// used deliberately for pairing messages to ourselves and for the empty
// answer that teaches a peer our bundle.
func (m *Manager) SendDH(now time.Time, r io.Reader, peer *ecdsa.PublicKey, payload []byte) (*Outgoing, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t := newTxn(m.store)
	bundle, err := m.ownBundle(t, now, r)
	if err != nil {
		return nil, err
	}
	dm, err := encryptDH(r, peer, payload)
	if err != nil {
		return nil, err
	}
	o, err := m.finish(t, peer, compress(peer), bundle, map[string]*DirectMessage{NoInstallation: dm})
	if err == nil {
		err = t.commit()
	}
	if err != nil {
		return nil, t.result(err)
	}
	return o, nil
}

// buildDirect encrypts for each active installation of the peer; for our
// own key it returns nil when no other device is enabled.
func (m *Manager) buildDirect(t *txn, now time.Time, r io.Reader, peer *ecdsa.PublicKey, peerC []byte, bundle *Bundle, payload []byte) (*Outgoing, error) {
	insts, err := m.activeInstallations(t, peerC)
	if err != nil {
		return nil, err
	}
	entries := make(map[string]*DirectMessage)
	for _, inst := range insts {
		dm, err := m.encryptFor(t, now, r, peer, peerC, inst.ID, payload)
		if err != nil {
			return nil, fmt.Errorf("installation %q: %w", inst.ID, err)
		}
		if dm != nil {
			entries[inst.ID] = dm
		}
	}
	if len(entries) == 0 {
		if m.isSelf(peerC) {
			return nil, nil
		}
		dm, err := encryptDH(r, peer, payload)
		if err != nil {
			return nil, err
		}
		entries[NoInstallation] = dm
	}
	return m.finish(t, peer, peerC, bundle, entries)
}

func (m *Manager) finish(t *txn, peer *ecdsa.PublicKey, peerC []byte, bundle *Bundle, entries map[string]*DirectMessage) (*Outgoing, error) {
	msg := &ProtocolMessage{InstallationID: m.cfg.InstallationID, Bundles: []*Bundle{bundle}, Direct: entries}
	raw, err := EncodeProtocolMessage(msg)
	if err != nil {
		return nil, fmt.Errorf("encryption: encode: %w", err)
	}
	route, err := m.route(t, peer, peerC)
	if err != nil {
		return nil, err
	}
	return &Outgoing{Recipient: peer, Payload: raw, Message: msg, Route: route}, nil
}

// encryptFor DR-encrypts for one installation: on the active session, or
// on a new one from X3DH with the installation's newest prekey. The X3DH
// header rides along until the peer has answered. nil, nil when there is
// neither a session nor a prekey.
func (m *Manager) encryptFor(t *txn, now time.Time, r io.Reader, peer *ecdsa.PublicKey, peerC []byte, inst string, payload []byte) (*DirectMessage, error) {
	ri, err := t.activeRatchetInfo(peerC, inst)
	if err != nil {
		return nil, err
	}
	c := drCrypto{rand: r}
	if ri == nil {
		spk, ok, err := latestSPK(t, peerC, inst)
		if err != nil || !ok {
			return nil, err
		}
		if ri, err = m.initiate(t, now, r, peer, peerC, inst, spk.Key); err != nil {
			return nil, err
		}
	}
	sess, err := loadSession(ri.sessionID(), drSessions{t}, c, drKeys{t})
	if err != nil || sess == nil {
		return nil, fmt.Errorf("%w: %x: %v", ErrSessionNotFound, ri.sessionID(), err)
	}
	msg, err := sess.RatchetEncrypt(payload, nil)
	if err != nil {
		return nil, fmt.Errorf("encryption: ratchet encrypt: %w", err)
	}
	dm := &DirectMessage{Payload: msg.Ciphertext,
		DR: &DRHeader{Key: msg.Header.DH, N: msg.Header.N, PN: msg.Header.PN, ID: ri.BundleID}}
	if ri.EphemeralKey != nil {
		dm.X3DH = &X3DHHeader{Key: ri.EphemeralKey, ID: ri.BundleID}
	}
	return dm, nil
}

// initiate runs X3DH as initiator with a fresh ephemeral key and creates
// the session (spec §3.3, §3.4).
func (m *Manager) initiate(t *txn, now time.Time, r io.Reader, peer *ecdsa.PublicKey, peerC []byte, inst string, spkC []byte) (*ratchetInfo, error) {
	spk, err := decompress(spkC)
	if err != nil {
		return nil, err
	}
	ek, err := generateKey(r)
	if err != nil {
		return nil, err
	}
	ri := &ratchetInfo{Identity: peerC, Installation: inst, BundleID: spkC,
		SK: X3DHInitiator(m.cfg.Identity, ek, peer, spk), EphemeralKey: compress(&ek.PublicKey), Created: now.UnixNano()}
	if _, err := newInitiatorSession(ri.sessionID(), ri.SK, spkC, drSessions{t}, drCrypto{rand: r}, drKeys{t}); err != nil {
		return nil, fmt.Errorf("encryption: new session: %w", err)
	}
	return ri, m.addRatchetInfo(t, now, ri)
}

// encryptDH is the DH-only fallback: AES-256-GCM with ECDH(EK, IK_peer),
// laid out ciphertext‖tag‖nonce, entry "none" (spec §3.5).
func encryptDH(r io.Reader, peer *ecdsa.PublicKey, payload []byte) (*DirectMessage, error) {
	ek, err := generateKey(r)
	if err != nil {
		return nil, err
	}
	ct, err := sealGCM(ecdh(ek, peer), payload, r)
	if err != nil {
		return nil, err
	}
	return &DirectMessage{DH: &DHHeader{Key: compress(&ek.PublicKey)}, Payload: ct}, nil
}

// route picks the topic for a message to peer (spec §3.8–3.9, §4.3):
// negotiated when every target installation has agreed the shared secret,
// partitioned when all advertise protocol version >= 1, else discovery.
// With no installation of the peer known (a cold first message) it is the
// partitioned topic and, as well, the generic discovery topic.
func (m *Manager) route(t *txn, peer *ecdsa.PublicKey, peerC []byte) (Route, error) {
	discovery := Route{Kind: TopicDiscovery, Name: DiscoveryTopicName, Topic: DiscoveryTopic()}
	insts, err := m.activeInstallations(t, peerC)
	if err != nil {
		return discovery, err
	}
	if len(insts) == 0 {
		name := PartitionedTopicName(peer)
		return Route{Kind: TopicPartitioned, Name: name, Topic: TopicFromName(name), Also: []Route{discovery}}, nil
	}
	agreed, minVersion := true, ^uint32(0)
	var secret []byte
	for _, inst := range insts {
		s, ok, err := t.get(KindAgreement, identityInstKey(peerC, inst.ID))
		if err != nil {
			return discovery, err
		}
		agreed, secret = agreed && ok, s
		spk, ok, err := latestSPK(t, peerC, inst.ID)
		if err != nil {
			return discovery, err
		}
		if !ok {
			minVersion = 0
		} else {
			minVersion = min(minVersion, spk.ProtocolVersion)
		}
	}
	if agreed && minVersion >= 1 {
		name := NegotiatedTopicName(secret)
		return Route{Kind: TopicNegotiated, Name: name, Topic: TopicFromName(name)}, nil
	}
	if minVersion >= 1 {
		name := PartitionedTopicName(peer)
		return Route{Kind: TopicPartitioned, Name: name, Topic: TopicFromName(name)}, nil
	}
	return discovery, nil
}

// Route returns the topic choice for a message to peer now.
func (m *Manager) Route(peer *ecdsa.PublicKey) (Route, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.route(newTxn(m.store), peer, compress(peer))
}
