package mailserver

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"go.uber.org/zap"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
)

// ErrNotSettled is wrapped when ClientConfig.Settle failed, so that the
// client did not record what it was about to record (a time range as
// covered, envelopes as seen).
var ErrNotSettled = errors.New("mailserver: delivered envelopes not settled")

// settle waits on ClientConfig.Settle (nil: no wait) and then syncs the
// client's store (storage.Sync). Every write of a covered range or of seen
// hashes waits on it first: Settle returns once everything the router
// delivered to filters before the call has been handled by its consumer
// and written, and the sync makes those writes durable — the consumer's
// store shares the client's database, and one synced journal write makes
// every earlier write of it survive a power loss. So neither a killed
// process nor a power loss right after the write loses anything that the
// write marks as handled: without the sync, the range could reach the
// disk while the messages it stands for did not. On failure the caller
// writes nothing: fetching an envelope twice later is harmless, never
// fetching it again is a loss.
func (c *Client) settle(ctx context.Context) error {
	if c.cfg.Settle != nil {
		if err := c.cfg.Settle(ctx); err != nil {
			return fmt.Errorf("%w: %w", ErrNotSettled, err)
		}
	}
	if err := storage.Sync(c.cfg.Store); err != nil {
		return fmt.Errorf("mailserver: sync before recording: %w", err)
	}
	return nil
}

// coverSettled records r as covered for every topic once settle returned.
func (c *Client) coverSettled(ctx context.Context, topics []wproto.Topic, r Range) error {
	if err := c.settle(ctx); err != nil {
		return err
	}
	return c.cover(topics, r)
}

// pageCovers records the progress of one request that follows cursors
// (send) on a goroutine of its own, so that the request asks for its next
// page while the pages before are still being handled: each page leaves a
// range [Lower, cursor time − 1], each contains the one before, so only
// the latest range not yet recorded is kept. The goroutine settles and
// then covers it, on the client's lifetime rather than the request's (a
// request whose context ended still records the pages it completed). The
// request's goroutine owns it: finish ends it and waits.
type pageCovers struct {
	c      *Client
	topics []wproto.Topic
	wake   chan struct{} // capacity 1
	done   chan struct{} // closed when run returns

	mu     sync.Mutex
	next   *Range // latest range not yet taken; guarded by mu
	closed bool   // finish was called; guarded by mu
}

func (c *Client) startPageCovers(topics []wproto.Topic) *pageCovers {
	p := &pageCovers{c: c, topics: topics, wake: make(chan struct{}, 1), done: make(chan struct{})}
	go p.run()
	return p
}

// add hands over the range a completed page leaves; it never blocks.
func (p *pageCovers) add(r Range) {
	p.mu.Lock()
	p.next = &r
	p.mu.Unlock()
	p.signal()
}

func (p *pageCovers) signal() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// finish records the range handed over last, if not yet recorded, and
// ends the goroutine; it waits for both.
func (p *pageCovers) finish() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.signal()
	<-p.done
}

func (p *pageCovers) run() {
	defer close(p.done)
	for range p.wake {
		p.mu.Lock()
		r, closed := p.next, p.closed
		p.next = nil
		p.mu.Unlock()
		if r != nil {
			if err := p.c.coverSettled(p.c.ctx, p.topics, *r); err != nil {
				p.c.log.Info("page range not recorded", zap.Uint32("from", r.From), zap.Uint32("to", r.To), zap.Error(err))
			}
		}
		if closed {
			return
		}
	}
}
