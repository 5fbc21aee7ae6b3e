// Package messenger is statusd's application layer: public chats, 1:1
// chats, private group chats, contacts, own installations (pairing), the
// message store, delivery states and the event bus. It sits on a narrow
// Transport (Whisper: subscribe, post, envelope events; transport.go), the
// encryption layer (protocol/encryption over storage/sessions), MVDS
// (internal/datasync over storage/datasyncstore) and the payload layer
// (protocol/message). The JSON-RPC layer calls the exported methods.
//
// Parts. Messenger is a thin coordinator (messenger.go: lifecycle;
// api.go: the API). Each part owns its state behind its own lock:
//
//	chatbook.go, compose.go   chatBook: chat records and their messages
//	public.go                 publicChats: join, leave, send, chat of a c4
//	direct.go, outbox.go      directChats: 1:1 chats, MVDS peers, outbox
//	groups.go, groups/        Groups: membership histories, group sends;
//	                          the pure rules (replay, merge) in groups/
//	contacts.go               contactBook: contacts
//	profile.go                profile: our name and photo, contact updates
//	contacts_api.go           the contact-request flow (c2/c3/c6)
//	pairing.go                Pairing: installations, p1/p2, our bundle
//	dispatch.go, inbound.go,  dispatcher: the receive goroutine, its queue,
//	parking.go, pubbatch.go,  messages waiting for their group's g5, a
//	storefail.go              batch's public and 1:1 messages waiting for one
//	                          write, payloads held after a failed store write
//	subscriptions.go          subscriptions: Transport filters
//	delivery.go               deliveries: delivery states
//	pendwrites.go             pendingWrites: delivery-path records whose
//	                          store write failed, written again
//	wrapforms.go              peerForms: each peer's v1 wrapper use
//	core.go                   what they share (no state): identity, store,
//	                          bus, posting, MVDS appends, mvdsTransport
//
// Groups and Pairing are exported (Messenger.Groups, Messenger.Pairing)
// and carry the group and installation operations.
//
// Kinds: Send takes a Draft of any 2019 kind (text, emoji, sticker, reply,
// transaction command) and builds its content as status-react did
// (protocol/message kinds.go), with Config.ENSName as the sender's name on
// text and emoji; a Draft with a Payload sends a c4/c7 a frontend built,
// bytes as given (its clock and timestamp kept). A stored Message keeps the whole
// content map (Message.Content: ENS name, sticker, command, unknown keys,
// in wire order); Quoted is filled from the store for a reply whose
// target is known.
//
// Send (docs/PROTOCOL.md §8): a c4 is built with the chat's Lamport clock
// (§1.6), Transit-encoded, wrapped and signed (v1 wrapper, §1.2), and stored
// as queued with its delivery record before anything leaves. Public chats
// post it symmetric on keccak256(name)[:4] with PBKDF2(name) (§4.1, §4.2);
// 1:1 and group messages are appended to the MVDS pair group of each
// recipient (§6.4) and the driver's Transport (core.go, mvdsTransport)
// encrypts each MVDS payload per recipient installation, adds copies for
// our paired devices (§3.5, §3.6), and posts on the negotiated,
// partitioned or discovery topic the encryption layer picks (§4.3).
// A direct text message is also kept in an outbox until MVDS has it, and
// what a crash left there is appended again (outbox.go), so a process
// killed between the two writes does not leave it queued forever; those
// entries, and a send whose append failed in this run (its caller gave up
// while MVDS waited out a store failure), are appended by one goroutine
// (direct.go resendUnsent), woken by Start, by the failed call and when
// the driver recovers. Start does not wait for those appends: during a
// store failure of the driver they wait for it, and Stop ends the wait.
//
// Receive (§0): every subscription's Sink writes into one inbound queue,
// called directly by the Transport's delivering goroutine; when the queue
// is full the Sink blocks (back-pressure, counted in
// statusd_messenger_inbound_blocked_seconds_total), it never drops. One
// receive goroutine reads the queue and tries ProtocolMessage (decrypt), then hands the plaintext to the
// MVDS driver, which decodes it once (bytes that are not MVDS come back and
// are taken as a bare payload). The driver persists new messages as
// pending, acknowledges them, and delivers them (DeliverFunc) into the
// receive goroutine's queue; ACKs come out through its AckFunc and drive
// delivery states. Each delivered body (and each bare payload) goes
// through the v1 wrapper, Transit and the §1.8 validator, then the state
// checks (joined
// public chat and matching topic, group membership, blocked contacts,
// cleared chats, dedupe by message ID). Nothing rejected is shown; each
// rejection is counted by reason (in tests, Dropped; and the
// statusd_messenger_dropped_total metric) and published as DroppedEvent.
// A delivered message is confirmed to the driver once handled; a crash
// before that delivers it again at the next Start, and the dedupe by
// message ID shows it once. So does it for a copy a peer retransmits after
// MVDS forgot the ID (Config.DataSyncRetainIDs, 7 days by default):
// MVDS delivers it as new and ACKs it; stored messages and processed
// payloads (chat messages, g5, p1, p2) are dropped as "duplicate",
// and a contact update, which is never marked processed, is re-applied
// to the same state (its timestamp rule). Settle returns once everything the Sinks
// queued before the call is handled and written (a batch counts when its
// public messages' write and its MVDS deliveries are done); the
// mailserver client waits on it before it records envelopes as fetched.
// A store write that fails (the storage itself, ErrStore) drops nothing:
// the payload is held, unshown and unconfirmed, and handled again with a
// back-off until a write succeeds or Stop, the receive goroutine taking
// nothing new meanwhile (storefail.go; StoreFailedEvent,
// StoreRecoveredEvent). The same holds for the session store: a message
// whose decryption failed because the store did (encryption.ErrStore;
// nothing was committed) is held as received and decrypted again, and a
// paired device's metadata or a negotiated topic whose write failed is
// written again; a session record that does not decode
// (encryption.ErrCorrupt) cannot mend, and its message is dropped as
// ReasonCorruptRecord. The MVDS driver retries its own failed writes the
// same way; its spells are published as those events with Store
// StoreDataSync. On the send side a session-store failure fails the MVDS
// driver's send (nothing of it was committed), which MVDS retransmits
// like a lost one; a failed send does not count toward NonACKMaxSends.
// The writes that record what already happened — the MVDS
// IDs of a payload being sent (with the outbox entries it drops), a
// delivery state an ACK or an envelope event moved, what a peer was seen
// sending — cannot be held back that way: a failed one is kept in memory
// by record key, the newest value winning, and written again with the
// same back-off until it succeeds or Stop (pendwrites.go; Store
// StoreRecords). Later writes of those records join it, reads that build
// on them (the next delivery change, the MVDS ID of an ACK) see the kept
// values, and a kept delivery state's DeliveryEvent is published once it
// is written: an event never announces a state a restart would take back.
//
// Delivery states (types.go DeliveryState, which lists every transition):
// queued when stored; sent when the Transport reports an envelope carrying
// it left to ≥ 1 peer (written to a peer without Whisper confirmations, or
// acknowledged with code 11 by one with them; each acknowledgement and
// refusal, code 12, is kept in Delivery.Confirmations and published as an
// EnvelopeStateEvent, and a refused public message is re-posted up to
// maxRefusals times); expired when that envelope's TTL passed without
// every ACK; acked when every recipient identity's MVDS ACK arrived. A
// public message whose envelope expired unsent stays queued (it is kept
// in the public outbox, outbox.go) and is re-posted, same bytes in a fresh
// envelope, when the Transport has a peer (PeerCount, PeerConnected);
// it expires only once Config.PublicRetryWindow (24 h) has passed, and a
// restart loses none (publicChats.run). One still queued a TTL after its
// last envelope's expiry is re-posted too, so an expiry event a Transport
// lost (whisperadapter loses none) delays it by at most a retry tick. Recipients are identities (MVDS
// peers); the installation whose message carried each ACK is recorded.
// A change of state writes the delivery record alone; reading a message
// takes its state from there (the message record is not rewritten).
// Copies for our own devices never count toward delivery. A peer's ACK,
// from any of its installations, covers them all: when a bundle shows an
// installation of a peer we did not know, the messages MVDS sent that
// peer in the last 24 h (at most 200; direct.go resendToNew) are sent
// again, encrypted to every installation we now know, until the peer ACKs
// again; the installations that had them drop the duplicates, and
// delivery states do not change. The encryption layer commits a mark with
// that bundle, cleared after the resend, so a restart finishes a resend a
// crash interrupted (dispatch.go resendPending), and a resend that failed
// is tried again after a back-off (resendretry.go). The other way round, an
// installation of ours that finds no entry for itself in a message
// answers with our bundle (pairing.go), even when the message was for
// another installation of ours, so the sender learns it and resends.
//
// Peers without MVDS: 2019 clients could run with data sync off; they read
// MVDS payloads but never ACK. What each peer last sent (an MVDS payload or
// a bare status payload) is remembered in the store (direct.go); to a peer
// seen without MVDS each message is sent Config.NonACKMaxSends times (first
// send included; sends that failed do not count) and then dropped from
// MVDS, and a message waiting only
// for such peers stays sent when its envelope expires.
//
// Groups: membership is the replay (§1.9.3) of every signed update we
// accepted; each change we make is signed, replay-checked (ErrNotAllowed)
// and sent with the whole history to old and new members pairwise through
// MVDS. Group messages go to the current members only; a message from a
// non-member is dropped ("not-member"). MVDS does not order messages, so a
// message to a group we do not know yet (its g5 is in the same payload) is
// parked, unconfirmed, until the g5 is handled (parking.go).
//
// Invitations: a group someone added us to is an invitation (Chat
// Membership "invited") until JoinGroup signs and sends our member-joined
// event; until then the members' 2019 clients list us as not joined, we
// may not send to the group, and its messages are not shown, as
// status-react showed the invitation, not the messages. They are not lost
// either: those that came through MVDS are held, unconfirmed, and shown
// when we join; declining drops them ("not-member"); a bare one (a peer
// without MVDS) is dropped as "not-joined". DeclineGroup is status-react's decline: a member-removed of
// ours before joining ("declined"). Every member's standing (groups.Standing)
// follows from the history alone; a change publishes a GroupMemberEvent
// per member whose standing changed. Groups.SendUpdates applies a g5 a
// frontend built and signed (shhext pass-through) as one of our changes.
//
// Pairing: our other installations are learnt from bundles on our
// contact-code topic (InstallationFoundEvent), enabled with
// EnableInstallation, described with p2 (SendPairInstallation, DH-only to
// our own key) and synced with p1 (SyncDevices). Once enabled, every MVDS
// payload carrying messages is also encrypted for them, so our devices
// show what we send from any of them. At Start and with every bundle
// re-publication (Config.BundleRepublishInterval) the stale installations
// are pruned (encryption.PruneInstallations: unseen for 7 days while
// another one of the identity was seen) and no longer encrypted to.
//
// Concurrency and lifecycle: see Messenger (no lock is held while sending
// on a channel or waiting for another goroutine). Stop ends every
// goroutine the package started. The store (store.go) is written before
// the event about the write is published.
//
// Choices (spec UNCONFIRMED or open):
//   - Messages are sent v1-wrapped and signed, except chat messages to
//     1:1 or group recipients who were all last seen sending bare Transit
//     (wrapforms.go: learnt per peer from every payload received,
//     persisted, like the MVDS knowledge): those go bare, the form such a
//     client reads. Public ones are not put in a ProtocolMessage
//     (status-go v0.35, §7.2). All three forms are accepted on receive.
//   - We listen on the negotiated topic of a peer as soon as it becomes an
//     MVDS peer (the secret is static), not only once agreed, so the first
//     negotiated message is not lost.
//   - Unencrypted payloads on our asymmetric topics (2019 v0 clients) are
//     accepted as 1:1 traffic.
//   - The c4 a g5 may carry is shown as a group message with the g5's ID
//     (status-react of 2019 sent its group messages that way); statusd
//     itself sends group messages as bare c4s, which those clients read
//     too. Such a g5's ID counts as handled only once its message is
//     stored, not when its history is applied, so one held until we join
//     is shown when we do.
//   - Group chat IDs are "uuid" + "0x04…" without separator (status-react).
package messenger
