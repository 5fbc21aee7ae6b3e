package message

//lint:file-ignore SA1019 ecdsa keys here are secp256k1, which crypto/ecdh and the ecdsa Bytes/Parse APIs do not support: the big.Int coordinates X, Y and D are the only access to them.

import (
	"crypto/ecdsa"
	"strings"
	"time"
)

// Context is what Validate needs besides the payload. Everything is passed
// in: the package reads no clock and no store.
type Context struct {
	Now    time.Time        // receive time, for clock drift bounds
	Author *ecdsa.PublicKey // recovered from the wrapper, else the Whisper signer; nil if unsigned
	Self   *ecdsa.PublicKey // our identity key (paired-device rules); may be nil
	// PublicChatJoined reports whether we have the public chat open; nil skips the check.
	PublicChatJoined func(chatID string) bool
	// GroupMember reports whether member belongs to the group chat we joined; nil skips the check.
	GroupMember func(chatID, member string) bool
	// AllowSpecContentTypes also accepts "status" and "emoji" (spec MAY);
	// false follows status-react's receive validator (§1.5, §9.10).
	AllowSpecContentTypes bool
}

// Validate applies docs/PROTOCOL.md §1.8 to a decoded payload and returns
// the chat ID the message belongs to (§1.7; "" for payloads that belong to
// no chat). Every failure is a *RuleError naming the rule. De-duplication
// and deleted-at checks need the store and belong to the caller
// (RuleDuplicate, RuleChatCleared are provided for its counters).
func Validate(p Payload, ctx Context) (string, error) {
	switch m := p.(type) {
	case *ChatMessage:
		return validateChat(m, ctx)
	case *MembershipUpdateMessage:
		return validateMembership(m, ctx)
	case *Contact:
		if err := CheckProfileImage(m.ProfileImage); err != nil {
			return "", err
		}
		return "", requireAuthor(ctx)
	case *PairInstallation:
		if m.InstallationID == "" {
			return "", reject(RuleShape, "p2 without installation-id")
		}
		return "", requireSelf(ctx)
	case *SyncInstallation:
		return "", requireSelf(ctx)
	case *MessagesSeen:
		return "", requireAuthor(ctx)
	case *NewContactKey:
		return "", reject(RuleUnsupported, "legacy c1 is not read since 2019")
	case *Unsupported:
		return "", reject(RuleUnsupported, "tag %q", m.Tag)
	case nil:
		return "", reject(RuleShape, "nil payload")
	}
	return "", reject(RuleUnsupported, "payload %T", p)
}

func requireAuthor(ctx Context) error {
	if ctx.Author == nil {
		return reject(RuleUnsigned, "no author key")
	}
	return nil
}

func requireSelf(ctx Context) error {
	if ctx.Author == nil || ctx.Self == nil || !sameKey(ctx.Author, ctx.Self) {
		return reject(RuleNotOwnDevice, "pairing message from another key")
	}
	return nil
}

func validateChat(m *ChatMessage, ctx Context) (string, error) {
	if err := checkContent(m, ctx); err != nil {
		return "", err
	}
	if err := CheckClock(m.Clock, ctx.Now); err != nil {
		return "", err
	}
	if m.Timestamp < 0 {
		return "", reject(RuleTimestamp, "timestamp %d", m.Timestamp)
	}
	if err := requireAuthor(ctx); err != nil {
		return "", err
	}
	return chatIDFor(m, ctx)
}

func checkContent(m *ChatMessage, ctx Context) error {
	c := &m.Content
	switch m.ContentType {
	case ContentText:
		return checkText(c.Text)
	case ContentSticker:
		if c.Hash == "" {
			return reject(RuleSticker, "no hash")
		}
	case ContentCommand, ContentCommandRequest:
		if c.CommandPath == nil || c.Params == nil {
			return reject(RuleCommand, "command-path or params missing")
		}
	case ContentStatus, ContentEmoji:
		if !ctx.AllowSpecContentTypes {
			return reject(RuleContentType, "%q (rejected by status-react)", m.ContentType)
		}
		return checkText(c.Text)
	default:
		return reject(RuleContentType, "%.64q", m.ContentType)
	}
	return nil
}

func checkText(s string) error {
	if strings.TrimSpace(s) == "" {
		return reject(RuleText, "blank")
	}
	if len(s) > MaxTextBytes {
		return reject(RuleTextTooLong, "%d bytes, limit %d", len(s), MaxTextBytes)
	}
	return nil
}

// chatIDFor applies §1.7 and returns the chat the message belongs to.
func chatIDFor(m *ChatMessage, ctx Context) (string, error) {
	id := m.Content.ChatID
	switch m.MessageType {
	case TypePublicGroup:
		if id == "" {
			return "", reject(RuleChatID, "public message without chat-id")
		}
		if !IsPublicChatName(id) {
			return "", reject(RuleChatIDMismatch, "%.80q is not a public chat name", id)
		}
		if ctx.PublicChatJoined != nil && !ctx.PublicChatJoined(id) {
			return "", reject(RuleChatIDMismatch, "public chat %q not joined", id)
		}
		return id, nil
	case TypeOneToOne:
		if sameKey(ctx.Author, ctx.Self) {
			if !IsPubKeyHex(id) {
				return "", reject(RuleChatIDMismatch, "own 1:1 message chat-id %.80q is not a public key", id)
			}
			return id, nil
		}
		return PubKeyHex(ctx.Author), nil
	case TypePrivateGrp:
		if id == "" {
			return "", reject(RuleChatID, "group message without chat-id")
		}
		if !IsGroupChatID(id) {
			return "", reject(RuleChatIDMismatch, "%.80q is not a group chat ID", id)
		}
		if ctx.GroupMember != nil && !ctx.GroupMember(id, PubKeyHex(ctx.Author)) {
			return "", reject(RuleChatIDMismatch, "author not a member of %q", id)
		}
		return id, nil
	}
	return "", reject(RuleMessageType, "%.64q", m.MessageType)
}

// IsPubKeyHex reports whether s is "0x04" followed by 128 hex digits.
func IsPubKeyHex(s string) bool {
	if len(s) != pubKeyHexLen || !strings.HasPrefix(s, "0x04") {
		return false
	}
	for i := 2; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// IsPublicChatName reports whether s is a valid public channel name:
// non-empty [a-z0-9-] and not a public key (account spec, §1.7).
func IsPublicChatName(s string) bool {
	if s == "" || IsPubKeyHex(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// IsGroupChatID reports whether s ends with a public key and is longer than
// it (both the status-react "uuid0x04…" and status-protocol-go
// "uuid-0x04…" forms, §1.7, §9.17).
func IsGroupChatID(s string) bool {
	return len(s) > pubKeyHexLen && IsPubKeyHex(s[len(s)-pubKeyHexLen:])
}

// GroupCreator returns the creator key suffix of a group chat ID.
func GroupCreator(chatID string) string {
	if !IsGroupChatID(chatID) {
		return ""
	}
	return chatID[len(chatID)-pubKeyHexLen:]
}

// sameKey compares two public keys by their encoding; nil equals nothing.
func sameKey(a, b *ecdsa.PublicKey) bool {
	return a != nil && b != nil && a.X != nil && b.X != nil && a.X.Cmp(b.X) == 0 && a.Y.Cmp(b.Y) == 0
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
