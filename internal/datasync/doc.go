// Package datasync drives an MVDS node (protocol/datasync) for statusd: it
// owns the node in one goroutine, ticks it (every 300 ms by default), feeds
// it the payloads the transport received, persists every Ready before
// anything of it leaves the process, hands new messages to the application,
// and gives one encoded payload per peer and tick (messages and ACKs
// together, docs/PROTOCOL.md §6.3) to a Transport, as a Packet that also
// names the messages it carries. The application never reads or writes
// MVDS bytes: it passes received bytes to Receive (ErrNotPayload sends them
// back), gets messages through its DeliverFunc and ACKs through its
// AckFunc.
//
// The Ready cycle the driver runs after every input (tick, received payload,
// Append, AddPeer, RemovePeer; requests already waiting when one is taken
// share its cycle, so concurrent Appends cost one store write):
//
//	rd := node.Ready()
//	store.ApplyReady(rd.Changes, rd.Deliver) // 1. persist, deliveries marked pending
//	store.Sync()                             //    if a payload carries ACKs (Syncer)
//	deliver(m) for m in rd.Deliver           // 2. application callback
//	store.Delivered(ids)                     //    clear the pending marks (or
//	                                         //    later, on Confirm)
//	transport.Send(ctx, to, packet)          // 3. one Send per Outgoing
//	node.Advance(rd)                         // 4.
//
// Persist before send: an ACK never leaves for a message the store could
// lose, and the epoch never goes backwards after a restart. A store whose
// writes survive a power loss only once synced (Syncer: goleveldb) is
// synced before a Ready's payloads leave when one of them carries ACKs —
// once per Ready, covering every earlier write — so that a power loss
// cannot take a message whose sender has stopped retransmitting it.
// A Ready whose payloads carry no ACK leaves unsynced: its records are our
// own messages and state, and the window in which a power loss can take
// those is the one internal/messenger's Send documents. A failed store
// write is retried with a back-off until it succeeds or Stop (nothing of
// that Ready is delivered or sent meanwhile, and the driver takes no new
// input; storefail.go), and the spell is told to the application
// (WithStoreNotify); a failed Send is counted and left to MVDS
// retransmission, and does not count toward a peer's send limit
// (SetSendLimit: a peer that never acknowledges gets that many copies that
// left).
//
// Delivery is exactly once across clean stops and restarts. A crash between
// steps 1 and 2 leaves the messages pending; Start delivers them again, so
// across a crash the application may see a message twice (it dedupes by
// message ID), never zero times. The pending mark keeps the sender. An
// application that stores deliveries on another goroutine sets
// Config.ConfirmDeliveries and calls Confirm once a message is stored: the
// mark then survives until then, so a crash between the driver's write and
// the application's is covered too. Confirmations ride on the driver's next
// write (at the latest at the next tick), which also drops the confirmed
// messages' bodies: MVDS keeps a received message's ID only, for dedupe,
// and a message it sent only until every peer acknowledged it and
// Config.RetainAcked has passed, or sooner once Config.RetainAckedMax newer
// acknowledged messages of its group are kept.
//
// A released ID is not kept for ever: Config.RetainReleased (7 days by
// default) after its release the driver forgets it at a tick, in memory
// and in the store, so that a busy node's state is bounded by that
// horizon's traffic. A copy a peer retransmits after that is delivered
// again, as a new message, and ACKed: "exactly once" holds within the
// horizon, and past it the application dedupes by its own message ID
// (internal/messenger does, with the IDs it stored or processed).
//
// Receive is the "try and fall back" entry of docs/PROTOCOL.md §0: it
// decodes on the caller's goroutine and returns protocol/datasync's
// ErrNotPayload for bytes that are not MVDS, so the caller passes them on.
// It never blocks, so a Transport may call it from inside Send.
package datasync
