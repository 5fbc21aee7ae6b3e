package shhext

import (
	"context"
	"encoding/hex"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/markdown"
	"github.com/statusnode/statusd/protocol/message"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver"
)

// Signal names: the "type" of a Signal, status-go v0.35.1's
// (signal/events_shhext.go). whisper.filter.added and envelope.discarded
// are never sent: statusd listens on negotiated topics itself, and its
// router has no discard notice.
const (
	SignalNewMessages             = "messages.new"                 // NewMessagesSignal
	SignalEnvelopeSent            = "envelope.sent"                // EnvelopeSignal
	SignalEnvelopeExpired         = "envelope.expired"             // EnvelopeSignal
	SignalMailServerRequestDone   = "mailserver.request.completed" // MailServerResponseSignal
	SignalMailServerRequestExpiry = "mailserver.request.expired"   // EnvelopeSignal
	SignalDecryptMessageFailed    = "messages.decrypt.failed"      // DecryptMessageFailedSignal
	SignalBundleAdded             = "bundles.added"                // BundleAddedSignal
)

// Signal is one notification of shhext_subscribe("signals"): status-go's
// signal envelope {"type", "event"}, the JSON its frontends' signal
// handlers parse. The event's type by name is listed with the Signal…
// constants.
type Signal struct {
	Type  string `json:"type"`
	Event any    `json:"event"`
}

// EnvelopeSignal (envelope.sent, envelope.expired,
// mailserver.request.expired). IDs are the 0x message IDs the envelope
// carried (null when it carried none: ACKs, bundles, pairing); Hash is the
// envelope's hash (status-go left it zero for envelope.*; statusd fills
// it), or the request's ID for mailserver.request.expired; Message is an
// error text, always "".
type EnvelopeSignal struct {
	IDs     []string `json:"ids"`
	Hash    string   `json:"hash"`
	Message string   `json:"message"`
}

// MailServerResponseSignal (mailserver.request.completed): a mailserver
// answered one page of request RequestID; Cursor is the hex (no 0x) of the
// next page's cursor, "" when done; ErrorMsg the server's failure text.
type MailServerResponseSignal struct {
	RequestID        string `json:"requestID"`
	LastEnvelopeHash string `json:"lastEnvelopeHash"`
	Cursor           string `json:"cursor"`
	ErrorMsg         string `json:"errorMessage"`
}

// DecryptMessageFailedSignal (messages.decrypt.failed): a direct message
// from Sender (0x04…) could not be decrypted.
type DecryptMessageFailedSignal struct {
	Sender string `json:"sender"`
}

// BundleAddedSignal (bundles.added): a new installation of Identity
// (0x04…) was learnt from its bundle.
type BundleAddedSignal struct {
	Identity       string `json:"identity"`
	InstallationID string `json:"installationID"`
}

// NewMessagesSignal (messages.new): status-go's raw batch, one per
// received chat message here: messages[0] names the chat's filter and
// holds the message.
type NewMessagesSignal struct {
	Messages []SignalMessages `json:"messages"`
}

// SignalMessages is the messages of one filter; Error is always null.
type SignalMessages struct {
	Error    *string         `json:"error"`
	Messages []SignalMessage `json:"messages"`
	Chat     SignalFilter    `json:"chat"`
}

// SignalFilter is the filter a message arrived on, in status-go's shape:
// ChatID is statusd's chat ID (the public chat name, the peer's 0x04…
// key, or the group ID), OneToOne is set for 1:1 and group chats,
// Identity is the peer's key as hex without 0x for 1:1 chats, Topic the
// topic statusd listens on for the chat (the name's topic for public
// chats, our partitioned topic otherwise). FilterID and SymKeyID are "".
type SignalFilter struct {
	ChatID     string `json:"chatId"`
	FilterID   string `json:"filterId"`
	SymKeyID   string `json:"symKeyId"`
	OneToOne   bool   `json:"oneToOne"`
	Identity   string `json:"identity"`
	Topic      string `json:"topic"`
	Discovery  bool   `json:"discovery"`
	Negotiated bool   `json:"negotiated"`
	Listen     bool   `json:"listen"`
}

// SignalMessage is one received message as status-go's deduplicator
// passed it on: Payload is the Transit text of the message, MessageType 1
// (a chat message), ParsedMessage its decoded form.
type SignalMessage struct {
	Message       WhisperMessage `json:"message"`
	Metadata      SignalMetadata `json:"metadata"`
	Payload       string         `json:"payload"`
	MessageType   int            `json:"messageType"`
	ParsedMessage ParsedMessage  `json:"parsedMessage"`
}

