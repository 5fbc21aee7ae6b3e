package message

import (
	"github.com/statusnode/statusd/protocol/transit"
)

// Payload is a decoded Transit message: *ChatMessage, *Contact,
// *MessagesSeen, *NewContactKey, *MembershipUpdateMessage, *PairInstallation,
// *SyncInstallation or *Unsupported. The set is closed (unexported method).
type Payload interface {
	// TransitTag returns the Transit tag the payload is written with.
	TransitTag() string
	toTransit() any
}

// Unsupported is any tagged value whose tag this package does not handle
// (e.g. the 2018 g3 GroupLeave). It is never silently turned into another
// type; Validate rejects it with RuleUnsupported. Encode writes it back
// unchanged.
type Unsupported struct {
	Tag string
	Rep any
}

// TransitTag implements Payload.
func (u *Unsupported) TransitTag() string { return u.Tag }

func (u *Unsupported) toTransit() any { return transit.Tagged{Tag: u.Tag, Rep: u.Rep} }

// maxNesting bounds nested records (c1 → c2, g5 → c4).
const maxNesting = 2

// Decode parses a Transit payload (the bytes inside any wrapper) into a
// typed Payload. It checks sizes first (MaxPayloadBytes, then Transit's
// depth limit) and record shapes; it does not apply the §1.8 rules, which
// need context: call Validate. Errors are *RuleError (RuleTooLarge,
// RuleTransit, RuleShape, or a field rule such as RuleClock for a
// wrong-typed field). An unknown tag is not an error: it yields
// *Unsupported. Never panics.
func Decode(data []byte) (Payload, error) {
	if len(data) > MaxPayloadBytes {
		return nil, reject(RuleTooLarge, "%d bytes", len(data))
	}
	v, err := transit.DecodeLimits(data, transit.Limits{MaxBytes: MaxPayloadBytes, MaxDepth: transit.DefaultMaxDepth})
	if err != nil {
		return nil, rejectCause(RuleTransit, err, "")
	}
	return fromTransit(v, 0)
}

func fromTransit(v any, depth int) (Payload, error) {
	t, ok := v.(transit.Tagged)
	if !ok {
		return nil, reject(RuleShape, "top-level value is not a tagged record")
	}
	if depth > maxNesting {
		return nil, reject(RuleShape, "records nested too deep")
	}
	switch t.Tag {
	case TagChatMessage, TagChatMessageC7:
		return decodeChat(t.Tag, t.Rep)
	case TagContactRequest, TagContactConfirmed, TagContactUpdate:
		return decodeContact(t.Tag, t.Rep)
	case TagMessagesSeen:
		return decodeSeen(t.Rep)
	case TagNewContactKey:
		return decodeNewContactKey(t.Rep, depth)
	case TagMembershipUpdate:
		return decodeMembership(t.Rep, depth)
	case TagPairInstallation:
		return decodePair(t.Rep)
	case TagSyncInstallation:
		return decodeSync(t.Rep)
	}
	return &Unsupported{Tag: t.Tag, Rep: t.Rep}, nil
}

// Encode writes p as Transit-JSON the way status-react writes it (see
// transit.Encode). A decoded payload from a real encoder re-encodes
// byte-for-byte. Errors wrap transit's ErrUnsupportedType/ErrInvalidString.
func Encode(p Payload) ([]byte, error) {
	return transit.Encode(p.toTransit())
}
