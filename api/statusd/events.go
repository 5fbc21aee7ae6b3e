package statusd

import (
	"context"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/transport/whisper"
)

// Event type names: the "type" of an Event notification. The first ones
// follow status-go's signal names (§7.3).
const (
	EventNewMessage        = "messages.new"            // NewMessageEvent
	EventDelivery          = "message.delivery"        // DeliveryEvent
	EventEnvelopeSent      = "envelope.sent"           // EnvelopeEvent
	EventEnvelopeExpired   = "envelope.expired"        // EnvelopeEvent
	EventEnvelopeAcked     = "envelope.acknowledged"   // EnvelopeEvent
	EventEnvelopeRefused   = "envelope.refused"        // EnvelopeEvent
	EventDecryptFailed     = "messages.decrypt.failed" // DecryptFailedEvent
	EventBundleAdded       = "bundles.added"           // BundleAddedEvent
	EventPeerAdded         = "peer.added"              // PeerEvent
	EventPeerDropped       = "peer.dropped"            // PeerEvent
	EventInstallationFound = "installation.found"      // InstallationEvent
	EventInstallationMeta  = "installation.metadata"   // InstallationEvent
	EventChat              = "chat.changed"            // ChatEvent
	EventContact           = "contact.changed"         // ContactEvent
	EventProfile           = "profile.changed"         // ProfileEvent
	EventDropped           = "message.dropped"         // DroppedEvent
	EventGroupInvited      = "group.invited"           // GroupMemberEvent
	EventGroupJoined       = "group.joined"            // GroupMemberEvent
	EventGroupDeclined     = "group.declined"          // GroupMemberEvent
	EventGroupLeft         = "group.left"              // GroupMemberEvent
	EventGroupRemoved      = "group.removed"           // GroupMemberEvent
	EventStoreFailed       = "store.failed"            // StoreFailedEvent
	EventStoreRecovered    = "store.recovered"         // StoreRecoveredEvent
	EventLost              = "events.lost"             // LostEvent
)

var eventTypes = map[string]bool{
	EventNewMessage: true, EventDelivery: true, EventEnvelopeSent: true, EventEnvelopeExpired: true,
	EventEnvelopeAcked: true, EventEnvelopeRefused: true,
	EventDecryptFailed: true, EventBundleAdded: true, EventPeerAdded: true, EventPeerDropped: true,
	EventInstallationFound: true, EventInstallationMeta: true, EventChat: true, EventContact: true,
	EventProfile: true, EventDropped: true, EventLost: true,
	EventGroupInvited: true, EventGroupJoined: true, EventGroupDeclined: true, EventGroupLeft: true,
	EventGroupRemoved: true, EventStoreFailed: true, EventStoreRecovered: true,
}

// Event is one notification of statusd_subscribe("events"): {"type":
// "<name>", "event": {…}}, the envelope status-go used for its signals.
// The payload type of each name is listed with the Event… constants.
// store.failed {store, error, waiting} tells that a store write fails (a
// full disk): "messages" (received messages wait, unshown and not lost,
// and receiving pauses), "datasync" (1:1 and group delivery pauses, and
// what it was writing waits) or "records" (delivery states and what was
// learnt about peers wait to be written, and their message.delivery events
// with them; or, when its reads fail, ACKs and envelope events wait to be
// applied), until store.recovered {store, tries, lost}.
type Event struct {
	Type  string `json:"type"`
	Event any    `json:"event"`
}

// NewMessageEvent (messages.new): a chat message was stored — received,
// sent by us, or sent by one of our paired devices. Message has
// statusd_message's shape.
type NewMessageEvent struct {
	Message *Message `json:"message"`
}

// DeliveryEvent (message.delivery): a message we sent changed delivery
// state: "queued", "sent" (an envelope carrying it reached ≥ 1 peer),
// "acked" (every recipient acknowledged it), "expired" (its envelope's TTL
// passed before every ACK; MVDS retries it).
type DeliveryEvent struct {
	MessageID string `json:"message_id"`
	ChatID    string `json:"chat_id"`
	State     string `json:"state"`
}