// WhisperMessage is the Whisper message in status-go's shape. statusd does
// not keep envelopes: Sig is the author's key, Timestamp the sender's
// time in seconds, Topic as SignalFilter's, Payload the hex of the
// Transit payload, Hash the message ID; TTL and PoW are 0 and Padding
// empty.
type WhisperMessage struct {
	Sig       string  `json:"sig,omitempty"`
	TTL       uint32  `json:"ttl"`
	Timestamp uint32  `json:"timestamp"`
	Topic     string  `json:"topic"`
	Payload   string  `json:"payload"`
	Padding   string  `json:"padding"`
	PoW       float64 `json:"pow"`
	Hash      string  `json:"hash"`
}

// SignalMetadata is status-go's dedup.Metadata: DedupID (base64, as
// status-go's []byte) and EncryptionID hold the message ID too; pass
// them back to shhext_confirmMessagesProcessedByID, which accepts them.
type SignalMetadata struct {
	DedupID      []byte       `json:"dedupId"`
	EncryptionID string       `json:"encryptionId"`
	MessageID    string       `json:"messageId"`
	Author       SignalAuthor `json:"author"`
}

// SignalAuthor is the sender: key (0x04…), alias and identicon.
type SignalAuthor struct {
	PublicKey string `json:"publicKey"`
	Alias     string `json:"alias"`
	Identicon string `json:"identicon"`
}

// ParsedMessage is status-go's decoded chat message (its v1 Message, as
// the signal encoded it): the text, content type, message type, clock,
// timestamp and content, whose parsedText, lineCount and rtl are
// shhext_prepareContent's.
type ParsedMessage struct {
	Text      string  `json:"text"`
	ContentT  string  `json:"content_type"`
	MessageT  string  `json:"message_type"`
	Clock     int64   `json:"clock"`
	Timestamp int64   `json:"timestamp"`
	Content   Content `json:"content"`
}

// MessengerEvents is where signals of the messenger come from
// (*messenger.Messenger).
type MessengerEvents interface {
	Subscribe(capacity int) *messenger.EventSubscription
}

// MailEvents is where mailserver signals come from
// (*mailserver.Client).
type MailEvents interface {
	Subscribe(capacity int) *mailserver.Subscription
}

// SetSignalSources gives shhext_subscribe("signals") its sources; either
// may be nil (its signals are then never sent). Call it before the RPC
// server starts.
func (s *Service) SetSignalSources(m MessengerEvents, mail MailEvents) {
	s.core.sig.events, s.core.sig.mail = m, mail
}

// Signals is shhext_subscribe("signals"): push status-go v0.35.1's
// signals (Signal: messages.new for each chat message received — from
// others or from our paired devices, not those this installation sends —,
// envelope.sent, envelope.expired, mailserver.request.completed,
// mailserver.request.expired, bundles.added, messages.decrypt.failed) as
// shhext_subscription notifications, over WebSocket or IPC, so that a
// frontend's signal handler reads them unchanged. statusd's own events
// (statusd_subscribe, mailserver_subscribe) are not affected. It ends with
// shhext_unsubscribe, when the connection closes or when the node stops
// (Service.Close). Signals that do not fit a slow client's queue are
// dropped, never blocking the node.
//
// Notification: Signal
//
// Example: Follow incoming messages and envelope states
//
//	params: []
//	result: {"type":"envelope.sent","event":{"ids":["0x5f1d…"],"hash":"0x0e5a…","message":""}}
func (a *ShhExtAPI) Signals(ctx context.Context) (*rpc.Subscription, error) {
	n, ok := rpc.NotifierFromContext(ctx)
	if !ok {
		return nil, rpc.ErrNotificationsUnsupported
	}
	return a.c.sig.start(n, a.c.m.ChatKey())
}

// signalOf converts a messenger event to its signal; nil when the event
// has none. self is our chat key. It is the one mapping of messenger
// events to v0.35 signals.
func signalOf(e messenger.Event, self string) *Signal {
	switch e := e.(type) {
	case messenger.MessageEvent:
		if e.Message == nil || e.Message.Delivery != messenger.DeliveryNone {
			return nil // sent by this installation: the frontend has it
		}
		return &Signal{SignalNewMessages, newMessagesSignal(e.Message, self)}
	case messenger.EnvelopeStateEvent:
		t := SignalEnvelopeSent
		if e.Kind == messenger.EnvelopeExpired {
			t = SignalEnvelopeExpired
		}
		var ids []string
		if len(e.MessageIDs) > 0 {
			ids = append(ids, e.MessageIDs...)
		}
		return &Signal{t, EnvelopeSignal{IDs: ids, Hash: e.Hash.String()}}
	case messenger.DecryptFailedEvent:
		return &Signal{SignalDecryptMessageFailed, DecryptMessageFailedSignal{Sender: e.Sender}}
	case messenger.BundleAddedEvent:
		return &Signal{SignalBundleAdded, BundleAddedSignal{Identity: e.Identity, InstallationID: e.InstallationID}}
	}
	return nil
}

