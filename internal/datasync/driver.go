package datasync

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.uber.org/zap"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// Store persists a node's state and the deliveries not yet confirmed. The
// driver calls it from its goroutine only (Load and Pending from Start).
// An error of ApplyReady or Delivered is taken as a failure of the storage
// that may pass: the driver calls it again, with the same arguments or
// with more, until it succeeds (storefail.go); each call is atomic.
// storage/datasyncstore implements it over goleveldb or the in-memory KV.
type Store interface {
	// Load returns the persisted node state (empty for a new store).
	Load() (mvds.Snapshot, error)
	// ApplyReady persists c and marks deliver pending (with each message's
	// sender), atomically.
	ApplyReady(c mvds.Changes, deliver []mvds.Delivery) error
	// Pending returns the messages marked pending and not yet Delivered,
	// with their senders.
	Pending() ([]mvds.Delivery, error)
	// Delivered clears the pending marks of ids.
	Delivered(ids []mvds.MessageID) error
}

// Syncer is implemented by a Store whose acknowledged writes survive a
// crash of the process but not a power loss until synced
// (storage/datasyncstore over goleveldb). Sync returns once every write
// made before it is durable; the driver calls it from its goroutine,
// after the write of a Ready whose payloads carry ACKs and before they
// are sent. A Store that is not a Syncer is taken as durable on write.
type Syncer interface {
	Sync() error
}

// Transport carries encoded MVDS payloads to peers; below it sit the
// encryption layer and Whisper. The driver calls Send from its goroutine,
// one payload at a time, in Ready order, only after the payload's Ready was
// persisted. Send may block up to ctx's deadline (SendTimeout; ctx also ends
// when the driver stops) and must not call Driver methods other than
// Receive, ReceiveTagged, ReceiveCopy, Confirm and Stats. An error is
// counted and logged; MVDS retransmits.
type Transport interface {
	Send(ctx context.Context, to mvds.PeerID, p Packet) error
}

// Packet is one encoded payload for one peer, with the messages (MVDS
// records of type MESSAGE) it carries and their IDs, so that the transport
// and the application need not decode what the driver encoded. Payload is
// what goes on the wire; the slices are the driver's and must not be
// modified or kept after Send returns.
type Packet struct {
	Payload  []byte
	Messages []mvds.Message
	IDs      []mvds.MessageID // IDs[i] is Messages[i].ID()
}

// Delivery is one message handed to the application: the message, its
// sender, the tag of the payload that carried it (ReceiveTagged; "" when
// redelivered by Start) and whether it is an unsynchronised copy from our
// own peer ID (ReceiveCopy).
type Delivery struct {
	mvds.Delivery
	Tag  string
	Copy bool
}

// DeliverFunc receives each message the node got from a peer, once, in
// order. It runs on the driver goroutine after the message was persisted
// and before any ACK for it is sent (messages left pending by a crash are
// delivered again from Start, on the goroutine calling Start); it must not
// block for long and must not call Driver methods other than the Receive
// family, Confirm and Stats (the others wait for the driver goroutine).
// The message body must not be modified.
type DeliverFunc func(d Delivery)

// AckFunc receives the ACKs of each payload received from a peer (the
// message IDs from has acknowledged; tag as given to ReceiveTagged), on
// the driver goroutine, before the node processes the payload. The same
// rules as for DeliverFunc apply. ids must not be modified or kept.
type AckFunc func(from mvds.PeerID, tag string, ids []mvds.MessageID)

// Option changes how New builds a driver.
type Option func(*Driver)

// WithClock sets the clock (default SystemClock).
func WithClock(c Clock) Option { return func(d *Driver) { d.clock = c } }

// WithAckFunc sets the function told about received ACKs (default none).
func WithAckFunc(f AckFunc) Option { return func(d *Driver) { d.acked = f } }

// WithLogger sets the logger; the driver logs under the name "mvds".
func WithLogger(l *zap.Logger) Option { return func(d *Driver) { d.log = l.Named("mvds") } }

// Driver runs one MVDS node. Its methods are safe for concurrent use; the
// node itself is touched only by the driver goroutine started by Start.
type Driver struct {
	cfg     Config
	store   Store
	tr      Transport
	deliver DeliverFunc
	acked   AckFunc
	clock   Clock
	log     *zap.Logger

	node      *mvds.Node                // owned by the run goroutine after Start
	origins   map[mvds.MessageID]origin // senders of messages stepped since the last flush; run goroutine
	batch     []request                 // the requests of one Ready cycle, reused; run goroutine
	reqErrs   []error                   // their errors, reused; run goroutine
	rtt       *rttEstimator             // nil unless Config.AdaptiveBackoff; run goroutine
	retain    retention                 // settled bodies awaiting release; run goroutine
	confs     []mvds.MessageID          // confirmations not yet persisted; run goroutine
	confNow   bool                      // persist confs at the next flush; run goroutine
	lastFlush time.Time                 // when a Node.Flush last sent something; run goroutine
	held      *heldReady                // a Ready whose write failed; run goroutine (storefail.go)
	unmarked  []mvds.MessageID          // pending marks a failed write left; run goroutine
	spell     *spell                    // the failure spell under way, or nil; run goroutine
	waiting   waitingReply              // the requests the spell answers; run goroutine
	notify    StoreNotifyFunc
	inbox     inbox
	reqs      chan request
	quit      chan struct{}
	done      chan struct{}
	ctx       context.Context // cancelled by Stop; bounds every Send
	cancel    context.CancelFunc
	stats     counters

	mu      sync.Mutex
	state   runState
	started bool // the run goroutine was started; set by Stop
}

