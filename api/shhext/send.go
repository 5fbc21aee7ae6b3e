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
	"github.com/statusnode/statusd/internal/messenger"
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

// SendPublicMessage is shhext_sendPublicMessage: it sends the payload a
// frontend built to the public chat req.chat (joined if needed; v0.35
// required a loaded filter) and returns the Status message ID (§1.10), as
// v0.35 did. The payload is Transit, bare or in the v1 wrapper; it is
// dispatched by its decoded type (sendPayload). A chat message of any
// content type goes out as given — its clock and timestamp kept, wrapped
// and signed with our key — after the §1.8 validation a receiver applies;
// an invalid one is -32602 naming the rule ("rule clock-drift: …").
func (a *ShhExtAPI) SendPublicMessage(ctx context.Context, req SendPublicMessageRequest) (string, error) {
	raw, p, err := decodePayload(req.Payload)
	if err != nil {
		return "", rpcError(invalid("payload", err))
	}
	if _, err := a.c.m.JoinPublic(req.Chat); err != nil {
		return "", fail("chat", err)
	}
	return a.sendPayload(ctx, req.Chat, nil, raw, p)
}

// SendDirectMessage is shhext_sendDirectMessage: it sends the payload a
// frontend built to req.pubKey and returns the Status message ID. A 1:1
// chat message goes through MVDS and the double ratchet to that key (the
// 1:1 chat is opened if needed); a group chat message (message type
// group-user-message) goes to the members of the group its chat-id names,
// which we must be in — the same payload sent again for the next member,
// as 2019 frontends did, is sent once and returns the same ID; a contact
// message (c2, c3, c6) goes to the contact as the frontend built it
// (send_contact.go); a pairing message (p1, p2) addressed to our own key
// goes to our own devices (send_pairing.go). Payloads are dispatched and validated as for
// SendPublicMessage.
func (a *ShhExtAPI) SendDirectMessage(ctx context.Context, req SendDirectMessageRequest) (string, error) {
	raw, p, err := decodePayload(req.Payload)
	if err != nil {
		return "", rpcError(invalid("payload", err))
	}
	pub, err := parsePub(req.PubKey)
	if err != nil {
		return "", rpcError(invalid("pubKey", err))
	}
	if cm, ok := p.(*message.ChatMessage); ok && cm.MessageType != message.TypePrivateGrp {
		if _, err := a.c.m.StartOneToOne(pub); err != nil {
			return "", fail("pubKey", err)
		}
	}
	return a.sendPayload(ctx, pub, &req, raw, p)
}

// sendPayload dispatches a decoded payload to the messenger operation of
// its type: one case per payload kind. to is the public chat name or the
// recipient's 0x04… key; direct is the sendDirectMessage request (nil for
// sendPublicMessage). Kinds without a case are refused (-32602).
func (a *ShhExtAPI) sendPayload(ctx context.Context, to string, direct *SendDirectMessageRequest, raw []byte, p message.Payload) (string, error) {
	switch p := p.(type) {
	case *message.ChatMessage:
		id, err := a.c.m.Send(ctx, to, messenger.Draft{Payload: raw})
		return id, fail("payload", err)
	case *message.MembershipUpdateMessage: // a group change (send_group.go)
		return a.sendMembershipUpdate(ctx, p)
	case *message.Contact:
		if direct != nil { // c2, c3, c6 to a contact (send_contact.go)
			return a.sendContactMessage(ctx, *direct)
		}
	case *message.PairInstallation, *message.SyncInstallation:
		if direct != nil { // p2, p1 to our own devices (send_pairing.go)
			return a.sendPairingMessage(ctx, to, *direct)
		}
	}
	return "", rpcError(invalid("payload", fmt.Errorf("%s payloads are not sent through this method by statusd", p.TransitTag())))
}

// decodePayload reads a frontend's payload: Transit, bare or in the v1
// wrapper (whose signature is replaced by ours). It returns the Transit
// bytes and their decoded payload.
func decodePayload(payload []byte) ([]byte, message.Payload, error) {
	if len(payload) == 0 {
		return nil, nil, errors.New("empty")
	}
	u, err := message.Unwrap(payload)
	if err != nil {
		return nil, nil, err
	}
	p, err := message.Decode(u.Payload)
	if err != nil {
		return nil, nil, fmt.Errorf("rule %s: %w", message.RuleOf(err), err)
	}
	return u.Payload, p, nil
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