// mailSignalOf converts a mailserver client event; nil when it has no
// signal.
func mailSignalOf(e mailserver.Event) *Signal {
	switch e.Kind {
	case mailserver.EventRequestCompleted:
		s := MailServerResponseSignal{RequestID: e.RequestID.Hex(), LastEnvelopeHash: common.Hash{}.Hex()}
		if c := e.Completion; c != nil {
			s.LastEnvelopeHash, s.ErrorMsg = c.LastEnvelopeHash.Hex(), c.Error
			if c.Cursor != nil {
				s.Cursor = hex.EncodeToString(c.Cursor.Bytes())
			}
		}
		return &Signal{SignalMailServerRequestDone, s}
	case mailserver.EventRequestExpired:
		return &Signal{SignalMailServerRequestExpiry, EnvelopeSignal{Hash: e.RequestID.Hex()}}
	}
	return nil
}

// newMessagesSignal builds messages.new for one stored message m.
func newMessagesSignal(m *messenger.Message, self string) NewMessagesSignal {
	payload := transitOf(m, self)
	a, icon := (*identities)(nil).of(m.From)
	idBytes, _ := hex.DecodeString(strings.TrimPrefix(m.ID, "0x"))
	filter := filterOf(m, self)
	ts := m.Timestamp / 1000
	if ts <= 0 {
		ts = m.ReceivedAt / 1000
	}
	c := Content{ChatID: contentChatID(m, self), Text: m.Text, ResponseTo: m.ResponseTo,
		LineCount: markdown.LineCount(m.Text), RTL: markdown.IsRTL(m.Text)}
	c.ParsedText, _ = markdown.Parse(m.Text)
	sm := SignalMessage{
		Message: WhisperMessage{Sig: m.From, Timestamp: uint32(ts), Topic: filter.Topic,
			Payload: "0x" + hex.EncodeToString(payload), Padding: "0x", Hash: m.ID},
		Metadata: SignalMetadata{DedupID: idBytes, EncryptionID: m.ID, MessageID: m.ID,
			Author: SignalAuthor{PublicKey: m.From, Alias: a, Identicon: icon}},
		Payload:     string(payload),
		MessageType: 1,
		ParsedMessage: ParsedMessage{Text: m.Text, ContentT: m.ContentType, MessageT: m.MessageType,
			Clock: m.Clock, Timestamp: m.Timestamp, Content: c},
	}
	return NewMessagesSignal{Messages: []SignalMessages{{Messages: []SignalMessage{sm}, Chat: filter}}}
}

// contentChatID is the chat-id the sender wrote in m's content (see
// contentOf).
func contentChatID(m *messenger.Message, self string) string {
	if m.MessageType == string(message.TypeOneToOne) && !m.Outgoing {
		return self
	}
	return m.ChatID
}

// transitOf re-encodes m as the Transit c4 its sender sent (without the
// wrapper); nil if it does not encode.
func transitOf(m *messenger.Message, self string) []byte {
	cm := &message.ChatMessage{ContentType: message.ContentType(m.ContentType),
		MessageType: message.MessageType(m.MessageType), Clock: m.Clock, Timestamp: m.Timestamp,
		Content: message.Content{ChatID: contentChatID(m, self), Text: m.Text, ResponseTo: m.ResponseTo}}
	b, err := message.Encode(cm)
	if err != nil {
		return nil
	}
	return b
}

// filterOf is the filter m arrived on (see SignalFilter).
func filterOf(m *messenger.Message, self string) SignalFilter {
	f := SignalFilter{ChatID: m.ChatID, Listen: true}
	if m.MessageType == string(message.TypePublicGroup) {
		f.Topic = wproto.TopicFromName(m.ChatID).String()
		return f
	}
	f.OneToOne = true
	if m.MessageType == string(message.TypeOneToOne) {
		f.Identity = strings.TrimPrefix(m.ChatID, "0x")
	}
	if pub, err := parsePubHex(self); err == nil {
		f.Topic = wproto.TopicFromName(encryption.PartitionedTopicName(pub)).String()
	}
	return f
}
