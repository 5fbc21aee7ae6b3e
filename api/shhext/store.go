package shhext

import (
	"context"
	"errors"
	"fmt"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
)

// SaveChat is shhext_saveChat(chat): it takes a chat in v0.35's shape (Chat).
// Smaller than status-go, which stored any chat record: here it opens the
// chat the record describes — chatType 2 joins the public chat id, 1 opens
// the 1:1 chat with id (0x04… key) — or, with active false, leaves a
// public chat. A private group (3) must already exist (create it with
// statusd_createGroup); its record is not changed. Other fields (name,
// color, timestamps, members, …) are accepted and not stored.
func (a *ShhExtAPI) SaveChat(chat Chat) error {
	var err error
	switch chat.ChatType {
	case ChatTypePublic:
		if chat.Active {
			_, err = a.c.m.JoinPublic(chat.ID)
		} else {
			err = a.c.m.LeavePublic(chat.ID)
		}
	case ChatTypeOneToOne:
		_, err = a.c.m.StartOneToOne(chat.ID)
	case ChatTypePrivateGroup:
		_, err = a.c.m.Chat(chat.ID)
	default:
		return rpcError(invalid("chatType", fmt.Errorf("%d is not 1 (one-to-one), 2 (public) or 3 (private group)", chat.ChatType)))
	}
	return fail("id", err)
}

// Chats is shhext_chats: every chat in v0.35's shape (Chat), most recent
// message first, each with its newest stored message as lastMessage….
func (a *ShhExtAPI) Chats() []Chat {
	chats := a.c.m.Chats()
	self := a.c.m.ChatKey()
	out := make([]Chat, 0, len(chats))
	for _, c := range chats {
		var last *messenger.Message
		if p, err := a.c.m.Messages(c.ID, "", 1); err == nil && len(p.Messages) > 0 {
			last = p.Messages[0]
		}
		var events []messenger.GroupEvent
		if c.Type == messenger.ChatPrivateGroup {
			events = a.c.m.GroupEvents(c.ID)
		}
		out = append(out, toChat(c, last, events, self))
	}
	return out
}

// DeleteChat is shhext_deleteChat: the chat's messages are deleted and
// older copies will not be shown again; a public chat is left.
func (a *ShhExtAPI) DeleteChat(chatID string) error {
	return fail("chatId", a.c.m.DeleteChat(chatID))
}

// SaveContact is shhext_saveContact: it stores what the frontend says of
// contact.id and, as status-go v0.35 did, sends nothing (status-react sent
// its c2/c3 through shhext_sendDirectMessage next). ":contact/added" in
// systemTags marks it added, its absence not added (status-react's
// remove-contact); ":contact/blocked" blocks it as shhext_blockContact
// does; a non-empty name is stored. Smaller than v0.35: the other members
// (photoPath, lastUpdated, deviceInfo, ensVerified*, tributeToTalk) are
// statusd's own, learnt from the contact's messages, and not overwritten.
func (a *ShhExtAPI) SaveContact(ctx context.Context, contact Contact) error {
	if hasTag(contact.SystemTags, tagBlocked) {
		_, err := a.c.m.BlockContact(contact.ID)
		return fail("id", err)
	}
	_, err := a.c.m.SetContact(contact.ID, contact.Name, hasTag(contact.SystemTags, tagAdded))
	return fail("id", err)
}

// BlockContact is shhext_blockContact: as status-go v0.35, the contact is
// blocked (its messages and contact requests are dropped from now on),
// its messages are deleted from every chat, its 1:1 chat is deleted, and
// the remaining chats are returned (null when there are none).
func (a *ShhExtAPI) BlockContact(contact Contact) ([]Chat, error) {
	if _, err := a.c.m.BlockContact(contact.ID); err != nil {
		return nil, fail("id", err)
	}
	var out []Chat
	for _, c := range a.Chats() {
		if c.ID != contact.ID {
			out = append(out, c)
		}
	}
	return out, nil
}

// Contacts is shhext_contacts: every known contact (added, blocked, or
// seen through a contact message) in v0.35's shape; null when there is
// none, as v0.35 answered.
func (a *ShhExtAPI) Contacts() []Contact {
	var out []Contact
	for _, c := range a.c.m.Contacts() {
		out = append(out, toContact(c))
	}
	return out
}

// ChatMessages is shhext_chatMessages(chatID, cursor, limit): a page
// {messages, cursor} of the chat's messages in v0.35's shape (Message),
// newest first (by Lamport clock), starting after cursor ("" for the
// newest); limit 0 means 50, and a page holds at most 1000 (a larger
// limit gets 1000). Pass the returned cursor to get the next older page;
// it is "" after the oldest. A reply carries the message it quotes when
// that is stored.
func (a *ShhExtAPI) ChatMessages(chatID, cursor string, limit int) (*MessagesPage, error) {
	if limit < 0 {
		return nil, rpcError(invalid("limit", errors.New("must not be negative")))
	}
	p, err := a.c.m.Messages(chatID, cursor, limit)
	if err != nil {
		if errors.Is(err, messenger.ErrInvalidCursor) {
			return nil, fail("cursor", err)
		}
		return nil, fail("chatId", err)
	}
	self := a.c.m.ChatKey()
	var ids identities
	out := &MessagesPage{Messages: make([]Message, 0, len(p.Messages)), Cursor: p.Cursor}
	for _, m := range p.Messages {
		var quoted *messenger.Message
		if m.ResponseTo != "" {
			quoted, _ = a.c.m.Message(m.ResponseTo) // absent or unreadable: no quote
		}
		out.Messages = append(out.Messages, toMessage(m, quoted, self, &ids))
	}
	return out, nil
}

