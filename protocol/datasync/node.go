package datasync

import (
	"fmt"
	"time"
)

// Node is one MVDS participant: its groups, stored messages, send records
// and epoch, plus the output waiting to be collected with Ready.
//
// A Node is not safe for concurrent use; the driver calls every method from
// the goroutine that owns it. No method blocks or does I/O. Methods that take
// byte slices copy what they keep.
type Node struct {
	cfg   Config
	epoch uint64

	records  map[MessageID]map[PeerID]*Record
	nrecords int
	nextDue  uint64                 // lower bound of every record's SendEpoch
	unsent   map[RecordKey]struct{} // candidates for Flush; see noteUnsent

	messages     map[MessageID]Message  // stored with their bodies
	released     map[MessageID]struct{} // stored as IDs only (Release), until ForgetReleased
	releasedQ    releasedQueue          // the released IDs by release time
	releasedPeak int                    // most released IDs held since the last shrinkReleased
	groups       map[GroupID]map[PeerID]struct{}

	sendLimits map[PeerID]uint64 // see SetSendLimit; not persisted
	backoffs   map[PeerID]uint64 // see SetInitialBackoff; not persisted

	pendingOutput
}

// NewNode returns a node with empty state at epoch 0.
func NewNode(cfg Config) (*Node, error) {
	return RestartNode(cfg, Snapshot{})
}

