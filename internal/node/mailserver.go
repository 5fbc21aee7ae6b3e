package node

import (
	"context"
	"encoding/hex"
	"path/filepath"
	"strings"
	"time"

	"github.com/statusnode/statusd/internal/identity"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/transport/devp2p"
	"github.com/statusnode/statusd/transport/mailserver"
	"github.com/statusnode/statusd/transport/mailserver/archive"
)

// startMailserver opens the archive and starts the server role when
// [mailserver] enabled is set, always starts the client role, and installs
// the router's envelope hook for both. It runs after the router started
// and before devp2p, so the code-126 handler is in place before any peer.
func (n *Node) startMailserver() error {
	mc := n.cfg.Mailserver // validated by config.Validate
	key, _, err := identity.LoadOrCreateNodeKey(filepath.Join(n.cfg.DataDir, "nodekey"))
	if err != nil {
		return err
	}
	var srv *mailserver.Server
	if mc.Enabled {
		arch, err := n.openArchive(mc.DB)
		if err != nil {
			return err
		}
		n.stack.push("mailserver archive", arch.Close)
		retention, _ := time.ParseDuration(mc.Retention)
		srv, err = mailserver.NewServer(mailserver.ServerConfig{
			Archive: arch, NodeKey: key, Password: mc.Password, Topics: parseTopics(mc.Topics),
			Retention: retention, RateLimit: mc.RateLimit, Now: n.clock.Now,
		}, n.whisper, n.log, n.metrics)
		if err != nil {
			return err
		}
		if err := srv.Start(); err != nil {
			return err
		}
		n.stack.push("mailserver", srv.Stop)
	}
	servers, err := devp2p.ParseNodes(n.peers.mail)
	if err != nil {
		return err
	}
	timeout, _ := time.ParseDuration(mc.Timeout)
	cli, err := mailserver.NewClient(mailserver.ClientConfig{
		NodeKey: key, Store: storage.NewTable(n.db, mailserver.TableName),
		Mailservers: servers, Timeout: timeout, Backfill: mc.Backfill, Now: n.clock.Now,
		Settle: n.settle,
	}, n.whisper, n.log)
	if err != nil {
		return err
	}
	if err := cli.Start(); err != nil {
		return err
	}
	n.stack.push("mailserver client", cli.Stop)
	n.whisper.SetEnvelopeHook(mailserver.EnvelopeHook(srv, cli))
	n.mailserver, n.mailclient = srv, cli
	return nil
}

// settle is the mailserver client's barrier (ClientConfig.Settle): it
// returns once every envelope the router accepted before the call has
// reached the filters (whisper.Whisper.Settle) and the messenger has
// handled and written every message those filters handed it
// (messenger.Messenger.Settle). Before the messenger starts no filter of
// its exists, so the router's part is all; once it stopped, Settle fails
// and the client records nothing.
func (n *Node) settle(ctx context.Context) error {
	if err := n.whisper.Settle(ctx); err != nil {
		return err
	}
	if m := n.settled.Load(); m != nil {
		return m.Settle(ctx)
	}
	return nil
}

// startSelection lets the mailserver client choose among its mailservers
// ([mailserver] servers, then the fleet's) and keep the chosen one
// connected; it needs devp2p running. The client's Stop ends it.
func (n *Node) startSelection() error {
	return n.mailclient.StartSelection(n.p2p)
}

func (n *Node) openArchive(dsn string) (archive.Archive, error) {
	if dsn == "" {
		return archive.OpenLevelDB(filepath.Join(n.cfg.DataDir, "mailserver"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return archive.OpenPostgres(ctx, dsn, archive.PostgresOptions{})
}

// parseTopics reads validated 4-byte hex topics.
func parseTopics(list []string) []wproto.Topic {
	out := make([]wproto.Topic, 0, len(list))
	for _, s := range list {
		b, _ := hex.DecodeString(strings.TrimPrefix(s, "0x"))
		out = append(out, wproto.Topic(b))
	}
	return out
}

// Mailserver is the server role, nil unless enabled; valid between Start
// and Stop.
func (n *Node) Mailserver() *mailserver.Server { return n.mailserver }

// MailClient is the mailserver client role; valid between Start and Stop.
func (n *Node) MailClient() *mailserver.Client { return n.mailclient }
