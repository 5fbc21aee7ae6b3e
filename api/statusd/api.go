package statusd

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/identity/alias"
	"github.com/statusnode/statusd/protocol/identity/identicon"
	"github.com/statusnode/statusd/protocol/message"
)

// Info is statusd_info's result.
type Info struct {
	// ChatKey is our public identity key, 0x04… (what others use to start a
	// 1:1 chat with us).
	ChatKey string `json:"chat_key"`
	// Alias is the three-word name derived from the chat key (§2), what
	// other users see before they name us.
	Alias string `json:"alias"`
	// Identicon is the identicon derived from the chat key (§2), a
	// data:image/png;base64 URI, what other users see before we set a
	// profile photo.
	Identicon string `json:"identicon"`
	// InstallationID is this device's installation ID.
	InstallationID string `json:"installation_id"`
	// Peers is the number of Whisper peers.
	Peers int `json:"peers"`
}

// Info is statusd_info: our chat key with its alias and identicon,
// installation ID and Whisper peer count.
func (a *API) Info() Info {
	key := a.s.m.ChatKey()
	return Info{ChatKey: key, Alias: a.s.names.alias(key), Identicon: a.s.names.identicon(key), InstallationID: a.s.m.InstallationID(),
		Peers: a.s.w.PeerCount()}
}

// Health is statusd_health's result.
type Health struct {
	// Healthy is false while the node cannot store what it sends and
	// receives (database writes failing: a full disk, say); it retries
	// every second and turns healthy again by itself once it can.
	Healthy bool `json:"healthy"`
	// Error says what fails; empty when healthy.
	Error string `json:"error,omitempty"`
}

// Health is statusd_health: whether the node can store what it sends and
// receives. Asking also retries a failing database at once.
//
// Example: Check the node's health
//
//	params: []
//	result: {"healthy":true}
func (a *API) Health() Health {
	if a.s.health == nil {
		return Health{Healthy: true}
	}
	if err := a.s.health(); err != nil {
		return Health{Error: err.Error()}
	}
	return Health{Healthy: true}
}

// aliasOf is the alias of a 0x04… chat key, "" when it does not parse.
func aliasOf(chatKey string) string {
	pub := parseChatKey(chatKey)
	if pub == nil {
		return ""
	}
	return alias.Alias(pub)
}

// identiconOf is the identicon data URI of a 0x04… chat key, "" when it
// does not parse.
func identiconOf(chatKey string) string {
	pub := parseChatKey(chatKey)
	if pub == nil {
		return ""
	}
	uri, err := identicon.Identicon(pub)
	if err != nil {
		return ""
	}
	return uri
}

func parseChatKey(chatKey string) *ecdsa.PublicKey {
	raw, err := hex.DecodeString(strings.TrimPrefix(chatKey, "0x"))
	if err != nil {
		return nil
	}
	pub, err := crypto.UnmarshalPubkey(raw)
	if err != nil {
		return nil
	}
	return pub
}

// ChatKey is statusd_chatKey: our public identity key as 0x04… hex.
//
// Example: Get our chat key (what others pass to statusd_startOneToOne)
//
//	params: []
//	result: "0x048f442a99e4585137ef938d0ec032f2bb375c0b9c14caab74746800f375fe0115b235367c392ee4c8394d2471ea4f3edd46311f3b43aa8c9a257e67fd76913774"
//	task: 13
func (a *API) ChatKey() string { return a.s.m.ChatKey() }

// ContactCode is statusd_contactCode: our current bundle as the hex of the
// encoded ProtocolMessage we publish on our contact-code topic (§2).
func (a *API) ContactCode() (string, error) {
	raw, err := a.s.m.ContactCode()
	if err != nil {
		return "", rpcError(err)
	}
	return "0x" + hex.EncodeToString(raw), nil
}

// JoinPublicChat is statusd_joinPublicChat(name): join (or rejoin) the
// public chat name ([a-z0-9-]) and return it.
//
// Example: Join a public chat
//
//	params: ["status"]
//	result: {"id":"status","type":1,"name":"status","active":true,"last_clock":0,"unread":0,"last_message_at":0}
//	task: 9
func (a *API) JoinPublicChat(name string) (*Chat, error) {
	c, err := a.s.m.JoinPublic(name)
	return toChat(c), fail("name", err)
}

// LeavePublicChat is statusd_leavePublicChat(name): stop listening; the
// chat and its messages stay until deleted.
func (a *API) LeavePublicChat(name string) error {
	return fail("name", a.s.m.LeavePublic(name))
}

