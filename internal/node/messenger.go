package node

import (
	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/internal/messenger/whisperadapter"
)

// lightKDFIterations is the session-store PBKDF2 count with --lightkdf
// (tests); otherwise storage/sessions' default applies.
const lightKDFIterations = 1024

// startMessenger creates the messenger over the node's database and
// Whisper router, with the account key as its identity, and starts it
// before devp2p so that its filters (and the bloom they widen) are in place
// when the first peer connects. The adapter is pushed first so that, on
// the way down, the messenger stops before the adapter, the adapter before
// Whisper, and all of them before the database closes.
func (n *Node) startMessenger() error {
	tr := whisperadapter.New(n.whisper, n.account.PrivateKey, whisperadapter.Config{Logger: n.log, Now: n.clock.Now})
	if err := tr.Start(); err != nil {
		return err
	}
	n.stack.push("whisper adapter", tr.Stop)
	cfg := messenger.Config{
		Identity:      n.account.PrivateKey,
		StorePassword: []byte(n.opts.Password),
		Name:          "statusd",
		Logger:        n.log,
		Metrics:       n.metrics,
		Now:           n.clock.Now,
	}
	if n.cfg.LightKDF {
		cfg.KDFIterations = lightKDFIterations
	}
	m, err := messenger.New(cfg, n.db, tr)
	if err != nil {
		return err
	}
	if err := m.Start(); err != nil {
		return err
	}
	n.messenger = m
	n.stack.push("messenger", m.Stop)
	return nil
}

// Messenger is the application layer; valid between Start and Stop.
func (n *Node) Messenger() *messenger.Messenger { return n.messenger }