// EnvelopeEvent (envelope.sent, envelope.acknowledged, envelope.refused,
// envelope.expired): an envelope we posted left to a peer for the first
// time (written to a peer without Whisper confirmations, or acknowledged
// by one with them), a peer acknowledged it (code 11) or refused it (code
// 12, Reason says why: a refused message is re-posted or retransmitted,
// see message.delivery), or its TTL passed. Peer is the enode ID (hex) of
// the peer that acknowledged or refused it. MessageIDs lists the chat
// messages it carried (empty for ACK-only, bundle and pairing envelopes).
type EnvelopeEvent struct {
	Hash       string   `json:"hash"`
	MessageIDs []string `json:"message_ids"`
	Peer       string   `json:"peer,omitempty"`
	Reason     string   `json:"reason,omitempty"`
}

// DecryptFailedEvent (messages.decrypt.failed): a direct message from
// Sender (0x04…) could not be decrypted; Reason is the drop counter label.
type DecryptFailedEvent struct {
	Sender string `json:"sender"`
	Reason string `json:"reason"`
}

// BundleAddedEvent (bundles.added): a new installation of Identity (0x04…)
// was learnt from its bundle.
type BundleAddedEvent struct {
	Identity       string `json:"identity"`
	InstallationID string `json:"installation_id"`
}

// PeerEvent (peer.added, peer.dropped): a Whisper peer completed the
// handshake, or left. Peer is its enode ID (hex).
type PeerEvent struct {
	Peer string `json:"peer"`
}

// InstallationEvent (installation.found, installation.metadata): one of
// our own devices was seen for the first time (enable it with
// statusd_pairInstallation), or sent its metadata.
type InstallationEvent struct {
	Installation Installation `json:"installation"`
}

// ChatEvent (chat.changed): a chat was created or changed (joined, left,
// membership or name changed); Deleted is set by deleteChat.
type ChatEvent struct {
	Chat    Chat `json:"chat"`
	Deleted bool `json:"deleted"`
}

// GroupMemberEvent (group.invited, group.joined, group.declined,
// group.left, group.removed): the standing of Member (0x04…) in the
// private group ChatID changed, by a change of ours or one received; the
// type names the new standing. Self is true when Member is us: our own
// invitation (answer it with statusd_joinGroup or statusd_declineGroup),
// join or decline. It follows the chat.changed of the same change. A
// group we declined, left or were removed from shows nothing more: changes
// received while we are out of it publish neither event.
type GroupMemberEvent struct {
	ChatID string `json:"chat_id"`
	Member string `json:"member"`
	Self   bool   `json:"self"`
}

// ContactEvent (contact.changed): a contact was added, blocked or updated
// by its contact message. Request is true when that message is a new
// contact request to us (the contact's state became "request-received";
// accept it with statusd_acceptContact).
type ContactEvent struct {
	Contact Contact `json:"contact"`
	Request bool    `json:"request"`
}

// ProfileEvent (profile.changed): our profile was set (statusd_setProfile).
type ProfileEvent struct {
	Profile Profile `json:"profile"`
}

// DroppedEvent (message.dropped): a received payload was not shown; Reason
// is the counter label (e.g. "duplicate", "not-member", "blocked").
type DroppedEvent struct {
	Reason string `json:"reason"`
	Sender string `json:"sender,omitempty"`
}

// StoreFailedEvent (store.failed): writing what was received failed in
// the store itself (a full disk, say; Error is the error's text). Nothing
// is lost: the Waiting messages are kept, not shown yet, and written again
// with a back-off (100 ms doubling to 5 s); meanwhile nothing new is
// received (the node's Whisper delivery waits) and history fetched from a
// mailserver is not recorded as fetched. Sent once when such a spell
// begins; store.recovered of the same store ends it.
type StoreFailedEvent struct {
	// Store is "messages" (the receive path, as above), "datasync" (the
	// MVDS state: Waiting received 1:1 and group messages wait, unshown,
	// and meanwhile MVDS neither sends nor takes anything new) or
	// "records" (the delivery path: Waiting records — delivery states, the
	// MVDS IDs of sent messages, what peers were seen sending — are kept
	// and written again with the same back-off; a delivery state's event
	// is sent once it is written, and sending and receiving go on).
	Store   string `json:"store"`
	Error   string `json:"error"`
	Waiting int    `json:"waiting"`
}