// StartOneToOne is statusd_startOneToOne(chatKey): open the 1:1 chat with
// the 0x04… key and return it; its ID is the key.
func (a *API) StartOneToOne(chatKey string) (*Chat, error) {
	c, err := a.s.m.StartOneToOne(chatKey)
	return toChat(c), fail("chatKey", err)
}

// CreateGroup is statusd_createGroup(name, members): create a private
// group with us as admin and the 0x04… members added; they are told
// pairwise. Returns the chat (its ID is a UUID followed by our key).
func (a *API) CreateGroup(ctx context.Context, name string, members []string) (*Chat, error) {
	c, err := a.s.m.CreateGroup(ctx, name, members)
	return toChat(c), fail("members", err)
}

// AddGroupMembers is statusd_addGroupMembers(chatId, members): add members
// to a group we administer.
func (a *API) AddGroupMembers(ctx context.Context, chatID string, members []string) (*Chat, error) {
	c, err := a.s.m.AddMembers(ctx, chatID, members...)
	return toChat(c), groupFail(err)
}

// RemoveGroupMember is statusd_removeGroupMember(chatId, member): remove a
// member from a group we administer; it stops receiving new messages.
func (a *API) RemoveGroupMember(ctx context.Context, chatID, member string) (*Chat, error) {
	c, err := a.s.m.RemoveMember(ctx, chatID, member)
	return toChat(c), groupFail(err)
}

// MakeGroupAdmin is statusd_makeGroupAdmin(chatId, member): make a member
// (0x04… key) an admin of a group we administer; every member is told
// pairwise. Returns the updated chat.
func (a *API) MakeGroupAdmin(ctx context.Context, chatID, member string) (*Chat, error) {
	c, err := a.s.m.MakeAdmin(ctx, chatID, member)
	return toChat(c), groupFail(err)
}

// RenameGroup is statusd_renameGroup(chatId, name): change the name of a
// group we administer; every member is told pairwise. Returns the updated
// chat.
func (a *API) RenameGroup(ctx context.Context, chatID, name string) (*Chat, error) {
	c, err := a.s.m.Rename(ctx, chatID, name)
	return toChat(c), groupFail(err)
}

// LeaveGroup is statusd_leaveGroup(chatId): leave the group (the others are
// told); the chat stays, inactive.
func (a *API) LeaveGroup(ctx context.Context, chatID string) (*Chat, error) {
	c, err := a.s.m.LeaveGroup(ctx, chatID)
	return toChat(c), groupFail(err)
}

// JoinGroup is statusd_joinGroup(chatId): accept the invitation to a group
// someone added us to. A member-joined event signed by us goes to every
// member (their 2019 clients list us as joined from then on); the group's
// messages are shown and we may send to it. Joining a group already
// joined changes nothing. Returns the chat, membership "joined".
func (a *API) JoinGroup(ctx context.Context, chatID string) (*Chat, error) {
	c, err := a.s.m.JoinGroup(ctx, chatID)
	return toChat(c), groupFail(err)
}

// DeclineGroup is statusd_declineGroup(chatId): refuse the invitation to a
// group we have not joined. As a 2019 client's "decline invitation", it
// removes us from the group with a member-removed event signed by us, sent
// to every member; the chat stays, inactive, membership "declined". A
// group already joined is left with statusd_leaveGroup instead (here it
// is -32602 "membership change not allowed").
func (a *API) DeclineGroup(ctx context.Context, chatID string) (*Chat, error) {
	c, err := a.s.m.DeclineGroup(ctx, chatID)
	return toChat(c), groupFail(err)
}

// groupFail names the field a group error is about.
func groupFail(err error) error {
	if errors.Is(err, messenger.ErrInvalidPublicKey) {
		return fail("member", err)
	}
	return fail("chatId", err)
}

// SendText is statusd_sendText(chatId, text): send a text message to a
// public, 1:1 or group chat and return its message ID. It returns once the
// message is stored (delivery state "queued"); follow it with
// statusd_deliveryState or the "delivery" event.
//
// Example: Send a text to the public chat
//
//	params: ["status","hello from curl"]
//	result: "0x9dd31ded2fa6df1f778f9368f9bd96ddaf84278d42719d05d793d39145c8536c"
//	save: MSGID
//	task: 10
func (a *API) SendText(ctx context.Context, chatID, text string) (string, error) {
	return a.send(ctx, chatID, "text", messenger.Draft{Text: text})
}