type runState uint8

const (
	stateNew runState = iota
	stateRunning
	stateStopped
)

// request is a function run on the driver goroutine, followed by a flush.
type request struct {
	fn    func(n *mvds.Node) error
	reply chan error // buffered 1
}

// New returns a driver that is not running yet. It does not touch the store.
func New(cfg Config, st Store, tr Transport, deliver DeliverFunc, opts ...Option) (*Driver, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	d := &Driver{
		cfg: cfg, store: st, tr: tr, deliver: deliver,
		clock: SystemClock{}, log: zap.NewNop(),
		reqs: make(chan request), quit: make(chan struct{}), done: make(chan struct{}),
		origins: make(map[mvds.MessageID]origin),
		retain:  retention{max: cfg.RetainAckedMax},
	}
	if cfg.AdaptiveBackoff {
		d.rtt = newRTTEstimator()
	}
	d.inbox.init(cfg.InboxSize)
	d.ctx, d.cancel = context.WithCancel(context.Background())
	for _, o := range opts {
		o(d)
	}
	return d, nil
}

// Start loads the state from the store, rebuilds the node (RestartNode),
// delivers the messages left pending by a crash (on the caller's
// goroutine), and starts the driver goroutine. It fails with ErrStarted if
// running, ErrStopped after Stop, or the store's error.
func (d *Driver) Start() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	switch d.state {
	case stateRunning:
		return ErrStarted
	case stateStopped:
		return ErrStopped
	}
	snap, err := d.store.Load()
	if err != nil {
		return fmt.Errorf("%w: load: %w", ErrStore, err)
	}
	if d.node, err = mvds.RestartNode(d.cfg.Node, snap); err != nil {
		return err
	}
	pending, err := d.store.Pending()
	if err != nil {
		return fmt.Errorf("%w: pending: %w", ErrStore, err)
	}
	d.retainAtStart(pending)
	if err := d.deliverAll(pending, make([]string, len(pending))); err != nil {
		// The marks wait in d.unmarked: the driver goroutine's first
		// write retries them (storefail.go).
		d.log.Debug("clear redelivered marks", zap.Error(err))
	}
	ticker := d.clock.NewTicker(d.cfg.TickInterval)
	d.state = stateRunning
	d.log.Debug("started", zap.Uint64("epoch", snap.Epoch), zap.Int("records", len(snap.Records)),
		zap.Int("redelivered", len(pending)))
	go d.run(ticker)
	return nil
}

// Stop ends the driver goroutine, cancels a Send in progress and waits for
// the goroutine to exit; during a store failure spell it ends the retry
// wait (what the failed write held is not persisted: requests waiting for
// it fail with ErrStopped, and MVDS sends and delivers it again after the
// next Start, from the peers' state and the application's). It is
// idempotent and returns nil. A stopped driver cannot be restarted.
func (d *Driver) Stop() error {
	d.mu.Lock()
	if d.state != stateStopped {
		d.started = d.state == stateRunning
		d.state = stateStopped
		close(d.quit)
		d.cancel()
		d.inbox.close()
	}
	started := d.started
	d.mu.Unlock()
	if started {
		<-d.done
	}
	return nil
}

// run is the driver goroutine: it owns d.node.
func (d *Driver) run(ticker Ticker) {
	defer close(d.done)
	defer ticker.Stop()
	var fl flushTimer
	defer fl.stop()
	if err := d.flush(nil); err != nil {
		d.failed(err, &fl)
	} else {
		fl.arm(d)
	}
	for {
		if d.spell != nil { // storefail.go: no input until the writes succeed
			if !d.retry(ticker, &fl) {
				d.abandon()
				d.saveConfirms()
				d.saveEpoch()
				return
			}
			continue
		}
		var reqs []request
		var serr error
		select {
		case <-d.quit:
			d.saveConfirms()
			d.saveEpoch()
			return
		case <-ticker.C():
			serr = d.step()
			d.confNow = true
			d.releaseDue()
			d.forgetReleased()
			d.node.Tick()
			d.stats.ticks.Add(1)
		case <-fl.c():
			fl.stop()
			serr = d.step()
			if d.node.Flush() {
				d.flushed()
			}
		case <-d.inbox.ready:
			serr = d.step()
		case r := <-d.reqs:
			serr = d.step()
			d.confNow = true
			reqs = d.moreRequests(append(d.batch[:0], r))
		}
		if ferr := d.answer(reqs, serr, &fl); ferr != nil {
			d.failed(ferr, &fl)
		}
	}
}

