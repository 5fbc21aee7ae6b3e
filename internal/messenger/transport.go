package messenger

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"time"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/protocol/whisper"
)

// Transport is the messenger's view of Whisper (docs/PROTOCOL.md §4, §5).
// It is defined here, where it is consumed; transport/whisper implements it
// over the real router and transporttest over an in-memory network.
//
// A Transport belongs to one identity: asymmetric subscriptions decrypt with
// that identity's key and every posted envelope is signed with it (§4.3 "all
// Status Whisper messages are signed"). All methods are safe for concurrent
// use. The messenger calls Post from its own goroutines and from the MVDS
// driver goroutine; Post must not call back into the messenger, and must
// not wait for a Sink call in progress.
type Transport interface {
	// JoinSymmetric subscribes sink to envelopes on topic that decrypt with
	// key (public chats, contact-code topics, negotiated topics).
	JoinSymmetric(topic whisper.Topic, key whisper.SymKey, sink Sink) (Subscription, error)
	// JoinAsymmetric subscribes sink to envelopes on any of topics that
	// decrypt with the transport's identity key (partitioned, discovery and
	// personal discovery topics).
	JoinAsymmetric(topics []whisper.Topic, sink Sink) (Subscription, error)
	// Post seals env, signs it with the identity key and hands it to the
	// router. It returns the envelope hash, the key of later EnvelopeEvents.
	// It may block until ctx ends (proof of work).
	Post(ctx context.Context, env Envelope) (EnvelopeHash, error)
	// EnvelopeEvents reports what happened to posted envelopes, and each
	// peer that connects (PeerConnected). EnvelopeSent comes once per
	// envelope: at its first write to a peer that does not confirm, or at
	// its first acknowledgement by one that does (Whisper codes 11/12,
	// §4.6; status-go's envelope.sent), so an envelope every peer refused
	// is never reported sent. Each acknowledgement and refusal is reported
	// too (EnvelopeAcknowledged, EnvelopeRefused). The channel is never
	// closed; one consumer (the messenger) reads it until Stop. A Transport
	// does not drop events for a slow consumer: it keeps them until they
	// are read (whisperadapter), without making its router wait. The
	// messenger still survives a lost EnvelopeExpired (tests lose events
	// on purpose with transporttest's SetLoseEvents).
	EnvelopeEvents() <-chan EnvelopeEvent
	// PeerCount is the number of peers envelopes can be sent to now. It
	// never blocks.
	PeerCount() int
}

// Sink receives the decrypted messages of one subscription. The Transport
// calls it directly from the goroutine that delivers envelopes (the
// router's), with no queue or goroutine of its own in between, and must not
// drop a message because the Sink is slow: the messenger's Sink writes into
// its inbound queue and BLOCKS while that queue is full, which is
// back-pressure on the delivering goroutine. The Transport may skip the
// envelopes it posted itself (the messenger ignores them).
type Sink func(ReceivedMessage)

// Subscription is one filter of a Transport.
type Subscription interface {
	// Unsubscribe removes the filter. A delivery already under way may
	// still reach the Sink afterwards; none is started later. Idempotent;
	// it must not wait for a Sink call to return.
	Unsubscribe()
}

// Envelope is what the messenger asks the Transport to send. Exactly one of
// SymKey and PubKey is set.
type Envelope struct {
	Topic   whisper.Topic
	SymKey  *whisper.SymKey  // symmetric encryption (AES-GCM)
	PubKey  *ecdsa.PublicKey // asymmetric encryption (ECIES) to this key
	Payload []byte           // the Whisper message payload
	TTL     time.Duration    // 0: the transport's default (Status: 10–15 s, §4.4)
}

