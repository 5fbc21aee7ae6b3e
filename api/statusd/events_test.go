package statusd

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/goleak"

	"github.com/statusnode/statusd/internal/messenger"
)

// TestEventsLostAreReported: events that do not fit a slow subscriber's
// queue are dropped, and the subscriber is told how many with an
// events.lost notification before the next event; nothing is lost from
// the count.
func TestEventsLostAreReported(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	srv, m, _, _ := newFakeServer(t)
	c := rpc.DialInProc(srv)
	defer c.Close()
	ch := make(chan Event, 4096)
	sub, err := c.Subscribe(context.Background(), "statusd", ch, "events")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	const total = 3000 // the queue holds 1024
	for i := 0; i < total; i++ {
		m.bus.Publish(messenger.DroppedEvent{Reason: "r"})
	}
	var got, lost uint64
	deadline := time.After(10 * time.Second)
	for got+lost < total {
		select {
		case ev := <-ch:
			if ev.Type == EventLost {
				n, _ := ev.Event.(map[string]any)["count"].(float64)
				lost += uint64(n)
			} else {
				got++
			}
		case <-deadline:
			t.Fatalf("got %d events and %d lost of %d", got, lost, total)
		}
	}
	if got+lost != total {
		t.Fatalf("got %d events and %d lost, want %d in all", got, lost, total)
	}
}

// TestEventsEnd: a subscription ends when the messenger's event stream
// closes, and after Close statusd_subscribe is refused with -32000.
func TestEventsEnd(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	srv, m, _, svc := newFakeServer(t)
	c := rpc.DialInProc(srv)
	defer c.Close()
	ch := make(chan Event, 1)
	sub, err := c.Subscribe(context.Background(), "statusd", ch, "events")
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	m.bus.Close()
	done := make(chan struct{})
	go func() { svc.wg.Wait(); close(done) }() // the forwarder is the only goroutine
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the subscription did not end with the messenger's events")
	}
	svc.Close()
	svc.Close()
	_, err = c.Subscribe(context.Background(), "statusd", ch, "events")
	var rerr rpc.Error
	if !errors.As(err, &rerr) || rerr.ErrorCode() != -32000 || err.Error() != "service unavailable: messenger: stopped" {
		t.Fatalf("subscribe after close: %v", err)
	}
}

// TestStoreEventsForwarded: the messenger's store failure and recovery
// reach statusd_subscribe("events") as store.failed and store.recovered,
// types a filter may name.
func TestStoreEventsForwarded(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	srv, m, _, _ := newFakeServer(t)
	c := rpc.DialInProc(srv)
	defer c.Close()
	ch := make(chan Event, 16)
	sub, err := c.Subscribe(context.Background(), "statusd", ch, "events",
		EventsFilter{Types: []string{EventStoreFailed, EventStoreRecovered}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Unsubscribe()
	m.bus.Publish(messenger.DroppedEvent{Reason: "r"}) // filtered out
	m.bus.Publish(messenger.StoreFailedEvent{Store: messenger.StoreDataSync, Error: "disk full", Waiting: 7})
	m.bus.Publish(messenger.StoreRecoveredEvent{Store: messenger.StoreRecords, Tries: 3, Lost: 2})
	want := []struct {
		typ   string
		field string
		value any
	}{{EventStoreFailed, "store", "datasync"}, {EventStoreFailed, "error", "disk full"}, {EventStoreFailed, "waiting", 7.0},
		{EventStoreRecovered, "store", "records"}, {EventStoreRecovered, "tries", 3.0}, {EventStoreRecovered, "lost", 2.0}}
	var got []Event
	for len(got) < 2 {
		select {
		case ev := <-ch:
			got = append(got, ev)
		case <-time.After(10 * time.Second):
			t.Fatalf("got %+v", got)
		}
	}
	for _, w := range want {
		i := 0
		if w.typ == EventStoreRecovered {
			i = 1
		}
		if got[i].Type != w.typ || got[i].Event.(map[string]any)[w.field] != w.value {
			t.Fatalf("event %d: %+v, want %s with %s=%v", i, got[i], w.typ, w.field, w.value)
		}
	}
}
