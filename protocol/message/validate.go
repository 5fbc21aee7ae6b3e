package message

//lint:file-ignore SA1019 ecdsa keys here are secp256k1, which crypto/ecdh and the ecdsa Bytes/Parse APIs do not support: the big.Int coordinates X, Y and D are the only access to them.

import (
	"crypto/ecdsa"
	"regexp"
	"strings"
	"time"

	"github.com/statusnode/statusd/protocol/transit"
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
	// AllowSpecContentTypes also accepts "status" (spec MAY); false follows
	// status-react's receive validator (§1.5, §9.10), which accepted
	// "emoji" (sent by its input for emoji-only texts) but not "status".
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
	if err := checkReply(&m.Content); err != nil {
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
		return checkCommand(c)
	case ContentEmoji:
		return checkText(c.Text)
	case ContentStatus:
		if !ctx.AllowSpecContentTypes {
			return reject(RuleContentType, "%q (rejected by status-react)", m.ContentType)
		}
		return checkText(c.Text)
	default:
		return reject(RuleContentType, "%.64q", m.ContentType)
	}
	return nil
}

// checkReply: a reply names a message by its §1.10 ID, "0x" and 64 hex
// digits (every 2019 client's IDs had that form: status-go's keccak256
// and, before it, status-react's sha3 of the message).
func checkReply(c *Content) error {
	for _, id := range []string{c.ResponseTo, c.ResponseToV2} {
		if id != "" && !IsMessageID(id) {
			return reject(RuleResponseTo, "%.80q is not a message ID", id)
		}
	}
	return nil
}

// IsMessageID reports whether s is a §1.10 message ID: "0x" and 64 hex
// digits.
func IsMessageID(s string) bool {
	if len(s) != 66 || s[:2] != "0x" {
		return false
	}
	for i := 2; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

// checkCommand applies status-react's command spec (transport/db.cljs:
// command-path a [name #{scope…}] tuple of a string and a non-empty set of
// keywords or strings, params a map with keyword keys) and the amount
// check its sender ran before any command left (transactions.cljs
// personal-send-request-validation): an amount must be present and a
// number as JavaScript's Number reads it, with at most one decimal
// separator ("." or ","), none at the end, and no 0x/0b/0o or leading-zero
// form.
func checkCommand(c *Content) error {
	if c.CommandPath == nil || c.Params == nil {
		return reject(RuleCommand, "command-path or params missing")
	}
	path, ok := c.CommandPath.([]any)
	if !ok || len(path) != 2 {
		return reject(RuleCommand, "command-path is not a [name scopes] tuple")
	}
	scopes, ok := path[1].(transit.Set)
	if _, isName := path[0].(string); !isName || !ok || len(scopes) == 0 {
		return reject(RuleCommand, "command-path is not [string #{scope…}]")
	}
	for _, s := range scopes {
		switch s.(type) {
		case transit.Keyword, string:
		default:
			return reject(RuleCommand, "command scope is %T", s)
		}
	}
	for _, e := range c.Params.Entries {
		if _, ok := e.Key.(transit.Keyword); !ok {
			return reject(RuleCommand, "params key %T is not a keyword", e.Key)
		}
	}
	amount, _ := c.Params.Keyword("amount")
	a, ok := amount.(string)
	if !ok || !ValidAmount(a) {
		return reject(RuleCommand, "amount %.40v is not a number", amount)
	}
	return nil
}

var (
	jsNumber    = regexp.MustCompile(`^[+-]?(Infinity|([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?)$`)
	endsWithSep = regexp.MustCompile(`^.+(\.|,)$`)
	nonDecimal  = regexp.MustCompile(`^0[0-9bxo][0-9.]*$`)
)

// ValidAmount reports whether status-react's sender would have let amount
// through (see checkCommand).
func ValidAmount(amount string) bool {
	sanitised := strings.ReplaceAll(amount, ",", ".")
	if strings.Count(sanitised, ".") > 1 || endsWithSep.MatchString(amount) || nonDecimal.MatchString(amount) {
		return false
	}
	trimmed := strings.TrimSpace(sanitised)
	return trimmed == "" || jsNumber.MatchString(trimmed)
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
