package encryption

import (
	"fmt"

	"github.com/statusnode/statusd/protocol/encryption/pb"
	"google.golang.org/protobuf/proto"
)

// SignedPreKey is one installation's entry in a bundle (spec §3.1).
type SignedPreKey struct {
	Key             []byte // compressed secp256k1 key, 33 bytes
	Version         uint32 // generation counter, from 1
	ProtocolVersion uint32 // 1 in 2019
}

// Bundle is an X3DH prekey bundle: an identity's signed prekeys, one per
// active installation (spec §3.1–3.2).
type Bundle struct {
	Identity      []byte // compressed identity key, 33 bytes
	SignedPreKeys map[string]SignedPreKey
	Signature     []byte // 65 bytes R‖S‖V
	Timestamp     int64  // Unix nanoseconds; 0 is excluded from the signature
}

// X3DHHeader carries the initiator's ephemeral key and the SPK it used.
type X3DHHeader struct{ Key, ID []byte }

// DRHeader is the Double Ratchet header sent in clear; ID is the session's
// bundle id (the SPK the session was built on).
type DRHeader struct {
	Key   []byte
	N, PN uint32
	ID    []byte
}

// DHHeader carries the sender's ephemeral key of a DH-only message.
type DHHeader struct{ Key []byte }

// DirectMessage is one recipient installation's entry.
type DirectMessage struct {
	X3DH    *X3DHHeader
	DR      *DRHeader
	DH      *DHHeader
	Payload []byte
}

// ProtocolMessage is the validated domain form of the wire ProtocolMessage.
// Bundles includes the deprecated field 1 bundle when present.
type ProtocolMessage struct {
	InstallationID string
	Bundles        []*Bundle
	Direct         map[string]*DirectMessage // keyed by recipient installation or "none"
	Public         []byte
}

// DecodeProtocolMessage parses b. Bytes that are not protobuf, or that carry
// none of the ProtocolMessage fields, give ErrNotProtocolMessage so the
// receiver can pass them to the next layer (spec §0). Wrong key sizes give
// ErrMalformed. It never panics.
func DecodeProtocolMessage(b []byte) (*ProtocolMessage, error) {
	if len(b) > MaxMessageSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformed, len(b))
	}
	var w pb.ProtocolMessage
	if err := proto.Unmarshal(b, &w); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotProtocolMessage, err)
	}
	if w.InstallationId == "" && w.Bundle == nil && len(w.Bundles) == 0 &&
		len(w.DirectMessage) == 0 && w.PublicMessage == nil {
		return nil, ErrNotProtocolMessage
	}
	m := &ProtocolMessage{InstallationID: w.InstallationId, Public: w.PublicMessage}
	if w.Bundle != nil {
		m.Bundles = append(m.Bundles, bundleFromWire(w.Bundle))
	}
	for _, b := range w.Bundles {
		if b != nil {
			m.Bundles = append(m.Bundles, bundleFromWire(b))
		}
	}
	if len(w.DirectMessage) > 0 {
		m.Direct = make(map[string]*DirectMessage, len(w.DirectMessage))
	}
	for id, d := range w.DirectMessage {
		dm, err := directFromWire(d)
		if err != nil {
			return nil, fmt.Errorf("entry %q: %w", id, err)
		}
		m.Direct[id] = dm
	}
	return m, nil
}

// EncodeProtocolMessage serialises m deterministically (map entries sorted),
// so equal messages give equal bytes.
func EncodeProtocolMessage(m *ProtocolMessage) ([]byte, error) {
	w := &pb.ProtocolMessage{InstallationId: m.InstallationID, PublicMessage: m.Public}
	for _, b := range m.Bundles {
		w.Bundles = append(w.Bundles, bundleToWire(b))
	}
	if len(m.Direct) > 0 {
		w.DirectMessage = make(map[string]*pb.DirectMessageProtocol, len(m.Direct))
	}
	for id, d := range m.Direct {
		w.DirectMessage[id] = directToWire(d)
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(w)
}

func bundleFromWire(w *pb.Bundle) *Bundle {
	b := &Bundle{Identity: w.Identity, Signature: w.Signature, Timestamp: w.Timestamp,
		SignedPreKeys: make(map[string]SignedPreKey, len(w.SignedPreKeys))}
	for id, k := range w.SignedPreKeys {
		if k == nil {
			k = &pb.SignedPreKey{}
		}
		b.SignedPreKeys[id] = SignedPreKey{Key: k.SignedPreKey, Version: k.Version, ProtocolVersion: k.ProtocolVersion}
	}
	return b
}

func bundleToWire(b *Bundle) *pb.Bundle {
	w := &pb.Bundle{Identity: b.Identity, Signature: b.Signature, Timestamp: b.Timestamp,
		SignedPreKeys: make(map[string]*pb.SignedPreKey, len(b.SignedPreKeys))}
	for id, k := range b.SignedPreKeys {
		w.SignedPreKeys[id] = &pb.SignedPreKey{SignedPreKey: k.Key, Version: k.Version, ProtocolVersion: k.ProtocolVersion}
	}
	return w
}

func checkKey(name string, k []byte) error {
	if len(k) != compressedKeyLen {
		return fmt.Errorf("%w: %s key of %d bytes", ErrMalformed, name, len(k))
	}
	return nil
}

func directFromWire(w *pb.DirectMessageProtocol) (*DirectMessage, error) {
	if w == nil {
		return nil, fmt.Errorf("%w: empty entry", ErrMalformed)
	}
	d := &DirectMessage{Payload: w.Payload}
	if h := w.X3DHHeader; h != nil {
		if err := firstErr(checkKey("X3DH", h.Key), checkKey("X3DH id", h.Id)); err != nil {
			return nil, err
		}
		d.X3DH = &X3DHHeader{Key: h.Key, ID: h.Id}
	}
	if h := w.DRHeader; h != nil {
		if err := firstErr(checkKey("DR", h.Key), checkKey("DR id", h.Id)); err != nil {
			return nil, err
		}
		d.DR = &DRHeader{Key: h.Key, N: h.N, PN: h.Pn, ID: h.Id}
	}
	if h := w.DHHeader; h != nil {
		if err := checkKey("DH", h.Key); err != nil {
			return nil, err
		}
		d.DH = &DHHeader{Key: h.Key}
	}
	return d, nil
}

func directToWire(d *DirectMessage) *pb.DirectMessageProtocol {
	w := &pb.DirectMessageProtocol{Payload: d.Payload}
	if h := d.X3DH; h != nil {
		w.X3DHHeader = &pb.X3DHHeader{Key: h.Key, Id: h.ID}
	}
	if h := d.DR; h != nil {
		w.DRHeader = &pb.DRHeader{Key: h.Key, N: h.N, Pn: h.PN, Id: h.ID}
	}
	if h := d.DH; h != nil {
		w.DHHeader = &pb.DHHeader{Key: h.Key}
	}
	return w
}

func firstErr(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
