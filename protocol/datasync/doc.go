// Package datasync is a pure implementation of MVDS (Minimum Viable Data
// Synchronization) as Status ran it on its network in 2019: the wire format
// with the 5001…/6001… field numbers, batch mode (what Status uses) and
// interactive mode (offer/request), per-peer send records, ACKs, and
// retransmission with a bounded exponential back-off (docs/PROTOCOL.md §6).
//
// The package does no I/O: no sockets, no files, no clock, no goroutines. A
// driver owns a Node and feeds it input; the Node answers with a Ready that
// lists what to persist, what to deliver and what to send. The shape follows
// etcd raft:
//
//	n.Append(group, body, now)   // local message
//	n.Step(from, payload)        // payload received from a peer
//	n.Tick()                     // one retransmission epoch (Status: 300 ms)
//	rd := n.Ready()
//	store.Apply(rd.Changes)      // 1. persist MVDS state
//	deliver(rd.Deliver)          // 2. hand new messages to the application
//	send(rd.Outgoing)            // 3. encode, encrypt, send
//	n.Advance(rd)                // 4. acknowledge
//
// Ordering rule: persist before send. The changes of a Ready must be durable
// before any of its payloads leave the process, so that an ACK is never sent
// for a message the node could forget in a crash, and a retransmission
// schedule (the epoch) never goes backwards after a restart.
//
// Delivery: every message ID is put in Ready.Deliver at most once while the
// node knows it: with its body, then as a released ID (Release) until the
// driver lets it go (ForgetReleased, at a horizon it chooses). A copy
// received after that is delivered again, so the application must dedupe
// by its own message ID what arrives after the horizon. A driver that must
// not lose a delivery on a crash between steps 1 and 2 writes the
// application's copy and the MVDS changes in one batch.
//
// A Node is not safe for concurrent use: one goroutine of the driver owns it.
package datasync
