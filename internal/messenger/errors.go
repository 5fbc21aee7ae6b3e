package messenger

import "errors"

// Sentinel errors. Errors returned by the messenger wrap one of them with %w
// and add detail; compare with errors.Is. The RPC layer maps them to codes.
var (
	// ErrInvalidConfig: Config.Validate rejected a setting.
	ErrInvalidConfig = errors.New("messenger: invalid config")
	// ErrNotStarted: the method needs a running messenger.
	ErrNotStarted = errors.New("messenger: not started")
	// ErrStarted: Start was called twice.
	ErrStarted = errors.New("messenger: already started")
	// ErrStopped: the messenger was stopped; make a new one to restart.
	ErrStopped = errors.New("messenger: stopped")
	// ErrChatNotFound: no chat with that ID.
	ErrChatNotFound = errors.New("messenger: chat not found")
	// ErrMessageNotFound: no message with that ID.
	ErrMessageNotFound = errors.New("messenger: message not found")
	// ErrInvalidChatName: a public chat name is not [a-z0-9-] (§1.7).
	ErrInvalidChatName = errors.New("messenger: invalid public chat name")
	// ErrInvalidPublicKey: a public key is not 0x04 + 128 hex digits or not
	// on the curve.
	ErrInvalidPublicKey = errors.New("messenger: invalid public key")
	// ErrInvalidMessage: the text to send does not pass validation (blank,
	// too long).
	ErrInvalidMessage = errors.New("messenger: invalid message")
	// ErrNotMember: we are not (or no longer) a member of the group.
	ErrNotMember = errors.New("messenger: not a group member")
	// ErrNotAllowed: the membership change is not allowed to us (§1.9.3).
	ErrNotAllowed = errors.New("messenger: membership change not allowed")
	// ErrInvalidCursor: a Messages cursor did not come from Messages.
	ErrInvalidCursor = errors.New("messenger: invalid cursor")
	// ErrStore: reading or writing the message store failed.
	ErrStore = errors.New("messenger: store")
	// ErrTransport: the Transport refused a subscription or a post.
	ErrTransport = errors.New("messenger: transport")
	// ErrEncryption: the encryption layer failed on send or on an own-device
	// operation (it wraps the protocol/encryption error too).
	ErrEncryption = errors.New("messenger: encryption")
	// ErrInvalidProfile: a profile name or image does not pass validation
	// (the image's message.RuleProfileImage error is wrapped too).
	ErrInvalidProfile = errors.New("messenger: invalid profile")
	// ErrNoContactRequest: AcceptContact on a contact that sent no request.
	ErrNoContactRequest = errors.New("messenger: no contact request to accept")
	// ErrContactBlocked: the contact is blocked; unblock it (SaveContact)
	// before sending it a request.
	ErrContactBlocked = errors.New("messenger: contact blocked")
	// ErrDataSync: the MVDS driver refused an operation.
	ErrDataSync = errors.New("messenger: data sync")
)