// StoreRecoveredEvent (store.recovered): the writes store.failed reported
// succeed again, after Tries retries; the messages that waited are stored
// and their messages.new events sent. Lost is what the spell had to drop
// for want of room: for "records", delivery changes (ACKs, envelope
// events) held past their bound, whose messages may keep an older
// delivery state (sent where a peer acked); 0 otherwise.
type StoreRecoveredEvent struct {
	Store string `json:"store"` // as in store.failed
	Tries int    `json:"tries"`
	Lost  int    `json:"lost"`
}

// LostEvent (events.lost): Count events were lost because this
// subscription did not keep up; re-read state (statusd_chats, …) to
// resynchronise.
type LostEvent struct {
	Count uint64 `json:"count"`
}

// EventsFilter is statusd_subscribe("events", filter)'s optional filter:
// Types lists the event types wanted; empty means all.
type EventsFilter struct {
	Types []string `json:"types"`
}

// Events is statusd_subscribe("events", [filter]): push every messenger
// and router event as an Event notification (statusd_subscription) as it
// happens, over WebSocket or IPC. It ends with statusd_unsubscribe, when
// the connection closes, or when the node stops. Delivery to a slow client
// is never allowed to block the node: events that do not fit are lost and
// reported with an events.lost notification (before the next event, or
// within a second when none follows). An unknown type in
// filter.types is -32602.
//
// Notification: Event
func (a *API) Events(ctx context.Context, filter *EventsFilter) (*rpc.Subscription, error) {
	notifier, ok := rpc.NotifierFromContext(ctx)
	if !ok {
		return nil, rpc.ErrNotificationsUnsupported
	}
	want := map[string]bool{}
	if filter != nil {
		for i, t := range filter.Types {
			if !eventTypes[t] {
				return nil, rpcError(invalid(fmt.Sprintf("types[%d]", i), fmt.Errorf("unknown event type %q", t)))
			}
			want[t] = true
		}
	}
	c := a.s
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, rpcError(messenger.ErrStopped)
	}
	sub := notifier.CreateSubscription()
	f := &forwarder{c: c, n: notifier, sub: sub, want: want,
		msub: c.m.Subscribe(1024), rsub: c.w.SubscribeEvents(256)}
	c.wg.Add(1)
	go f.run()
	return sub, nil
}

// forwarder is one events subscription's goroutine.
type forwarder struct {
	c    *Service
	n    *rpc.Notifier
	sub  *rpc.Subscription
	want map[string]bool
	msub *messenger.EventSubscription
	rsub *whisper.EventSubscription
	lost uint64
}

// lostCheck is how often a subscription reports lost events when no other
// event comes to carry the report: losses at the end of a burst are told
// within this time.
const lostCheck = time.Second

func (f *forwarder) run() {
	defer f.c.wg.Done()
	defer f.msub.Unsubscribe()
	defer f.rsub.Unsubscribe()
	tick := time.NewTicker(lostCheck)
	defer tick.Stop()
	for {
		var ev *Event
		select {
		case <-tick.C:
			if !f.reportLost() {
				return
			}
			continue
		case e, ok := <-f.msub.C():
			if !ok {
				return
			}
			ev = fromMessenger(f.c.names, e)
		case e, ok := <-f.rsub.C():
			if !ok {
				return
			}
			ev = fromRouter(e)
		case <-f.sub.Err():
			return
		case <-f.c.quit:
			return
		}
		if !f.send(ev) {
			return
		}
	}
}

// send notifies ev if wanted, preceded by an events.lost notification when
// events were dropped since the last one. It reports false once the
// client is gone.
func (f *forwarder) send(ev *Event) bool {
	return f.reportLost() && f.notify(ev)
}

