package mailserver

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/lib/testutil"
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

// TestFillGapsOutlivesTheCaller: a caller that gives up while its gap fill
// runs (disconnect, call timeout) gets its context's error at once, but
// the fill goes on with a live context to the end; only Close cancels a
// fill still running.
func TestFillGapsOutlivesTheCaller(t *testing.T) {
	_, c, svc := newFakeServer(t)
	c.fillGate, c.fillEnded = make(chan struct{}), make(chan error, 2)
	ctx, cancel := context.WithCancel(context.Background())
	returned := make(chan error, 1)
	go func() {
		_, err := svc.API().FillGaps(ctx, FillGapsRequest{MailServerPeer: ms1URL, Topics: []string{"0xcd423760"}})
		returned <- err
	}()
	testutil.WaitFor(t, 5*time.Second, "the fill to start", func() bool { return c.fillCount() == 1 })
	cancel()
	select {
	case err := <-returned:
		if err == nil {
			t.Fatal("the call ended by its caller succeeded")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the call did not return when its caller left")
	}
	close(c.fillGate)
	if err := <-c.fillEnded; err != nil {
		t.Fatalf("the fill saw its context end with the caller: %v", err)
	}

	c.fillGate = make(chan struct{})
	go func() {
		_, err := svc.API().FillGaps(context.Background(), FillGapsRequest{MailServerPeer: ms1URL, Topics: []string{"0xcd423760"}})
		returned <- err
	}()
	testutil.WaitFor(t, 5*time.Second, "the second fill to start", func() bool { return c.fillCount() == 2 })
	svc.Close()
	if err := <-c.fillEnded; !errors.Is(err, context.Canceled) {
		t.Fatalf("Close left the fill running: %v", err)
	}
	if err := <-returned; err == nil {
		t.Fatal("a fill cut short by Close succeeded")
	}
}
