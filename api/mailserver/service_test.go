package mailserver

import (
	"context"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/goleak"
)

// TestClosedServiceIsUnavailable: after Close, requests and subscriptions
// are refused with -32000 "service unavailable", and Close is idempotent
// and leaves no goroutine behind.
func TestClosedServiceIsUnavailable(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	srv, _, svc := newFakeServer(t)
	c := rpc.DialInProc(srv)
	defer c.Close()
	ch := make(chan Event, 1)
	sub, err := c.Subscribe(context.Background(), "mailserver", ch, "events")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	if err := svc.Close(); err != nil {
		t.Fatal(err)
	}
	svc.Close()
	var rerr rpc.Error
	_, err = svc.RequestMessages(context.Background(), MessagesRequest{MailServerPeer: ms3URL, Topics: []string{"0x01020304"}})
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 || err.Error() != "service unavailable: mailserver: RPC service closed" {
		t.Fatalf("request after close: %v", err)
	}
	_, err = c.Subscribe(context.Background(), "mailserver", ch, "events")
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 {
		t.Fatalf("subscribe after close: %v", err)
	}
}

// TestRequestMessagesGivesUpWithTheCaller: a request that cannot be sent
// before the caller's context ends answers the context's error.
func TestRequestMessagesGivesUpWithTheCaller(t *testing.T) {
	_, c, svc := newFakeServer(t)
	c.script(ms3URL, reply{notSent: true, err: errors.New("never")})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := svc.RequestMessages(ctx, MessagesRequest{MailServerPeer: ms3URL, Topics: []string{"0x01020304"}})
	if err == nil {
		t.Fatal("no error")
	}
}
