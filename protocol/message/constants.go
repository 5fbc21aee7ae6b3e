package message

import "time"

// Transit tags (docs/PROTOCOL.md §1.4, §1.9).
const (
	TagNewContactKey    = "c1" // legacy, read only
	TagContactRequest   = "c2"
	TagContactConfirmed = "c3"
	TagChatMessage      = "c4"
	TagMessagesSeen     = "c5"
	TagContactUpdate    = "c6"
	TagChatMessageC7    = "c7" // reader-only layout (b) variant of c4
	TagMembershipUpdate = "g5"
	TagSyncInstallation = "p1"
	TagPairInstallation = "p2"
)

// ContentType is the c4 content-type string (§1.5).
type ContentType string

const (
	ContentText           ContentType = "text/plain"
	ContentSticker        ContentType = "sticker"
	ContentStatus         ContentType = "status"
	ContentCommand        ContentType = "command"
	ContentCommandRequest ContentType = "command-request"
	ContentEmoji          ContentType = "emoji"
)

// MessageType is the c4 message-type keyword (§1.5).
type MessageType string

const (
	TypePublicGroup MessageType = "public-group-user-message"
	TypeOneToOne    MessageType = "user-message"
	TypePrivateGrp  MessageType = "group-user-message"
)

// Limits (choices; see doc.go).
const (
	// MaxPayloadBytes is Whisper's default maximum message size (§4.4).
	MaxPayloadBytes = 1 << 20
	// MaxTextBytes bounds content.text (UNCONFIRMED in 2019 code; our choice).
	MaxTextBytes = 64 << 10
	// MaxProfileImageBytes bounds the profile-image data URI of c2/c3/c6
	// (§1.9.1). status-react 1.0 resized a profile photo to at most
	// 150×150 JPEG at quality 75 before sending it (utils/image_processing,
	// img->base64), a few kB; it set no byte limit. 64 KiB (our choice)
	// holds such a photo and the PNG identicon with a wide margin.
	MaxProfileImageBytes = 64 << 10
	// ClockDrift is how far past now a clock may be (status-react: 31 days, §1.6).
	ClockDrift = 31 * 24 * time.Hour
	// ClockScale: status-react clocks are unix milliseconds × 100 (§1.6).
	ClockScale = 100
	// pubKeyHexLen is len("0x04") + 128 hex digits (§0 identity key).
	pubKeyHexLen = 132
)
