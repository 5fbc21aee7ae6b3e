package shhext

import (
	"sync"

	"github.com/statusnode/statusd/api/shh"
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/transport/whisper"
)

// Service owns both namespaces and the subscription goroutines. Register
// ShhExt() under "shhext" and Statusd() under "statusd"; call Close after
// the RPC server has stopped.
type Service struct {
	core *core
}

// core is what both namespaces share.
type core struct {
	m    *messenger.Messenger
	w    *whisper.Whisper
	shh  *shh.API // shhext_post is shh_post
	keys symKeys  // loadFilters' symKeyIds
	mail mailRef  // shhext_requestMessages(Sync); see mailserver.go

	mu     sync.Mutex // guards closed and wg.Add
	closed bool
	quit   chan struct{}
	wg     sync.WaitGroup // subscription goroutines
}

// New returns the namespaces over a started messenger and the router it
// uses (the router answers shhext_post, the symKeyId of loadFilters and
// the peer events).
func New(m *messenger.Messenger, w *whisper.Whisper) *Service {
	return &Service{core: &core{m: m, w: w, shh: shh.New(w, shh.Config{}).API(), quit: make(chan struct{})}}
}

// ShhExt is the value to register under "shhext".
func (s *Service) ShhExt() *ShhExtAPI { return &ShhExtAPI{c: s.core} }

// Statusd is the value to register under "statusd".
func (s *Service) Statusd() *StatusdAPI { return &StatusdAPI{c: s.core} }

// Close ends every subscription and waits for their goroutines.
// Idempotent.
func (s *Service) Close() error {
	c := s.core
	c.mu.Lock()
	if !c.closed {
		c.closed = true
		close(c.quit)
	}
	c.mu.Unlock()
	c.wg.Wait()
	return nil
}

// ShhExtAPI is the "shhext" namespace (docs/PROTOCOL.md §7.1–7.2). Every
// exported method is a JSON-RPC method shhext_<lowerCamelName>; all are
// safe for concurrent use. Sending methods block until the message is
// stored and handed to Whisper (public) or MVDS (1:1, group); none waits
// for the network.
type ShhExtAPI struct{ c *core }

// StatusdAPI is the "statusd" namespace: a friendlier API over the
// messenger for scripts and new frontends. Results use the messenger's
// JSON shapes (snake_case). Every exported method is a JSON-RPC method
// statusd_<lowerCamelName>; all are safe for concurrent use.
type StatusdAPI struct{ c *core }