// ReceivedMessage is one opened Whisper message. It is unsigned when both
// Signer and Recover are nil.
type ReceivedMessage struct {
	Payload []byte
	// Signer is the key recovered from the Whisper signature; nil if the
	// message is unsigned or the Transport left the recovery to Recover.
	Signer *ecdsa.PublicKey
	// Recover, set by a Transport that did not recover the signature of a
	// signed message (Signer nil), recovers it: the signer, or an error
	// when the signature does not recover. The messenger calls it only on
	// the receive paths that use the Whisper signer (WhisperSignerNeeded),
	// on any goroutine; it must be safe for concurrent use and return the
	// first call's result every time.
	Recover func() (*ecdsa.PublicKey, error)
	Topic   whisper.Topic
	Hash    EnvelopeHash
	Sent    time.Time // the envelope's sent time (Expiry − TTL)
}

// signed reports whether the message carries a Whisper signature, valid
// or not (not yet recovered); it recovers nothing.
func (m *ReceivedMessage) signed() bool { return m.Signer != nil || m.Recover != nil }

// recoverSigner sets Signer from Recover when the Transport left the
// recovery to the messenger; the error is Recover's. A no-op when Signer
// is known or the message is unsigned.
func (m *ReceivedMessage) recoverSigner() error {
	if m.Signer != nil || m.Recover == nil {
		return nil
	}
	s, err := m.Recover()
	if err != nil {
		return err
	}
	m.Signer = s
	return nil
}

// WhisperSignerNeeded reports whether the messenger may need the Whisper
// signer of a signed message with this payload on a public chat: for every
// payload but a v1 wrapper that carries its own signature, which names the
// author (docs/PROTOCOL.md §1.2, §0 "Layers on receive"). A Transport may
// use it to recover at once, where it opens envelopes in parallel, the
// signatures the messenger will ask Recover for, and to leave the others
// unrecovered. It only parses the wrapper's fields; it never recovers.
func WhisperSignerNeeded(payload []byte) bool {
	w, err := message.DecodeWrapper(payload)
	return err != nil || len(w.Signature) == 0
}

// EnvelopeHash identifies an envelope (keccak256 of its RLP, §5.3).
type EnvelopeHash [32]byte

// String returns the 0x-prefixed hex form.
func (h EnvelopeHash) String() string { return "0x" + hex.EncodeToString(h[:]) }

// EnvelopeEventKind says what happened to a posted envelope. Append-only.
type EnvelopeEventKind uint8

const (
	// EnvelopeSent: the envelope was written to at least one peer
	// (status-go signal envelope.sent, §7.3).
	EnvelopeSent EnvelopeEventKind = iota + 1
	// EnvelopeExpired: the envelope's TTL passed (envelope.expired). It is
	// reported for every posted envelope, sent or not; the messenger turns
	// it into DeliveryExpired only for messages not yet acked.
	EnvelopeExpired
	// PeerConnected: a peer connected (Hash is zero). The messenger then
	// re-posts the public messages that reached no peer yet.
	PeerConnected
	// EnvelopeAcknowledged: Peer acknowledged the batch that carried the
	// envelope (Whisper code 11, §4.6) without refusing it. Reported for
	// each acknowledging peer, besides the envelope's one EnvelopeSent.
	EnvelopeAcknowledged
	// EnvelopeRefused: Peer refused the envelope in its Message Response
	// (code 12, §4.6); Reason says why (e.g. a clock out of sync).
	EnvelopeRefused
)

func (k EnvelopeEventKind) String() string {
	switch k {
	case EnvelopeSent:
		return "sent"
	case EnvelopeExpired:
		return "expired"
	case PeerConnected:
		return "peer-connected"
	case EnvelopeAcknowledged:
		return "acknowledged"
	case EnvelopeRefused:
		return "refused"
	}
	return "unknown"
}

// EnvelopeEvent is one envelope's fate. Peer names the Whisper peer an
// EnvelopeAcknowledged or EnvelopeRefused came from (its enode ID, hex; it
// may be set on EnvelopeSent too); Reason is set on EnvelopeRefused.
type EnvelopeEvent struct {
	Hash   EnvelopeHash
	Kind   EnvelopeEventKind
	Peer   string
	Reason string
}
