package datasync

import (
	"errors"
	"fmt"
	"time"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// Sentinel errors of the driver. Errors are wrapped with %w.
var (
	// ErrInvalidConfig: Config.Validate rejected a setting.
	ErrInvalidConfig = errors.New("datasync driver: invalid config")
	// ErrNotStarted: a method that needs the driver goroutine was called
	// before Start.
	ErrNotStarted = errors.New("datasync driver: not started")
	// ErrStarted: Start was called on a driver that is running.
	ErrStarted = errors.New("datasync driver: already started")
	// ErrStopped: the driver was stopped; make a new one to restart. A
	// request that waited for a store failure spell when Stop came fails
	// with ErrStopped wrapping the spell's ErrStore.
	ErrStopped = errors.New("datasync driver: stopped")
	// ErrInboxFull: Receive found the inbox full and dropped the payload.
	// MVDS retransmits, so the caller only counts it.
	ErrInboxFull = errors.New("datasync driver: inbox full")
	// ErrStore: a store write failed. Start returns it for a failed read;
	// the driver goroutine retries a failed write until it succeeds
	// (storefail.go), sending nothing of what waits for it.
	ErrStore = errors.New("datasync driver: store failed")
)

// Config configures a Driver. Build it with DefaultConfig; New calls
// Validate.
type Config struct {
	// Node configures the MVDS state machine.
	Node mvds.Config
	// TickInterval is the period of Node.Tick (Status: 300 ms, §6.3).
	TickInterval time.Duration
	// SendTimeout bounds one Transport.Send call.
	SendTimeout time.Duration
	// InboxSize bounds the received payloads waiting for the driver
	// goroutine; Receive fails with ErrInboxFull beyond it.
	InboxSize int
	// FlushDelay is how long after an Append (or any input that schedules a
	// first send) the driver calls Node.Flush, sending new messages without
	// waiting for the next tick. Appends within FlushDelay of the first one
	// leave together, one payload per peer. 0 disables the flush: messages
	// leave at the next tick, as in 2019 Status.
	FlushDelay time.Duration
	// FlushIdle sends the new messages of a request (Append, Resend,
	// AddPeer) at once when no flush sent any within the last FlushDelay:
	// one store write persists the appends and their first send, the
	// requests of every cycle are answered once its first write is done
	// (before its payloads are sent; a store failure after that is
	// retried, storefail.go), and the payloads leave right
	// after. Otherwise they wait FlushDelay as without it, so that under
	// load a payload still carries what a FlushDelay gathers (each payload
	// costs an encryption and an envelope on both sides, which batches of
	// half the size showed in the 1:1 benchmark's CPU per message).
	FlushIdle bool
	// ConfirmDeliveries leaves each delivered message pending until the
	// application calls Confirm with its ID, instead of clearing the mark
	// when the DeliverFunc returns. An application that hands deliveries to
	// another goroutine sets it, and confirms once the message is stored:
	// a crash in between then delivers the message again at the next Start.
	ConfirmDeliveries bool
	// AdaptiveBackoff sets each peer's first retransmission gap from the
	// round trip measured to it: the time from a message's first send to
	// the peer's ACK, smoothed as TCP's retransmission timer does (SRTT +
	// 4·RTTVAR, RFC 6298), in whole ticks plus one. Node.InitialBackoff is
	// the gap before the first measurement, MinAdaptiveBackoff the least
	// gap after it and Node.MaxBackoff the most. Off, every peer gets
	// Node.InitialBackoff.
	AdaptiveBackoff bool
	// MinAdaptiveBackoff is the least measured gap in ticks (default 2, the
	// 2019 first gap); 0 takes 1.
	MinAdaptiveBackoff uint64
	// RetainAcked is how long after its timestamp the driver keeps the
	// body of a message that no peer is still to be sent (every peer
	// acknowledged it), for Recent and Resend; then only its ID stays, for
	// dedupe (mvds.Node.Release). Set it to the window the application
	// reads Recent over. A received message's body goes as soon as the
	// application confirms it (ConfirmDeliveries). 0 releases a body at
	// the first tick after the last ACK. Default 24 h.
	RetainAcked time.Duration
	// RetainAckedMax bounds those bodies per group: past it the oldest
	// (by timestamp, then ID, as Recent orders) is released at once, so
	// a sender's memory and store do not grow with what it sent within
	// RetainAcked. Set it to the most the application reads with Recent
	// in one call (Recent's limit): the newest messages of a group, which
	// Recent returns, are all kept. 0 (the default) keeps every body for
	// RetainAcked.
	RetainAckedMax int
	// RetainReleased is how long the node keeps the ID of a message whose
	// body it released (a received message once the application has it,
	// one of ours once every peer acknowledged it and RetainAcked passed),
	// so that a copy received again is acknowledged and not delivered
	// twice. It counts from the release, on the driver's clock, not from
	// the message's timestamp, which is the sender's (mvds.Released); a
	// copy received meanwhile does not extend it.
	// Then the ID is forgotten, in memory and in the store
	// (mvds.Node.ForgetReleased, at the next tick), and a copy arriving
	// later is delivered again as new: the application dedupes it by its
	// own message ID (internal/messenger keeps the IDs it processed).
	// 0 forgets an ID at the first tick after its release.
	//
	// A peer retransmits a message until our ACK reaches it. statusd
	// does so at least once per Node.MaxBackoff ticks (a minute by
	// default), so a statusd peer that can reach us stops within
	// minutes. vacp2p/mvds as 2019 Status ran it (docs/PROTOCOL.md §6.3)
	// never gives up either, and schedules each retransmission about as
	// far ahead as its epoch has counted since its state was created,
	// doubling the gap at every send: no horizon covers all its copies.
	// The horizon therefore only saves work (a copy known here is ACKed
	// without being stored and handed to the application again): the
	// messenger's dedupe keeps a message shown once past it. The default, 7 days, covers the
	// copies of a peer that was offline for less than a week, while it
	// bounds the memory (some 100 bytes an ID: the ID in a set and in a
	// queue by time) to a week of traffic: about 60 MB at a sustained
	// message a second, 1 MB at one a minute.
	RetainReleased time.Duration
}

// DefaultConfig returns statusd's driver settings for the local peer id:
// protocol/datasync's defaults, a 300 ms tick, 10 s per send, 1024 queued
// payloads, a flush 5 ms after an append, acknowledged bodies kept 24 h,
// released IDs kept 7 days.
//
// The flush delay is a measured trade between latency and cost: a shorter
// window carries fewer messages a payload, and each payload costs an
// encryption and an envelope on both sides and one more envelope in a
// mailserver's archive. Side by side on a busy 2-core machine, 2.5 ms
// against 5 ms gave, in the 1:1 benchmark between two daemons (test/e2e
// BenchmarkOneToOne), a median p50 of 11.9 against 14.9 ms over 4 000
// messages (8 runs each) and 10.0 against 13.1 ms over 16 000 (6 runs
// each) at the same throughput (1 587 against 1 592 and 2 037 against
// 1 861 msg/s), for 1–11 % more CPU a message on the sender and 7–13 % on
// the receiver; but a client catching up on 10 000 1:1 messages
// (BenchmarkCatchUpOneToOne, 3 runs each) found twice the envelopes in
// the archive (896–1 058 against 447–546), spent 26 % more CPU a message
// and showed 8 634 against 11 201 msg/s (medians), so the default stays
// at 5 ms. 1 ms cost 20–40 % more CPU in the 1:1 benchmark.
func DefaultConfig(id mvds.PeerID) Config {
	return Config{
		Node:         mvds.DefaultConfig(id),
		TickInterval: mvds.StatusTickMillis * time.Millisecond,
		SendTimeout:  10 * time.Second,
		InboxSize:    1024,
		FlushDelay:   5 * time.Millisecond,
		RetainAcked:  24 * time.Hour,

		RetainReleased: 7 * 24 * time.Hour,

		MinAdaptiveBackoff: 2,
	}
}

// Validate reports an unusable configuration as ErrInvalidConfig.
func (c Config) Validate() error {
	if err := c.Node.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if c.TickInterval <= 0 || c.SendTimeout <= 0 || c.InboxSize <= 0 {
		return fmt.Errorf("%w: tick %v, send timeout %v, inbox %d must be positive",
			ErrInvalidConfig, c.TickInterval, c.SendTimeout, c.InboxSize)
	}
	if c.FlushDelay < 0 || c.RetainAcked < 0 || c.RetainAckedMax < 0 || c.RetainReleased < 0 {
		return fmt.Errorf("%w: flush delay %v, retention %v, retained per group %d, released retention %v must not be negative",
			ErrInvalidConfig, c.FlushDelay, c.RetainAcked, c.RetainAckedMax, c.RetainReleased)
	}
	return nil
}