// answer runs the requests of one cycle (none for a tick, timer or inbox
// cycle), flushes and replies to each: its own error, or the cycle's (serr,
// or the flush's). With Config.FlushIdle the new messages of an idle
// driver are sent in this cycle, and the requests are answered once the
// cycle's first Ready is persisted, before its payloads are sent. It
// returns the store error that begins a failure spell: the requests are
// then answered by the retry that completes the cycle's writes, or with
// ErrStopped by Stop (storefail.go).
func (d *Driver) answer(reqs []request, serr error, fl *flushTimer) error {
	errs := d.reqErrs[:0]
	for _, r := range reqs {
		var err error
		if serr == nil {
			err = r.fn(d.node)
		}
		errs = append(errs, err)
	}
	if serr == nil && len(reqs) > 0 && d.idle() && d.node.Flush() {
		fl.stop() // what it was armed for leaves now
		d.flushed()
	}
	replied := false
	reply := func(ferr error) {
		if replied {
			return
		}
		replied = true
		if ferr == nil {
			fl.arm(d) // before replying: Append returns with its flush scheduled
		}
		for i, r := range reqs {
			if ferr != nil {
				errs[i] = ferr
			}
			r.reply <- errs[i]
		}
	}
	var persisted func()
	if d.cfg.FlushIdle && len(reqs) > 0 {
		persisted = func() { reply(nil) }
	}
	ferr := serr
	if ferr == nil {
		ferr = d.flush(persisted)
	}
	if ferr != nil {
		// The batch's slices stay with the spell until it answers them:
		// no request is taken meanwhile.
		d.waiting = waitingReply{persisted: persisted, reply: func(err error) {
			reply(err)
			clear(reqs)
			d.batch, d.reqErrs = reqs, errs
		}}
		return ferr
	}
	reply(nil)
	fl.arm(d)
	clear(reqs)
	d.batch, d.reqErrs = reqs, errs
	return nil
}

// idle reports whether Config.FlushIdle sends new messages at once: no
// flush sent any within the last FlushDelay.
func (d *Driver) idle() bool {
	return d.cfg.FlushIdle && d.cfg.FlushDelay > 0 && d.clock.Now().Sub(d.lastFlush) >= d.cfg.FlushDelay
}

// flushed counts a Node.Flush that sent something and notes when.
func (d *Driver) flushed() {
	d.stats.flushes.Add(1)
	d.lastFlush = d.clock.Now()
}

// maxBatch bounds the requests one Ready cycle takes (moreRequests).
const maxBatch = 64

// moreRequests appends to reqs the requests already waiting, up to
// maxBatch in all, without blocking: concurrent Appends (one per API
// caller) then share one Ready cycle and one store write instead of
// taking one each.
func (d *Driver) moreRequests(reqs []request) []request {
	for len(reqs) < maxBatch {
		select {
		case r := <-d.reqs:
			reqs = append(reqs, r)
		default:
			return reqs
		}
	}
	return reqs
}

// flushTimer is the pending Node.Flush of the run goroutine (the
// send-on-append path). It is armed when the node has a record waiting for
// its first send and none is armed; it is not pushed back by later appends,
// so a message waits at most FlushDelay.
type flushTimer struct{ t Ticker }

// arm starts the timer if the node has something new to flush, the timer
// is not running and FlushDelay is not 0.
func (f *flushTimer) arm(d *Driver) {
	if f.t != nil || d.cfg.FlushDelay == 0 || !d.node.HasUnsent() {
		return
	}
	f.t = d.clock.NewTimer(d.cfg.FlushDelay)
}

// c returns the timer's channel; nil (never ready) when it is not armed.
func (f *flushTimer) c() <-chan time.Time {
	if f.t == nil {
		return nil
	}
	return f.t.C()
}

func (f *flushTimer) stop() {
	if f.t != nil {
		f.t.Stop()
		f.t = nil
	}
}

// saveConfirms persists the confirmations queued before Stop and the
// pending marks a failed write left.
func (d *Driver) saveConfirms() {
	_, ids := d.inbox.drain()
	if ids = append(append(d.unmarked, d.confs...), ids...); len(ids) > 0 {
		if err := d.store.Delivered(ids); err != nil {
			d.log.Warn("persist confirmations at stop", zap.Error(err))
		}
	}
}

// saveEpoch persists the epoch on a clean stop. The node writes the epoch
// only together with other changes (an idle tick costs no write), so
// without this a restart would resume at the epoch of the last change.
func (d *Driver) saveEpoch() {
	c := mvds.Changes{Epoch: d.node.Epoch(), EpochChanged: true}
	if err := d.store.ApplyReady(c, nil); err != nil {
		d.log.Warn("persist epoch at stop", zap.Error(err))
	}
}
