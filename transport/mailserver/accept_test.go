package mailserver

import (
	"context"
	"crypto/rand"
	"fmt"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver/archive"
)

// gatedArchive is an archive whose Put waits until open is closed.
type gatedArchive struct {
	archive.Archive
	open chan struct{}
}

func (g *gatedArchive) Put(ctx context.Context, arrived time.Time, envs ...*wproto.Envelope) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.Archive.Put(ctx, arrived, envs...)
}

// TestAcceptWaitsForTheArchive: a burst larger than the archive queue,
// arriving while the archive is stalled, is archived whole once the
// archive catches up: Accept waits for room instead of dropping.
func TestAcceptWaitsForTheArchive(t *testing.T) {
	n := newNode(t, "mailserver")
	arch := &gatedArchive{Archive: archive.NewMemory(), open: make(chan struct{})}
	srv, err := NewServer(ServerConfig{Archive: arch, NodeKey: n.key, QueueSize: 1}, n.w, zaptest.NewLogger(t), n.reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	const burst = 200 // the queue holds 64 (QueueSize × 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range burst {
			env, err := wproto.Wrap(&wproto.MessageParams{TTL: 10, KeySym: &key, Topic: wproto.TopicFromName("status"), Payload: []byte(fmt.Sprint(i))}, time.Now(), rand.Reader)
			if err != nil {
				t.Error(err)
				return
			}
			srv.Accept(env, time.Now())
		}
	}()
	testutil.WaitFor(t, 5*time.Second, "the queue to fill", func() bool {
		select {
		case <-done: // every Accept returned (they must not have dropped)
			return true
		default:
			return len(srv.incoming) == cap(srv.incoming)
		}
	})
	close(arch.open)
	<-done
	testutil.WaitFor(t, 10*time.Second, "the whole burst archived", func() bool {
		c, err := arch.Count(context.Background())
		return err == nil && c == burst
	})
}

// TestCaughtUpWaitsForQueuedEnvelopes: once caughtUp returns, every
// envelope accepted before it is in the archive, so the page a request
// reads next cannot miss one that is archived later under an earlier time.
func TestCaughtUpWaitsForQueuedEnvelopes(t *testing.T) {
	n := newNode(t, "mailserver")
	arch := &gatedArchive{Archive: archive.NewMemory(), open: make(chan struct{})}
	srv, err := NewServer(ServerConfig{Archive: arch, NodeKey: n.key}, n.w, zaptest.NewLogger(t), n.reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop() })
	key, err := wproto.SymKeyFromPassword("status")
	if err != nil {
		t.Fatal(err)
	}
	const queued = 700 // more than one archive batch (512)
	for i := range queued {
		env, err := wproto.Wrap(&wproto.MessageParams{TTL: 10, KeySym: &key, Topic: wproto.TopicFromName("status"), Payload: []byte(fmt.Sprint(i))}, time.Now(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		srv.Accept(env, time.Now())
	}
	done := make(chan error, 1)
	go func() { done <- srv.caughtUp(context.Background()) }()
	close(arch.open)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if c, err := arch.Count(context.Background()); err != nil || c != queued {
		t.Fatalf("archived %d (%v) when caughtUp returned, want %d", c, err, queued)
	}
}
