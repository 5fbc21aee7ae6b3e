package rpctest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"
)

// toy is a service with a call and a subscription that pushes what the
// test hands it.
type toy struct{ ch chan int }

func (t *toy) Echo(s string) string { return s }

func (t *toy) Numbers(ctx context.Context) (*rpc.Subscription, error) {
	n, _ := rpc.NotifierFromContext(ctx)
	sub := n.CreateSubscription()
	go func() {
		for {
			select {
			case v := <-t.ch:
				n.Notify(sub.ID, v)
			case <-sub.Err():
				return
			}
		}
	}()
	return sub, nil
}

func newToy(t *testing.T) (*rpc.Server, map[string]func()) {
	ty := &toy{ch: make(chan int)}
	srv := rpc.NewServer()
	if err := srv.RegisterName("toy", ty); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv, map[string]func(){"push 7": func() { ty.ch <- 7 }}
}

// TestReplay: requests, answers, $SUBn placeholders and actions.
func TestReplay(t *testing.T) {
	srv, actions := newToy(t)
	Replay(t, srv, "testdata/toy.js", actions)
}

// TestRecord: with UPDATE_TRANSCRIPTS=1 the "<--" lines are rewritten
// with the answers, and the result replays.
func TestRecord(t *testing.T) {
	want, err := os.ReadFile("testdata/toy.js")
	if err != nil {
		t.Fatal(err)
	}
	var blank []string
	for _, l := range strings.Split(string(want), "\n") {
		if strings.HasPrefix(l, "<-- ") {
			l = "<-- "
		}
		blank = append(blank, l)
	}
	path := filepath.Join(t.TempDir(), "toy.js")
	if err := os.WriteFile(path, []byte(strings.Join(blank, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("UPDATE_TRANSCRIPTS", "1")
	srv, actions := newToy(t)
	Replay(t, srv, path, actions)
	got, err := os.ReadFile(path)
	if err != nil || string(got) != string(want) {
		t.Fatalf("recorded %q (%v), want %q", got, err, want)
	}
}