// MessagesPage is shhext_chatMessages' result (status-go's
// ApplicationMessagesResponse): newest first, and the cursor of the next
// (older) page, "" at the end.
type MessagesPage struct {
	Messages []Message `json:"messages"`
	Cursor   string    `json:"cursor"`
}

// SaveMessages is shhext_saveMessages(messages): stores messages a
// frontend built or handled itself, in v0.35's shape (Message; status-react
// sent id, whisperTimestamp, from, content, contentType, messageType,
// chatId, clockValue, timestamp, seen, outgoingStatus and replyTo). A
// message statusd already stores (every message it sent or received)
// keeps its record: only seen (once true) and a non-empty outgoingStatus
// are taken. A new one is stored in its chat, which must exist: id and
// chatId are required (-32602 naming the field otherwise); alias,
// identicon, show and retryCount are not stored. The batch is stored
// whole or not at all.
func (a *ShhExtAPI) SaveMessages(messages []Message) error {
	msgs := make([]*messenger.Message, 0, len(messages))
	for i, in := range messages {
		if in.ID == "" {
			return rpcError(invalid(fmt.Sprintf("messages[%d].id", i), errors.New("missing")))
		}
		msgs = append(msgs, fromMessage(in))
	}
	err := a.c.m.SaveMessages(msgs)
	if errors.Is(err, messenger.ErrChatNotFound) {
		return fail("chatId", err)
	}
	return fail("messages", err)
}

// UpdateMessageOutgoingStatus is
// shhext_updateMessageOutgoingStatus(id, status): stores status as the
// frontend's outgoing status of message id, as given (status-react sent
// "sending", "sent", "delivered", "not-sent"), and answers it as the
// message's outgoingStatus from then on. statusd's own delivery state
// (statusd_ methods and events) is not changed. Unlike status-go, which
// updated nothing silently, an unknown id is -32602.
func (a *ShhExtAPI) UpdateMessageOutgoingStatus(id, status string) error {
	return fail("id", a.c.m.SetOutgoingStatus(id, status))
}

// DeleteMessage is shhext_deleteMessage: the message is removed and a
// retransmitted copy is not shown again.
func (a *ShhExtAPI) DeleteMessage(id string) error {
	return fail("id", a.c.m.DeleteMessage(id))
}

// DeleteMessagesByChatID is shhext_deleteMessagesByChatID: every message
// of the chat is deleted one by one; unlike deleteChat the chat stays
// joined and no deleted-at clock is recorded.
func (a *ShhExtAPI) DeleteMessagesByChatID(chatID string) error {
	for {
		p, err := a.c.m.Messages(chatID, "", 256)
		if err != nil {
			return fail("chatId", err)
		}
		if len(p.Messages) == 0 {
			return nil
		}
		for _, m := range p.Messages {
			if err := a.c.m.DeleteMessage(m.ID); err != nil && !errors.Is(err, messenger.ErrMessageNotFound) {
				return rpcError(err)
			}
		}
	}
}

// MarkMessagesSeen is shhext_markMessagesSeen(ids): the messages are
// marked seen and their chats' unread counts lowered.
func (a *ShhExtAPI) MarkMessagesSeen(ids []string) error {
	return fail("ids", a.c.m.MarkSeen(ids...))
}

// EnableInstallation is shhext_enableInstallation: pair one of our own
// installations (it then receives copies of what we send); our bundle is
// republished.
func (a *ShhExtAPI) EnableInstallation(installationID string) error {
	return fail("installationID", a.c.m.EnableInstallation(installationID))
}

// DisableInstallation is shhext_disableInstallation: unpair one of our own
// installations.
func (a *ShhExtAPI) DisableInstallation(installationID string) error {
	return fail("installationID", a.c.m.DisableInstallation(installationID))
}

// GetOurInstallations is shhext_getOurInstallations: this installation
// first (always enabled), then the others learnt from our bundles.
func (a *ShhExtAPI) GetOurInstallations() ([]Installation, error) {
	insts, err := a.c.m.Installations()
	if err != nil {
		return nil, rpcError(err)
	}
	out := make([]Installation, 0, len(insts))
	for _, i := range insts {
		out = append(out, Installation{Identity: a.c.m.ChatKey(), ID: i.ID, Version: 1, Enabled: i.Enabled,
			Timestamp: i.Timestamp, Metadata: InstallationMetadata{Name: i.Metadata.Name,
				DeviceType: i.Metadata.DeviceType, FCMToken: i.Metadata.FCMToken}})
	}
	return out, nil
}

// SetInstallationMetadata is shhext_setInstallationMetadata(installationID,
// {name, deviceType, fcmToken}): stores the description of one of our
// installations (this one included).
func (a *ShhExtAPI) SetInstallationMetadata(installationID string, md InstallationMetadata) error {
	err := a.c.m.SetInstallationMetadata(installationID, encryption.InstallationMetadata{
		Name: md.Name, DeviceType: md.DeviceType, FCMToken: md.FCMToken})
	return fail("installationID", err)
}
