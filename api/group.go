package api

import (
	"net/http"
	"sync"
	"time"
)

// group tracks the goroutines that serve sessions (HTTP requests, WebSocket
// sessions, IPC connections) so that Stop can wait for all of them. Once
// closed it admits nobody, which keeps WaitGroup.Add from racing with Wait.
type group struct {
	mu     sync.Mutex
	closed bool
	quit   chan struct{} // closed by closeAndWait; made lazily
	wg     sync.WaitGroup
}

// enter admits one goroutine; false once the group is closed.
func (g *group) enter() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.wg.Add(1)
	return true
}

// leave is called by an admitted goroutine when it is done.
func (g *group) leave() { g.wg.Done() }

// closeAndWait admits nobody more and waits for every admitted goroutine.
func (g *group) closeAndWait() {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		close(g.quitLocked())
	}
	g.mu.Unlock()
	g.wg.Wait()
}

func (g *group) quitLocked() chan struct{} {
	if g.quit == nil {
		g.quit = make(chan struct{})
	}
	return g.quit
}

// sleep waits for d, or until the group is closed; false if it was closed.
func (g *group) sleep(d time.Duration) bool {
	g.mu.Lock()
	quit := g.quitLocked()
	g.mu.Unlock()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-quit:
		return false
	}
}

// wrap runs h inside the group; once the group is closed it answers 503.
func (g *group) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.enter() {
			writeHTTPError(w, http.StatusServiceUnavailable, CodeServer, "server is shutting down")
			return
		}
		defer g.leave()
		h.ServeHTTP(w, r)
	})
}
