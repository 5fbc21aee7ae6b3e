package datasync

// Outgoing is one payload for one peer. The driver encodes it with
// Payload.Marshal, encrypts it for To and sends it. Payloads are never empty.
type Outgoing struct {
	To      PeerID
	Payload Payload
}

// Ready is the output of a node since the previous Ready. The driver
// handles it in this order, then calls Advance:
//
//  1. Persist Changes atomically (Store.Apply). Nothing of this Ready may be
//     sent before Changes is durable: an ACK in Outgoing may acknowledge a
//     message stored by these very Changes.
//  2. Deliver each message of Deliver to the application, in order.
//  3. Send each Outgoing, in order.
//
// The driver owns the slices of a Ready. Message bodies in it are shared
// with the node's stored copy and must not be modified.
type Ready struct {
	Changes  Changes
	Deliver  []Message // newly received messages; each ID appears once while the node knows it (doc.go)
	Outgoing []Outgoing
}

// IsEmpty reports whether rd asks for nothing.
func (rd *Ready) IsEmpty() bool {
	return rd.Changes.IsEmpty() && len(rd.Deliver) == 0 && len(rd.Outgoing) == 0
}

// pendingOutput accumulates what the next Ready returns.
type pendingOutput struct {
	dirtyRecords   map[RecordKey]struct{}
	dirtyMembers   map[Membership]struct{}
	newMessages    []Message
	newReleased    []Released
	forgotten      map[MessageID]struct{} // by ForgetReleased since the last Ready
	deliver        []Message
	outgoing       []Outgoing
	acks           map[PeerID][]MessageID // queued for the next tick
	ackSet         map[RecordKey]struct{} // dedupe of acks
	persistedEpoch uint64
	inflight       bool
}

func (o *pendingOutput) init() {
	o.dirtyRecords = make(map[RecordKey]struct{})
	o.dirtyMembers = make(map[Membership]struct{})
	o.acks = make(map[PeerID][]MessageID)
	o.ackSet = make(map[RecordKey]struct{})
	o.forgotten = make(map[MessageID]struct{})
}

// queueAck schedules an ACK of id to p for the next tick; repeated ACKs of
// one ID to one peer in one tick are sent once.
func (o *pendingOutput) queueAck(p PeerID, id MessageID) {
	k := RecordKey{Message: id, Peer: p}
	if _, ok := o.ackSet[k]; ok {
		return
	}
	o.ackSet[k] = struct{}{}
	o.acks[p] = append(o.acks[p], id)
}

// HasReady reports whether Ready would return a non-empty Ready. It is false
// while a Ready is awaiting Advance.
func (n *Node) HasReady() bool {
	if n.inflight {
		return false
	}
	return len(n.dirtyRecords) > 0 || len(n.dirtyMembers) > 0 || len(n.newMessages) > 0 ||
		len(n.newReleased) > 0 || len(n.forgotten) > 0 || len(n.deliver) > 0 || len(n.outgoing) > 0
}

// Ready returns everything the driver must persist, deliver and send since
// the previous Ready, and hands ownership of it to the caller. Until the
// caller calls Advance, further calls return an empty Ready (and the node
// keeps accumulating input from Append, Step and Tick for the next one).
//
// Changes carry the epoch only together with some other change: an idle
// tick costs no write. Every persisted record therefore has a SendEpoch of
// at most the persisted epoch + MaxBackoff, which RestartNode relies on.
func (n *Node) Ready() Ready {
	if !n.HasReady() {
		return Ready{}
	}
	rd := Ready{Changes: n.collectChanges(), Deliver: n.deliver, Outgoing: n.outgoing}
	n.deliver, n.outgoing = nil, nil
	n.inflight = true
	return rd
}

// Advance tells the node that the driver has finished with rd (persisted,
// delivered, sent). The next Ready may then be collected.
func (n *Node) Advance(rd Ready) {
	n.inflight = false
}

func (n *Node) collectChanges() Changes {
	var c Changes
	keys := make([]RecordKey, 0, len(n.dirtyRecords))
	for k := range n.dirtyRecords {
		keys = append(keys, k)
	}
	sortKeys(keys)
	for _, k := range keys {
		if r := n.record(k); r != nil {
			c.PutRecords = append(c.PutRecords, RecordEntry{Key: k, Record: *r})
		} else {
			c.DeleteRecords = append(c.DeleteRecords, k)
		}
	}
	ms := make([]Membership, 0, len(n.dirtyMembers))
	for m := range n.dirtyMembers {
		ms = append(ms, m)
	}
	sortMemberships(ms)
	for _, m := range ms {
		if n.IsPeer(m.Group, m.Peer) {
			c.AddMembers = append(c.AddMembers, m)
		} else {
			c.RemoveMembers = append(c.RemoveMembers, m)
		}
	}
	c.PutMessages = n.newMessages
	c.ReleaseMessages = n.newReleased
	n.newMessages, n.newReleased = nil, nil
	if len(n.forgotten) > 0 {
		c.ForgetMessages = make([]MessageID, 0, len(n.forgotten))
		for id := range n.forgotten {
			c.ForgetMessages = append(c.ForgetMessages, id)
		}
		sortIDs(c.ForgetMessages)
		clear(n.forgotten)
	}
	clear(n.dirtyRecords)
	clear(n.dirtyMembers)
	if !c.IsEmpty() && n.epoch != n.persistedEpoch {
		c.Epoch, c.EpochChanged = n.epoch, true
		n.persistedEpoch = n.epoch
	}
	return c
}
