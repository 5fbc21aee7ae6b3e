package archive

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// connPool is a small fixed-size pool of pgx connections (pgxpool would pull
// in another module). At most size connections exist; idle ones wait in a
// channel. A connection that has failed or was closed is dropped and
// replaced on the next acquire.
type connPool struct {
	cfg    *pgx.ConnConfig
	sem    chan struct{}  // one token per live or dialing connection slot
	idle   chan *pgx.Conn // idle connections, at most size
	mu     sync.Mutex     // guards closed
	done   chan struct{}  // closed by close
	once   sync.Once
	closed bool
}

func newConnPool(cfg *pgx.ConnConfig, size int) *connPool {
	return &connPool{
		cfg:  cfg,
		sem:  make(chan struct{}, size),
		idle: make(chan *pgx.Conn, size),
		done: make(chan struct{}),
	}
}

// acquire returns an idle connection or dials a new one, waiting for a free
// slot while size connections are busy. The caller must release it.
func (p *connPool) acquire(ctx context.Context) (*pgx.Conn, error) {
	select {
	case p.sem <- struct{}{}:
	case <-p.done:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select { // select picks at random among ready cases: check close again
	case <-p.done:
		<-p.sem
		return nil, ErrClosed
	default:
	}
	select {
	case c := <-p.idle:
		return c, nil
	default:
	}
	c, err := pgx.ConnectConfig(ctx, p.cfg)
	if err != nil {
		<-p.sem
		return nil, fmt.Errorf("%w: connect: %w", ErrBackend, err)
	}
	return c, nil
}

// release returns c to the pool; broken connections, and all connections
// after close, are closed instead.
func (p *connPool) release(c *pgx.Conn, broken bool) {
	defer func() { <-p.sem }()
	p.mu.Lock()
	defer p.mu.Unlock()
	if broken || p.closed || c.IsClosed() {
		c.Close(context.Background())
		return
	}
	p.idle <- c // never blocks: at most size connections exist
}

// close stops new acquires and closes the idle connections; busy ones are
// closed when released.
func (p *connPool) close() {
	p.once.Do(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.closed = true
		close(p.done)
		for {
			select {
			case c := <-p.idle:
				c.Close(context.Background())
			default:
				return
			}
		}
	})
}

// with runs fn on a pooled connection.
func (p *connPool) with(ctx context.Context, fn func(c *pgx.Conn) error) error {
	c, err := p.acquire(ctx)
	if err != nil {
		return err
	}
	err = fn(c)
	// A server-side error leaves the connection usable; anything else
	// (network, cancelled context, protocol) may not.
	var pgErr *pgconn.PgError
	p.release(c, err != nil && !errors.As(err, &pgErr))
	return err
}
