package encryption

import dr "github.com/status-im/doubleratchet"

// Library sessions are configured the way Status did (spec §3.4):
// secp256k1 crypto, MaxSkip 1000, MaxKeep 3000, 2000 keys per session, and
// our key storage. The library's option type is unexported, so each
// constructor spells the options out.

// newInitiatorSession starts the sender's side from SK and the peer's SPK
// (NewWithRemoteKey: fresh ratchet pair, first sending chain from DH with
// the SPK).
func newInitiatorSession(id []byte, sk, theirSPK dr.Key, ss dr.SessionStorage, c drCrypto, ks dr.KeysStorage) (dr.Session, error) {
	return dr.NewWithRemoteKey(id, sk, theirSPK, ss,
		dr.WithCrypto(c), dr.WithMaxSkip(MaxSkip), dr.WithMaxKeep(MaxKeep),
		dr.WithMaxMessageKeysPerSession(MaxMessageKeysPerSession), dr.WithKeysStorage(ks))
}

// newResponderSession starts the receiver's side from SK with our SPK as
// the first ratchet pair.
func newResponderSession(id []byte, sk dr.Key, spk dr.DHPair, ss dr.SessionStorage, c drCrypto, ks dr.KeysStorage) (dr.Session, error) {
	return dr.New(id, sk, spk, ss,
		dr.WithCrypto(c), dr.WithMaxSkip(MaxSkip), dr.WithMaxKeep(MaxKeep),
		dr.WithMaxMessageKeysPerSession(MaxMessageKeysPerSession), dr.WithKeysStorage(ks))
}

// loadSession loads a stored session; nil, nil if there is none.
func loadSession(id []byte, ss dr.SessionStorage, c drCrypto, ks dr.KeysStorage) (dr.Session, error) {
	return dr.Load(id, ss,
		dr.WithCrypto(c), dr.WithMaxSkip(MaxSkip), dr.WithMaxKeep(MaxKeep),
		dr.WithMaxMessageKeysPerSession(MaxMessageKeysPerSession), dr.WithKeysStorage(ks))
}