// reportLost sends an events.lost notification if events were dropped
// since the last one. It reports false once the client is gone.
func (f *forwarder) reportLost() bool {
	if lost := f.msub.Dropped() + f.rsub.Dropped(); lost > f.lost {
		n := lost - f.lost
		f.lost = lost
		return f.notify(&Event{Type: EventLost, Event: LostEvent{Count: n}})
	}
	return true
}

func (f *forwarder) notify(ev *Event) bool {
	if ev == nil || (len(f.want) > 0 && !f.want[ev.Type]) {
		return true
	}
	return f.n.Notify(f.sub.ID, ev) == nil
}

func fromMessenger(n *names, e messenger.Event) *Event {
	switch e := e.(type) {
	case messenger.MessageEvent:
		return &Event{EventNewMessage, NewMessageEvent{Message: toMessage(n, e.Message)}}
	case messenger.DeliveryEvent:
		return &Event{EventDelivery, DeliveryEvent{MessageID: e.MessageID, ChatID: e.ChatID, State: e.State.String()}}
	case messenger.EnvelopeStateEvent:
		var t string
		switch e.Kind {
		case messenger.EnvelopeSent:
			t = EventEnvelopeSent
		case messenger.EnvelopeExpired:
			t = EventEnvelopeExpired
		case messenger.EnvelopeAcknowledged:
			t = EventEnvelopeAcked
		case messenger.EnvelopeRefused:
			t = EventEnvelopeRefused
		default:
			return nil
		}
		ids := e.MessageIDs
		if ids == nil {
			ids = []string{}
		}
		return &Event{t, EnvelopeEvent{Hash: e.Hash.String(), MessageIDs: ids, Peer: e.Peer, Reason: e.Reason}}
	case messenger.DecryptFailedEvent:
		return &Event{EventDecryptFailed, DecryptFailedEvent{Sender: e.Sender, Reason: e.Reason}}
	case messenger.BundleAddedEvent:
		return &Event{EventBundleAdded, BundleAddedEvent{Identity: e.Identity, InstallationID: e.InstallationID}}
	case messenger.InstallationFoundEvent:
		return &Event{EventInstallationFound, InstallationEvent{Installation: toInstallation(e.Installation)}}
	case messenger.InstallationMetadataEvent:
		return &Event{EventInstallationMeta, InstallationEvent{Installation: toInstallation(e.Installation)}}
	case messenger.ChatEvent:
		return &Event{EventChat, ChatEvent{Chat: *toChat(&e.Chat), Deleted: e.Deleted}}
	case messenger.ContactEvent:
		return &Event{EventContact, ContactEvent{Contact: *toContact(&e.Contact), Request: e.Request}}
	case messenger.ProfileEvent:
		return &Event{EventProfile, ProfileEvent{Profile: toProfile(e.Profile)}}
	case messenger.DroppedEvent:
		return &Event{EventDropped, DroppedEvent{Reason: e.Reason, Sender: e.Sender}}
	case messenger.StoreFailedEvent:
		return &Event{EventStoreFailed, StoreFailedEvent{Store: e.Store, Error: e.Error, Waiting: e.Waiting}}
	case messenger.StoreRecoveredEvent:
		return &Event{EventStoreRecovered, StoreRecoveredEvent{Store: e.Store, Tries: e.Tries, Lost: e.Lost}}
	case messenger.GroupMemberEvent:
		t := "group." + e.Standing
		if !eventTypes[t] {
			return nil
		}
		return &Event{t, GroupMemberEvent{ChatID: e.ChatID, Member: e.Member, Self: e.Self}}
	}
	return nil
}

func fromRouter(e whisper.Event) *Event {
	switch e.Kind {
	case whisper.EventPeerAdded:
		return &Event{EventPeerAdded, PeerEvent{Peer: e.Peer.String()}}
	case whisper.EventPeerDropped:
		return &Event{EventPeerDropped, PeerEvent{Peer: e.Peer.String()}}
	}
	return nil
}