// RestartNode rebuilds a node from persisted state (Store.Load). Records
// scheduled further than MaxBackoff ticks ahead — state written by the
// accumulating 2019 back-off (docs/PROTOCOL.md §6.3) or under a larger
// MaxBackoff — are pulled in to epoch+1 so that they are sent promptly; the
// corrected records appear in the first Ready.
//
// Errors: ErrInvalidConfig, or ErrInvalidState for a snapshot that names an
// unknown record type, a MESSAGE record without its message, or the local
// node as a group peer.
func RestartNode(cfg Config, snap Snapshot) (*Node, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	n := &Node{
		cfg:      cfg,
		epoch:    snap.Epoch,
		records:  make(map[MessageID]map[PeerID]*Record),
		messages: make(map[MessageID]Message, len(snap.Messages)),
		released: make(map[MessageID]struct{}, len(snap.Released)),
		groups:   make(map[GroupID]map[PeerID]struct{}),
		nextDue:  ^uint64(0),
		unsent:   make(map[RecordKey]struct{}),

		sendLimits: make(map[PeerID]uint64),
		backoffs:   make(map[PeerID]uint64),
	}
	n.pendingOutput.init()
	n.persistedEpoch = snap.Epoch
	for _, m := range snap.Messages {
		m.Body = append([]byte(nil), m.Body...)
		n.messages[m.ID()] = m
	}
	for _, r := range snap.Released {
		if _, ok := n.messages[r.ID]; !ok {
			n.released[r.ID] = struct{}{}
			n.releasedQ = append(n.releasedQ, r)
		}
	}
	n.releasedQ.init()
	n.noteReleasedPeak()
	for _, mb := range snap.Members {
		if mb.Peer == cfg.ID {
			return nil, fmt.Errorf("%w: local node is a peer of group %s", ErrInvalidState, mb.Group)
		}
		n.addMember(mb.Group, mb.Peer)
	}
	for _, e := range snap.Records {
		if err := n.restoreRecord(e); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func (n *Node) restoreRecord(e RecordEntry) error {
	r := e.Record
	if r.Type > RecordMessage {
		return fmt.Errorf("%w: record %s has type %s", ErrInvalidState, e.Key.Message, r.Type)
	}
	if _, ok := n.messages[e.Key.Message]; r.Type == RecordMessage && !ok {
		return fmt.Errorf("%w: MESSAGE record for unknown message %s", ErrInvalidState, e.Key.Message)
	}
	limit := n.cfg.nextEpoch(n.cfg.InitialBackoff, ^uint64(0), n.epoch) // epoch + MaxBackoff, saturated
	if r.SendEpoch > limit {
		r.SendEpoch = n.epoch + 1
		n.setRecord(e.Key, r)
		return nil
	}
	n.putRecord(e.Key, r)
	n.noteUnsent(e.Key, r)
	return nil
}

// Epoch returns the current epoch: the number of ticks since the state was
// created, carried across restarts.
func (n *Node) Epoch() uint64 { return n.epoch }

// Config returns the node's configuration.
func (n *Node) Config() Config { return n.cfg }

// Outstanding returns the number of send records: messages, offers and
// requests not yet acknowledged by their peer. Zero means the node has
// nothing left to (re)transmit.
func (n *Node) Outstanding() int { return n.nrecords }

// HasMessage reports whether the node has stored the message, with its
// body or, once released, as its ID (until ForgetReleased).
func (n *Node) HasMessage(id MessageID) bool {
	_, ok := n.messages[id]
	if !ok {
		_, ok = n.released[id]
	}
	return ok
}

// Settled reports whether the node stores the body of message id and no
// send record needs it — Release(id) would release it — and the message's
// group and timestamp.
func (n *Node) Settled(id MessageID) (g GroupID, timestamp int64, ok bool) {
	m, ok := n.messages[id]
	if !ok || len(n.records[id]) > 0 {
		return GroupID{}, 0, false
	}
	return m.GroupID, m.Timestamp, true
}

// EachSettled calls fn with the ID, group and timestamp of every message
// Settled reports, in no particular order. fn must not call methods of n.
func (n *Node) EachSettled(fn func(id MessageID, g GroupID, timestamp int64)) {
	for id, m := range n.messages {
		if len(n.records[id]) == 0 {
			fn(id, m.GroupID, m.Timestamp)
		}
	}
}

// Append stores a new local message in group g with timestamp now (Unix
// seconds, §6.1) and schedules it for every peer of the group at the next
// tick: a MESSAGE record in batch mode, an OFFER record in interactive mode.
// Flush sends those records before the tick. The message is not put in
// Ready.Deliver: the application already has it.
//
// Errors: ErrTooLarge for a body over MaxMessageBytes; ErrDuplicateMessage
// (with the ID) when the same (group, second, body) was stored before — the
// state is then unchanged.
func (n *Node) Append(g GroupID, body []byte, now time.Time) (MessageID, error) {
	if len(body) > n.cfg.MaxMessageBytes {
		return MessageID{}, fmt.Errorf("%w: body of %d bytes, limit %d", ErrTooLarge, len(body), n.cfg.MaxMessageBytes)
	}
	m := Message{GroupID: g, Timestamp: now.Unix(), Body: append([]byte(nil), body...)}
	id := m.ID()
	if n.HasMessage(id) {
		return id, fmt.Errorf("%w: %s", ErrDuplicateMessage, id)
	}
	n.storeMessage(id, m)
	typ := RecordMessage
	if n.cfg.Mode == ModeInteractive {
		typ = RecordOffer
	}
	for p := range n.groups[g] {
		n.setRecord(RecordKey{Message: id, Peer: p}, Record{Type: typ, SendEpoch: n.epoch + 1})
	}
	return id, nil
}

// storeMessage keeps m and queues it for persistence.
func (n *Node) storeMessage(id MessageID, m Message) {
	n.messages[id] = m
	n.newMessages = append(n.newMessages, m)
	n.unforget(id)
}

// Snapshot returns the node's whole state as Store.Load would return it after
// every Ready so far was applied, plus the changes not yet collected. It is
// a deep copy in a deterministic order.
func (n *Node) Snapshot() Snapshot {
	s := Snapshot{Epoch: n.epoch}
	keys := n.recordKeys()
	for _, k := range keys {
		s.Records = append(s.Records, RecordEntry{Key: k, Record: *n.records[k.Message][k.Peer]})
	}
	for _, m := range n.messages {
		m.Body = append([]byte(nil), m.Body...)
		s.Messages = append(s.Messages, m)
	}
	sortMessages(s.Messages)
	s.Released = append([]Released(nil), n.releasedQ...)
	sortReleased(s.Released)
	for g, peers := range n.groups {
		for p := range peers {
			s.Members = append(s.Members, Membership{Group: g, Peer: p})
		}
	}
	sortMemberships(s.Members)
	return s
}