// SendReply is statusd_sendReply(chatId, messageId, text): send a text
// message answering messageId (0x + 64 hex, a message of the chat) and
// return its ID. It travels as status-react sent replies (content
// response-to); receivers show it with the quoted message (the result's
// "quoted" on this node and on others that have it).
//
// Example: Reply to a message
//
//	params: ["status","0x9dd31ded2fa6df1f778f9368f9bd96ddaf84278d42719d05d793d39145c8536c","same here"]
//	result: "0x3c1f29b0a6e6dcbd5c8f0a8b0c2fcd1e2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d"
func (a *API) SendReply(ctx context.Context, chatID, messageID, text string) (string, error) {
	return a.send(ctx, chatID, "message", messenger.Draft{Text: text, ReplyTo: messageID})
}

// SendEmoji is statusd_sendEmoji(chatId, emoji): send an emoji-only
// message (content type "emoji": 2019 clients showed it large) and return
// its ID.
//
// Example: Send an emoji
//
//	params: ["status","👍"]
//	result: "0x5e0b0c6f1d2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4"
func (a *API) SendEmoji(ctx context.Context, chatID, emoji string) (string, error) {
	return a.send(ctx, chatID, "message", messenger.Draft{ContentType: message.ContentEmoji, Text: emoji})
}

// SendSticker is statusd_sendSticker(chatId, hash, pack): send a sticker —
// its content hash (as sticker packs list it) and pack ID — and return the
// message ID. Clients that cannot show stickers show status-react's
// fallback text.
//
// Example: Send a sticker
//
//	params: ["status","e30101701220e2a68be8c7b0c8e4fdb21c8f2ea5b0c4f62bd7b5d1e9d5ad7e0d1c8b2f6a3a6e",1]
//	result: "0x7a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809"
func (a *API) SendSticker(ctx context.Context, chatID, hash string, pack int64) (string, error) {
	return a.send(ctx, chatID, "message", messenger.Draft{ContentType: message.ContentSticker, StickerHash: hash, StickerPack: pack})
}

// CommandRequest is statusd_sendCommand's parameter: a transaction command
// as 2019 clients sent it.
type CommandRequest struct {
	// Type is "request" (ask the chat's peer for a payment) or "send" (tell
	// it a payment was made).
	Type string `json:"type"`
	// Asset is the token symbol ("ETH", "SNT", …); Amount the decimal
	// amount as a user types it ("0.1", "1,5").
	Asset  string `json:"asset"`
	Amount string `json:"amount"`
	// Network is the chain name ("mainnet", "testnet", "rinkeby", …).
	Network string `json:"network,omitempty"`
	// Address and TxHash, for "send": the recipient address the
	// transaction paid and its hash.
	Address string `json:"address,omitempty"`
	TxHash  string `json:"tx_hash,omitempty"`
}

// SendCommand is statusd_sendCommand(chatId, command): send a transaction
// command (request or send) to a 1:1 chat, with the command-path, params
// and legacy keys status-react 1.0 wrote, and return the message ID. It
// moves no funds: "send" reports a transaction made elsewhere. A bad
// amount or a chat that is not 1:1 is -32602 naming the rule.
//
// Example: Ask for a payment
//
//	params: ["0x04bb…",{"type":"request","asset":"ETH","amount":"0.1","network":"mainnet"}]
//	result: "0x1d2e3f405162738495a6b7c8d9eaf0b1c2d3e4f5061728394a5b6c7d8e9f0a1b"
func (a *API) SendCommand(ctx context.Context, chatID string, cmd CommandRequest) (string, error) {
	ct := message.ContentCommandRequest
	switch cmd.Type {
	case message.CommandRequest:
	case message.CommandSend:
		ct = message.ContentCommand
	default:
		return "", rpcError(invalid("command", fmt.Errorf("type %q: want \"request\" or \"send\"", cmd.Type)))
	}
	return a.send(ctx, chatID, "message", messenger.Draft{ContentType: ct, Params: message.CommandParams{Asset: cmd.Asset,
		Amount: cmd.Amount, Network: cmd.Network, Address: cmd.Address, TxHash: cmd.TxHash}})
}

// send sends a draft; an invalid message is an error of field (the
// parameter that makes the message), an unknown chat one of chatId.
func (a *API) send(ctx context.Context, chatID, field string, d messenger.Draft) (string, error) {
	id, err := a.s.m.Send(ctx, chatID, d)
	switch {
	case errors.Is(err, messenger.ErrInvalidMessage):
		return "", fail(field, err)
	case errors.Is(err, messenger.ErrChatNotFound):
		return "", fail("chatId", fmt.Errorf("%w; %s", err, errChatNotOpen))
	}
	return id, fail("chatId", err)
}

