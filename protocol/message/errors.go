package message

import (
	"errors"
	"fmt"
)

// Rule names the reason a payload was rejected, so that upper layers can
// count and log drops by cause. Append-only: values are stable.
type Rule int

const (
	RuleNone            Rule = iota
	RuleTooLarge             // payload over MaxPayloadBytes
	RuleTransit              // not decodable Transit-JSON (syntax, cache, depth)
	RuleShape                // wrong arity or element type for the tag
	RuleUnsupported          // tag this node does not handle (§1.9)
	RuleContentType          // content type not accepted (§1.5, §1.8)
	RuleMessageType          // message type not one of the 3 keywords (§1.5)
	RuleText                 // text missing, not a string, or blank (§1.8)
	RuleTextTooLong          // text longer than MaxTextBytes
	RuleClock                // clock-value not a positive integer (§1.6)
	RuleClockDrift           // clock-value beyond the drift bound (§1.6)
	RuleTimestamp            // timestamp present but not a positive integer
	RuleChatID               // chat-id missing or malformed
	RuleChatIDMismatch       // chat-id does not fit the message type (§1.7)
	RuleResponseTo           // response-to(-v2) present but not a string
	RuleSticker              // sticker without hash
	RuleCommand              // command(-request): bad command-path, params or amount
	RuleSignature            // bad or non-recoverable signature
	RuleUnsigned             // no author key where one is required
	RuleNotOwnDevice         // pairing message not signed by our own key (§1.9.2)
	RuleGroupCreator         // group chat ID does not end with the creator key (§1.7)
	RuleEvent                // malformed membership event (§1.9.3)
	RuleEventNotAllowed      // membership event not permitted for its author
	RuleDuplicate            // message ID already seen (counted by upper layers)
	RuleChatCleared          // clock ≤ chat's deleted-at clock (upper layers)
	RuleProfileImage         // contact profile-image not an image data URI or over MaxProfileImageBytes
	ruleCount
)

var ruleNames = [ruleCount]string{
	"none", "too-large", "transit", "shape", "unsupported", "content-type",
	"message-type", "text", "text-too-long", "clock", "clock-drift", "timestamp",
	"chat-id", "chat-id-mismatch", "response-to", "sticker", "command",
	"signature", "unsigned", "not-own-device", "group-creator", "event",
	"event-not-allowed", "duplicate", "chat-cleared", "profile-image",
}

// String returns the stable kebab-case name of r (for metrics labels).
func (r Rule) String() string {
	if r < 0 || r >= ruleCount {
		return fmt.Sprintf("rule(%d)", int(r))
	}
	return ruleNames[r]
}

// Sentinel errors, one per Rule. Every rejection error wraps one of them
// (errors.Is) and is a *RuleError (errors.As, or RuleOf).
var (
	ErrTooLarge         = errors.New("message: payload too large")
	ErrTransit          = errors.New("message: invalid transit")
	ErrShape            = errors.New("message: malformed record")
	ErrUnsupported      = errors.New("message: unsupported tag")
	ErrContentType      = errors.New("message: unknown content type")
	ErrMessageType      = errors.New("message: unknown message type")
	ErrText             = errors.New("message: missing or blank text")
	ErrTextTooLong      = errors.New("message: text too long")
	ErrClock            = errors.New("message: bad clock value")
	ErrClockDrift       = errors.New("message: clock value too far in the future")
	ErrTimestamp        = errors.New("message: bad timestamp")
	ErrChatID           = errors.New("message: missing or malformed chat id")
	ErrChatIDMismatch   = errors.New("message: chat id does not match message type")
	ErrResponseTo       = errors.New("message: bad response-to")
	ErrSticker          = errors.New("message: sticker without hash")
	ErrCommand          = errors.New("message: bad command")
	ErrSignature        = errors.New("message: bad signature")
	ErrUnsigned         = errors.New("message: unsigned")
	ErrNotOwnDevice     = errors.New("message: not from own device")
	ErrGroupCreator     = errors.New("message: group chat id does not match creator")
	ErrEvent            = errors.New("message: malformed membership event")
	ErrEventNotAllowed  = errors.New("message: membership event not allowed")
	ErrDuplicate        = errors.New("message: duplicate")
	ErrChatCleared      = errors.New("message: chat cleared")
	ErrProfileImage     = errors.New("message: bad profile image")
	errRuleNoneSentinel = errors.New("message: no rule")
)

var ruleErrs = [ruleCount]error{
	errRuleNoneSentinel, ErrTooLarge, ErrTransit, ErrShape, ErrUnsupported,
	ErrContentType, ErrMessageType, ErrText, ErrTextTooLong, ErrClock,
	ErrClockDrift, ErrTimestamp, ErrChatID, ErrChatIDMismatch, ErrResponseTo,
	ErrSticker, ErrCommand, ErrSignature, ErrUnsigned, ErrNotOwnDevice,
	ErrGroupCreator, ErrEvent, ErrEventNotAllowed, ErrDuplicate, ErrChatCleared,
	ErrProfileImage,
}

// Err returns the sentinel error of r.
func (r Rule) Err() error {
	if r < 0 || r >= ruleCount {
		return errRuleNoneSentinel
	}
	return ruleErrs[r]
}

// RuleError is the error type of every rejection: the rule, a detail for
// logs (never secret material), and an optional underlying cause.
type RuleError struct {
	Rule   Rule
	Detail string
	Cause  error
}

func (e *RuleError) Error() string {
	s := e.Rule.Err().Error()
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap exposes both the rule's sentinel and the cause to errors.Is/As.
func (e *RuleError) Unwrap() []error {
	if e.Cause != nil {
		return []error{e.Rule.Err(), e.Cause}
	}
	return []error{e.Rule.Err()}
}

// RuleOf returns the Rule carried by err, or RuleNone if err is nil or not
// a rejection from this package.
func RuleOf(err error) Rule {
	var re *RuleError
	if errors.As(err, &re) {
		return re.Rule
	}
	return RuleNone
}

func reject(r Rule, format string, args ...any) *RuleError {
	return &RuleError{Rule: r, Detail: fmt.Sprintf(format, args...)}
}

func rejectCause(r Rule, cause error, format string, args ...any) *RuleError {
	return &RuleError{Rule: r, Detail: fmt.Sprintf(format, args...), Cause: cause}
}
