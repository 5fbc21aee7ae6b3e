package shhext

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/protocol/message"
)

// Post is shhext_post (status-go v0.35): a plain Whisper post, exactly as
// shh_post (same NewMessage request), returning the envelope hash. It is
// not tracked by the messenger.
func (a *ShhExtAPI) Post(ctx context.Context, req shh.NewMessage) (hexutil.Bytes, error) {
	return a.c.post.Post(ctx, req)
}

// SendPublicMessageRequest is shhext_sendPublicMessage's parameter (§7.1):
// sig is ignored (we always sign with the account key, as v0.35 did), chat
// is the public chat name, payload the hex Transit message.
type SendPublicMessageRequest struct {
	Sig     string        `json:"sig"`
	Chat    string        `json:"chat"`
	Payload hexutil.Bytes `json:"payload"`
}

// SendDirectMessageRequest is shhext_sendDirectMessage's parameter (§7.1):
// sig, chat and DH are ignored (v0.35 ignored sig and DH too), pubKey is
// the recipient's 65-byte key, payload the hex Transit message.
type SendDirectMessageRequest struct {
	Sig     string        `json:"sig"`
	Chat    string        `json:"chat"`
	Payload hexutil.Bytes `json:"payload"`
	PubKey  hexutil.Bytes `json:"pubKey"`
	DH      bool          `json:"DH"`
}

// SendPublicMessage is shhext_sendPublicMessage: it sends a text message
// to the public chat req.chat and returns the Status message ID (§1.10),
// as v0.35 did. Smaller than status-go: the messenger sends only messages
// it builds itself, so payload must be a Transit c4/c7 text/plain chat
// message (bare or in the v1 wrapper); its text is sent as a new message
// with the chat's next clock and the current timestamp (the payload's own
// clock and timestamp are not used). The chat is joined if needed (v0.35
// required a loaded filter).
func (a *ShhExtAPI) SendPublicMessage(ctx context.Context, req SendPublicMessageRequest) (string, error) {
	text, err := textOf(req.Payload)
	if err != nil {
		return "", rpcError(invalid("payload", err))
	}
	if _, err := a.c.m.JoinPublic(req.Chat); err != nil {
		return "", fail("chat", err)
	}
	id, err := a.c.m.SendText(ctx, req.Chat, text)
	return id, fail("payload", err)
}

// SendDirectMessage is shhext_sendDirectMessage: it sends a text message
// to the 1:1 chat with req.pubKey (opened if needed) through MVDS and the
// double ratchet, and returns the Status message ID. Payload is restricted
// as for SendPublicMessage, except that contact messages (c2, c3, c6) are
// sent as the frontend built them (send_contact.go).
func (a *ShhExtAPI) SendDirectMessage(ctx context.Context, req SendDirectMessageRequest) (string, error) {
	if isContactPayload(req.Payload) {
		return a.sendContactMessage(ctx, req)
	}
	text, err := textOf(req.Payload)
	if err != nil {
		return "", rpcError(invalid("payload", err))
	}
	pub, err := parsePub(req.PubKey)
	if err != nil {
		return "", rpcError(invalid("pubKey", err))
	}
	c, err := a.c.m.StartOneToOne(pub)
	if err != nil {
		return "", fail("pubKey", err)
	}
	id, err := a.c.m.SendText(ctx, c.ID, text)
	return id, fail("payload", err)
}

// textOf extracts the text of a Transit chat message, bare or wrapped.
func textOf(payload []byte) (string, error) {
	if len(payload) == 0 {
		return "", errors.New("empty")
	}
	u, err := message.Unwrap(payload)
	if err != nil {
		return "", err
	}
	p, err := message.Decode(u.Payload)
	if err != nil {
		return "", err
	}
	cm, ok := p.(*message.ChatMessage)
	if !ok {
		return "", fmt.Errorf("not a chat message (%s); statusd sends only text chat messages", p.TransitTag())
	}
	if cm.ContentType != message.ContentText {
		return "", fmt.Errorf("content type %q; statusd sends only %q", cm.ContentType, message.ContentText)
	}
	return cm.Content.Text, nil
}

// parsePub checks a 65-byte public key and returns its 0x04… form.
func parsePub(raw []byte) (string, error) {
	k, err := crypto.UnmarshalPubkey(raw)
	if err != nil {
		return "", fmt.Errorf("not a 65-byte secp256k1 public key: %w", err)
	}
	return message.PubKeyHex(k), nil
}

// parsePubHex accepts a public key as hex with or without 0x.
func parsePubHex(s string) (*ecdsa.PublicKey, error) {
	raw, err := hexutil.Decode("0x" + strings.TrimPrefix(s, "0x"))
	if err != nil {
		return nil, err
	}
	return crypto.UnmarshalPubkey(raw)
}

// ConfirmMessagesRequest is one element of
// shhext_confirmMessagesProcessedByID's parameter (§7.2).
type ConfirmMessagesRequest struct {
	DedupID      hexutil.Bytes `json:"dedupId"`
	EncryptionID hexutil.Bytes `json:"encryptionId"`
	MessageID    string        `json:"messageId"`
	Author       string        `json:"author"`
}

// ConfirmMessagesProcessedByID is shhext_confirmMessagesProcessedByID. It
// is accepted and does nothing else: statusd's messenger already deletes
// a message's double-ratchet keys and records it as processed when it
// stores it, before any client sees it (no retained keys, no dedup cache
// to confirm). It returns null.
func (a *ShhExtAPI) ConfirmMessagesProcessedByID(confirmations []ConfirmMessagesRequest) error {
	return nil
}
