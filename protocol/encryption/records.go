package encryption

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
)

// Stored record shapes (JSON values; keys are documented on each Kind).
// Format changes need a storage migration.

// ratchetRecord is a dr.State without its configuration (crypto, limits
// and key storage are reapplied on load).
type ratchetRecord struct {
	DHsPub    []byte `json:"dhs_pub"`
	DHsPriv   []byte `json:"dhs_priv"`
	DHr       []byte `json:"dhr"`
	Root      []byte `json:"root"`
	SendCK    []byte `json:"send_ck"`
	SendN     uint32 `json:"send_n"`
	RecvCK    []byte `json:"recv_ck"`
	RecvN     uint32 `json:"recv_n"`
	PN        uint32 `json:"pn"`
	Step      uint   `json:"step"`
	KeysCount uint   `json:"keys_count"`
}

// mkRecord is a kept message key.
type mkRecord struct {
	SessionID []byte `json:"sid"`
	Seq       uint   `json:"seq"`
	MK        []byte `json:"mk"`
}

// privateSPK is one of our signed prekeys.
type privateSPK struct {
	Priv    []byte `json:"priv"`
	Pub     []byte `json:"pub"`
	Version uint32 `json:"version"`
	Created int64  `json:"created"` // Unix ns
	Expired bool   `json:"expired"`
}

// peerSPK is a signed prekey learnt from a bundle.
type peerSPK struct {
	Key             []byte `json:"key"`
	Version         uint32 `json:"version"`
	ProtocolVersion uint32 `json:"protocol_version"`
	Timestamp       int64  `json:"timestamp"`
	Expired         bool   `json:"expired"`
}

// ratchetInfo ties a DR session to (identity, installation, bundle id).
type ratchetInfo struct {
	Identity     []byte `json:"identity"`
	Installation string `json:"installation"`
	BundleID     []byte `json:"bundle_id"`
	SK           []byte `json:"sk"`
	EphemeralKey []byte `json:"ek,omitempty"` // ours, until the peer answers
	Created      int64  `json:"created"`
	Expired      bool   `json:"expired"`
	ExpiredAt    int64  `json:"expired_at"`
}

func (ri *ratchetInfo) sessionID() []byte {
	return append(append([]byte{}, ri.BundleID...), ri.Installation...)
}

func (ri *ratchetInfo) key() []byte { return rinfoKey(ri.Identity, ri.BundleID, ri.Installation) }

func rinfoKey(identity, bundleID []byte, inst string) []byte {
	k := append(append([]byte{}, identity...), bundleID...)
	return append(k, inst...)
}

func identityInstKey(identity []byte, inst string) []byte {
	return append(append([]byte{}, identity...), inst...)
}

func mkKey(dh []byte, n uint32) []byte {
	return binary.BigEndian.AppendUint32(append([]byte{}, dh...), n)
}

func mkIndexPrefix(sid []byte) []byte {
	return append([]byte{byte(len(sid))}, sid...)
}

func mkIndexKey(sid []byte, seq uint) []byte {
	return binary.BigEndian.AppendUint64(mkIndexPrefix(sid), uint64(seq))
}

const (
	metaCurrentSPK = "current-spk"
	metaSeenBundle = "seen-bundle:" // + identity
	metaResend     = "resend:"      // + identity: new installations not yet sent recent messages
)

func (t *txn) getJSON(k Kind, key []byte, v any) (bool, error) {
	raw, ok, err := t.get(k, key)
	if err != nil || !ok {
		return false, err
	}
	return true, t.decode(k, raw, v)
}

func (t *txn) putJSON(k Kind, key []byte, v any) {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encryption: encode %s: %v", k, err)) // plain structs: cannot fail
	}
	t.put(k, key, raw)
}

// decode unmarshals a stored record of kind k; a record that does not
// decode is corrupt (ErrCorrupt, remembered as the txn's fault).
func (t *txn) decode(k Kind, raw []byte, v any) error {
	if err := json.Unmarshal(raw, v); err != nil {
		return t.corrupt(fmt.Errorf("%w: decode %s: %w", ErrCorrupt, k, err))
	}
	return nil
}
