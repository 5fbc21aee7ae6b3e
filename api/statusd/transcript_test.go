package statusd

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/statusnode/statusd/api/internal/rpctest"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/transport/whisper"
)

// TestTranscripts replays testdata/*.js against the namespace over a fake
// messenger and router: every answer and event notification, errors
// included, byte for byte. "!!" steps change the fakes or publish events.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			srv, m, r, _ := newFakeServer(t)
			rpctest.Replay(t, srv, f, actions(m, r))
		})
	}
}

func actions(m *fakeMessenger, r *fakeRouter) map[string]func() {
	setErr := func(err error) func() { return func() { m.Mu.Lock(); m.Err = err; m.Mu.Unlock() } }
	full := &messenger.Message{ID: "0x01", ChatID: "status", From: aliceKey, Text: "hi", ContentType: "text/plain",
		MessageType: "public-group-user-message", Clock: 7, Timestamp: 8, ReceivedAt: 9, ResponseTo: "0x00",
		Outgoing: true, Seen: true, Delivery: messenger.DeliveryAcked}
	return map[string]func(){
		"alice writes":   func() { m.Receive("status", aliceKey, "hello from alice") },
		"alice requests": func() { m.requestFrom(aliceKey, "Alice") },
		"stop":           setErr(messenger.ErrStopped),
		"not started":    setErr(messenger.ErrNotStarted),
		"store breaks":   setErr(errors.New("messenger: store: disk full")),
		"publish message": func() {
			m.bus.Publish(messenger.MessageEvent{Message: full})
		},
		"publish received message": func() {
			m.bus.Publish(messenger.MessageEvent{Message: &messenger.Message{ID: "0x02", ChatID: aliceKey, From: aliceKey, Text: "yo"}})
		},
		"publish nil message": func() { m.bus.Publish(messenger.MessageEvent{}) },
		"publish delivery": func() {
			m.bus.Publish(messenger.DeliveryEvent{MessageID: "0x01", ChatID: "status", State: messenger.DeliverySent})
		},
		"publish envelope sent": func() {
			m.bus.Publish(messenger.EnvelopeStateEvent{Hash: messenger.EnvelopeHash{0xaa}, Kind: messenger.EnvelopeSent, MessageIDs: []string{"0x01"}})
		},
		"publish envelope expired": func() {
			m.bus.Publish(messenger.EnvelopeStateEvent{Hash: messenger.EnvelopeHash{0xbb}, Kind: messenger.EnvelopeExpired})
		},
		"publish envelope acknowledged": func() {
			m.bus.Publish(messenger.EnvelopeStateEvent{Hash: messenger.EnvelopeHash{0xaa}, Kind: messenger.EnvelopeAcknowledged,
				MessageIDs: []string{"0x01"}, Peer: "0a0b"})
		},
		"publish envelope refused": func() {
			m.bus.Publish(messenger.EnvelopeStateEvent{Hash: messenger.EnvelopeHash{0xcc}, Kind: messenger.EnvelopeRefused,
				MessageIDs: []string{"0x01"}, Peer: "0c0d", Reason: "whisper: envelope from the future"})
		},
		"publish decrypt failed": func() {
			m.bus.Publish(messenger.DecryptFailedEvent{Sender: aliceKey, Reason: "no-session"})
		},
		"publish bundle": func() {
			m.bus.Publish(messenger.BundleAddedEvent{Identity: aliceKey, InstallationID: "inst-alice"})
		},
		"publish installation": func() {
			m.bus.Publish(messenger.InstallationFoundEvent{Installation: messenger.Installation{ID: "inst-tablet", Timestamp: 5}})
		},
		"publish installation metadata": func() {
			m.bus.Publish(messenger.InstallationMetadataEvent{Installation: messenger.Installation{ID: "inst-tablet", Enabled: true,
				Metadata: encryption.InstallationMetadata{Name: "tablet", DeviceType: "android", FCMToken: "t"}}})
		},
		"publish chat": func() {
			m.bus.Publish(messenger.ChatEvent{Chat: messenger.Chat{ID: "g", Type: messenger.ChatPrivateGroup, Name: "friends",
				Active: true, LastClock: 3, DeletedAtClock: 2, Unread: 1, LastMessageAt: 4, Members: []string{selfKey, aliceKey}, Admins: []string{selfKey}}})
		},
		"alice invites us": func() {
			m.Mu.Lock()
			defer m.Mu.Unlock()
			m.ChatsByID["invite-"+aliceKey] = &messenger.Chat{ID: "invite-" + aliceKey, Type: messenger.ChatPrivateGroup, Name: "party",
				Active: true, Members: []string{aliceKey, selfKey}, Admins: []string{aliceKey}, Joined: []string{aliceKey},
				Membership: "invited"}
		},
		"publish group events": func() {
			for _, st := range []string{"invited", "joined", "declined", "left", "removed", "unknown"} {
				m.bus.Publish(messenger.GroupMemberEvent{ChatID: "invite-" + aliceKey, Member: aliceKey, Standing: st})
			}
			m.bus.Publish(messenger.GroupMemberEvent{ChatID: "invite-" + aliceKey, Member: selfKey, Standing: "invited", Self: true})
		},
		"publish deleted chat": func() {
			m.bus.Publish(messenger.ChatEvent{Chat: messenger.Chat{ID: "status", Type: messenger.ChatPublic, Name: "status"}, Deleted: true})
		},
		"publish contact": func() {
			m.bus.Publish(messenger.ContactEvent{Contact: messenger.Contact{ID: aliceKey, Name: "alice", ProfileImage: "img",
				Address: "0xabc", Added: true, Blocked: true, LastUpdated: 6, Devices: []string{"inst-alice"}}})
		},
		"publish contact request": func() {
			m.bus.Publish(messenger.ContactEvent{Contact: messenger.Contact{ID: aliceKey, Name: "Alice", RequestReceived: true}, Request: true})
		},
		"publish profile": func() {
			m.bus.Publish(messenger.ProfileEvent{Profile: messenger.Profile{Name: "Me", Image: "data:image/png;base64,AAAA", NameSet: true}})
		},
		"publish bare contact": func() {
			m.bus.Publish(messenger.ContactEvent{Contact: messenger.Contact{ID: bobKey}})
		},
		"publish dropped": func() {
			m.bus.Publish(messenger.DroppedEvent{Reason: "duplicate", Sender: aliceKey})
		},
		"publish dropped anonymous":  func() { m.bus.Publish(messenger.DroppedEvent{Reason: "undecodable"}) },
		"publish peer added":         func() { r.bus.Publish(whisper.Event{Kind: whisper.EventPeerAdded, Peer: peerID}) },
		"publish peer dropped":       func() { r.bus.Publish(whisper.Event{Kind: whisper.EventPeerDropped, Peer: peerID}) },
		"publish other router event": func() { r.bus.Publish(whisper.Event{Kind: 99}) },
		"close messenger events":     func() { m.bus.Close() },
	}
}