// errChatNotOpen says how a chat comes to exist, for sendText.
const errChatNotOpen = "join a public chat first (statusd_joinPublicChat) or open a 1:1 chat with a " +
	"0x04… chat key of 132 characters (statusd_startOneToOne); statusd_chats lists the chats"

// Chats is statusd_chats: every chat, most recent message first.
func (a *API) Chats() []*Chat { return toChats(a.s.m.Chats()) }

// Chat is statusd_chat(chatId): one chat — its type (1 public, 2 one-to-one,
// 3 private group; shhext_ results number them as status-go did: 1
// one-to-one, 2 public), name, unread count, Lamport clock and, for groups,
// its members and admins.
func (a *API) Chat(chatID string) (*Chat, error) {
	c, err := a.s.m.Chat(chatID)
	return toChat(c), fail("chatId", err)
}

// Messages is statusd_messages(chatId, cursor, limit): a page of the chat's
// messages, newest first; cursor "" starts at the newest, limit 0 means 50,
// and a page holds at most 1000 (a larger limit gets 1000). The result's
// cursor continues with older messages ("" at the end).
//
// Example: Read the chat's newest messages
//
//	params: ["status","",20]
//	result: {"messages":[{"id":"0x9dd31ded2fa6df1f778f9368f9bd96ddaf84278d42719d05d793d39145c8536c","chat_id":"status","from":"0x048f44…","text":"hello from curl","content_type":"text/plain","message_type":"public-group-user-message","clock":179562739214801,"timestamp":1795627392148,"received_at":1795627392148,"outgoing":true,"seen":true,"delivery":"sent"}],"cursor":""}
//	task: 11
func (a *API) Messages(chatID, cursor string, limit int) (*Page, error) {
	if limit < 0 {
		return nil, rpcError(invalid("limit", errors.New("must not be negative")))
	}
	p, err := a.s.m.Messages(chatID, cursor, limit)
	if errors.Is(err, messenger.ErrInvalidCursor) {
		return nil, fail("cursor", err)
	}
	return toPage(a.s.names, p), fail("chatId", err)
}

// Message is statusd_message(id): one stored message.
func (a *API) Message(id string) (*Message, error) {
	m, err := a.s.m.Message(id)
	return toMessage(a.s.names, m), fail("id", err)
}

// DeliveryState is statusd_deliveryState(messageId): the delivery record
// of a message this installation sent — state "queued", "sent", "acked" or
// "expired", the recipients and who acknowledged it.
//
// Example: Check the message's delivery state
//
//	params: ["$MSGID"]
//	result: {"message_id":"0x9dd31ded2fa6df1f778f9368f9bd96ddaf84278d42719d05d793d39145c8536c","chat_id":"status","state":"queued","updated_at":1795627392148}
//	task: 12
func (a *API) DeliveryState(messageID string) (*Delivery, error) {
	d, err := a.s.m.DeliveryState(messageID)
	return toDelivery(d), fail("messageId", err)
}

// AddContact is statusd_addContact(chatKey, name): add (or rename) a
// contact and send it our contact update.
func (a *API) AddContact(ctx context.Context, chatKey, name string) (*Contact, error) {
	c, err := a.s.m.SaveContact(ctx, chatKey, name)
	return toContact(c), fail("chatKey", err)
}

// Contacts is statusd_contacts: every known contact.
func (a *API) Contacts() []*Contact { return toContacts(a.s.m.Contacts()) }

// Installations is statusd_installations: our devices, this one first.
func (a *API) Installations() ([]Installation, error) {
	insts, err := a.s.m.Installations()
	return toInstallations(insts), rpcError(err)
}

// PairInstallation is statusd_pairInstallation(installationId): enable
// one of our other devices, then send it this device's metadata and our
// contacts and public chats, so both show the same conversations.
func (a *API) PairInstallation(ctx context.Context, installationID string) error {
	if err := a.s.m.EnableInstallation(installationID); err != nil {
		return fail("installationId", err)
	}
	if err := a.s.m.SendPairInstallation(ctx); err != nil {
		return rpcError(err)
	}
	return rpcError(a.s.m.SyncDevices(ctx))
}

// AnnounceInstallation is statusd_announceInstallation: publish our bundle
// again and send this device's metadata to our other devices, so a new
// device is found (an "installation" event) without waiting.
func (a *API) AnnounceInstallation(ctx context.Context) error {
	if err := a.s.m.PublishBundle(); err != nil {
		return rpcError(err)
	}
	return rpcError(a.s.m.SendPairInstallation(ctx))
}
