package messenger

import (
	"github.com/statusnode/statusd/lib/eventbus"
)

// Event is one notification of the messenger's event bus. The concrete
// types below are the only implementations; subscribers type-switch. Event
// values are copies: subscribers may keep and read them but must not
// modify the pointed-to values.
type Event interface{ isEvent() }

// MessageEvent: a chat message was stored (received, or sent by us or by
// one of our paired devices). Published after the store write.
type MessageEvent struct{ Message *Message }

// DeliveryEvent: an outgoing message changed delivery state (queued, sent,
// acked, expired). Published after the store write.
type DeliveryEvent struct {
	MessageID string
	ChatID    string
	State     DeliveryState
}

// EnvelopeStateEvent is a Transport EnvelopeEvent (envelope sent to ≥ 1
// peer, acknowledged or refused by a peer, expired) forwarded with the
// status message IDs the envelope carried (empty for envelopes that
// carried only MVDS ACKs, bundles or pairing messages). Peer and Reason
// are the EnvelopeEvent's: the peer that acknowledged or refused it, and
// why it refused it.
type EnvelopeStateEvent struct {
	Hash       EnvelopeHash
	Kind       EnvelopeEventKind
	MessageIDs []string
	Peer       string
	Reason     string
}

// DecryptFailedEvent: a direct message from Sender could not be decrypted
// (status-go signal messages.decrypt.failed, §7.3). Reason is the counter
// label (see Counters).
type DecryptFailedEvent struct {
	Sender string // 0x04…
	Reason string
}

// BundleAddedEvent: a new installation of Identity was learnt from a bundle
// (status-go bundles.added).
type BundleAddedEvent struct {
	Identity       string
	InstallationID string
}

// InstallationFoundEvent: an installation of our own identity was seen for
// the first time; it must be enabled with EnableInstallation to pair.
type InstallationFoundEvent struct{ Installation Installation }

// InstallationMetadataEvent: paired-device metadata (p2) was received.
type InstallationMetadataEvent struct{ Installation Installation }

// ChatEvent: a chat was created or changed (joined, left, group membership
// or name changed, deleted). Deleted is set for DeleteChat.
type ChatEvent struct {
	Chat    Chat
	Deleted bool
}

// GroupMemberEvent: the standing of Member (0x04…) in the private group
// ChatID changed to Standing ("invited", "joined", "declined", "left",
// "removed"; groups.Standing), by a change of ours or one received.
// Self is set when Member is us: an invitation, our join, our decline.
// Published after the ChatEvent of the same change, one per member whose
// standing changed. Neither is published for a change received while we
// are out of the group (declined, left, removed) before and after it.
type GroupMemberEvent struct {
	ChatID   string
	Member   string
	Standing string
	Self     bool
}

// ContactEvent: a contact was added, blocked or updated by a contact
// message (c2/c3/c6). Request is set when that message made it a pending
// request to us (Contact.State() is ContactRequestReceived and was not
// before).
type ContactEvent struct {
	Contact Contact
	Request bool
}

// ProfileEvent: our own profile (name, photo) was changed by SetProfile.
type ProfileEvent struct{ Profile Profile }

// DroppedEvent: a received payload was rejected; Reason is the counter label.
type DroppedEvent struct {
	Reason string
	Sender string // 0x04… or "" when unknown
}

// StoreFailedEvent: a store write (for StoreRecords, or a read) failed
// (the storage itself: a full disk, a database closed underneath; Error
// is its text). Store names the
// writer: StoreMessages, the receive path — its writes to the message store
// and to the session store a decryption advances (the Waiting payloads it
// left unhandled are kept and handled again with a back-off, while the receive
// path takes nothing new — the Transport's deliveries wait — and Settle
// does not return), StoreDataSync, the MVDS driver (the Ready it was
// writing is kept and written again with a back-off; Waiting received 1:1
// and group messages wait in it, and meanwhile MVDS neither sends nor
// takes anything), or StoreRecords, the delivery path, its writes and its
// reads (Waiting records — delivery states, the MVDS IDs of sent
// messages, what peers were seen sending — are kept and written again
// with a back-off, or Waiting inputs — ACKs, envelope events, expiries
// whose reads failed — are held and applied again; the DeliveryEvents of
// the states among them are published once they are written). Nothing is
// lost while the messenger runs (but held inputs past 4096, the oldest
// of which are dropped and counted). One is published when such a spell
// begins; a StoreRecoveredEvent with the same Store ends it.
type StoreFailedEvent struct {
	Store   string
	Error   string
	Waiting int
}

// StoreRecoveredEvent: the writes a StoreFailedEvent of the same Store
// reported succeed again, after Tries retries; what waited is stored (and
// its events published) or dropped. Lost counts what the spell dropped for
// want of room (StoreRecords: delivery inputs held past their bound, whose
// messages' delivery states may stay behind, e.g. sent where a peer
// acked); 0 for the other stores, which drop nothing.
type StoreRecoveredEvent struct {
	Store string
	Tries int
	Lost  int
}

// The writers a StoreFailedEvent names.
const (
	StoreMessages = "messages" // the receive path, messages and sessions (storefail.go)
	StoreDataSync = "datasync" // the MVDS driver's state (internal/datasync)
	StoreRecords  = "records"  // the delivery path's records (pendwrites.go)
)

func (MessageEvent) isEvent()              {}
func (DeliveryEvent) isEvent()             {}
func (EnvelopeStateEvent) isEvent()        {}
func (DecryptFailedEvent) isEvent()        {}
func (BundleAddedEvent) isEvent()          {}
func (InstallationFoundEvent) isEvent()    {}
func (InstallationMetadataEvent) isEvent() {}
func (ChatEvent) isEvent()                 {}
func (ContactEvent) isEvent()              {}
func (ProfileEvent) isEvent()              {}
func (GroupMemberEvent) isEvent()          {}
func (DroppedEvent) isEvent()              {}
func (StoreFailedEvent) isEvent()          {}
func (StoreRecoveredEvent) isEvent()       {}

// EventSubscription receives events through a bounded channel. A
// subscriber that does not keep up loses events (the bus never blocks the
// messenger); Dropped counts them. C is closed by Unsubscribe and by
// Messenger.Stop.
type EventSubscription = eventbus.Subscription[Event]
