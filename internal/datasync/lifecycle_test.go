package datasync

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/statusnode/statusd/lib/testutil"
	mvds "github.com/statusnode/statusd/protocol/datasync"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/datasyncstore"
)

// TestStopLeavesNoGoroutines runs two drivers on the system clock (1 ms
// ticks) and goleveldb, exchanges a message, stops them, and checks that no
// goroutine is left behind. Stop is idempotent; a stopped driver stays
// stopped.
func TestStopLeavesNoGoroutines(t *testing.T) {
	defer goleak.VerifyNone(t, ignoreLevelDB)
	net := newMemNet()
	var ds []*Driver
	var dbs []*storage.LevelDB
	app := &deliveries{}
	for i := 1; i <= 2; i++ {
		db, err := storage.OpenLevelDB(filepath.Join(t.TempDir(), "db"))
		if err != nil {
			t.Fatal(err)
		}
		cfg := DefaultConfig(testPeerID(i))
		cfg.TickInterval = time.Millisecond
		d, err := New(cfg, datasyncstore.New(storage.NewTable(db, datasyncstore.TableName)), endpoint{net, testPeerID(i)}, app.deliver)
		if err != nil {
			t.Fatal(err)
		}
		net.attach(testPeerID(i), d)
		if err := d.Start(); err != nil {
			t.Fatal(err)
		}
		ds, dbs = append(ds, d), append(dbs, db)
	}
	g := groupOf(t, testPeerID(1), testPeerID(2))
	for i, d := range ds {
		if err := d.AddPeer(ctxT(t), g, testPeerID(2-i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ds[0].Append(ctxT(t), g, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, "delivery on the system clock", func() bool { return app.len() == 1 })
	if err := ds[0].Start(); !errors.Is(err, ErrStarted) {
		t.Fatalf("second Start: %v", err)
	}
	for i, d := range ds {
		for k := 0; k < 2; k++ {
			if err := d.Stop(); err != nil {
				t.Fatalf("Stop #%d: %v", k+1, err)
			}
		}
		if err := d.Start(); !errors.Is(err, ErrStopped) {
			t.Fatalf("Start after Stop: %v", err)
		}
		if err := dbs[i].Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStopBeforeStart(t *testing.T) {
	d, err := New(DefaultConfig(testPeerID(1)), nil, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := d.Stop(); err != nil {
		t.Fatal(err)
	}
}

// orderLog records store writes and transport sends in one sequence.
type orderLog struct {
	mu     sync.Mutex
	events []string
}

func (l *orderLog) add(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, fmt.Sprintf(format, args...))
}

type loggingStore struct {
	Store
	name string
	log  *orderLog
}

func (s loggingStore) ApplyReady(c mvds.Changes, d []mvds.Delivery) error {
	for _, m := range c.PutMessages {
		s.log.add("%s persist %s", s.name, m.ID())
	}
	return s.Store.ApplyReady(c, d)
}

type loggingTransport struct {
	Transport
	log *orderLog
}

func (tr loggingTransport) send(p mvds.Payload) {
	for _, id := range p.Acks {
		tr.log.add("ack %s", id)
	}
	for _, m := range p.Messages {
		tr.log.add("send %s", m.ID())
	}
}

// TestPersistBeforeSend: a message is durable before it is first sent, and
// before the ACK for it leaves the receiver.
func TestPersistBeforeSend(t *testing.T) {
	net := newMemNet()
	log := &orderLog{}
	wrap := func(name string) func(Store) Store {
		return func(s Store) Store { return loggingStore{Store: s, name: name, log: log} }
	}
	a := newPeerWith(t, net, testPeerID(1), "", wrap("a"))
	b := newPeerWith(t, net, testPeerID(2), "", wrap("b"))
	net.drop = func(_, _ mvds.PeerID, data []byte) bool {
		p, err := mvds.DecodePayload(data, mvds.DefaultLimits())
		if err != nil {
			t.Error(err)
		}
		loggingTransport{log: log}.send(p)
		return false
	}
	g := connect(t, a, b)
	var ids []mvds.MessageID
	for i := 0; i < 3; i++ {
		id, err := a.d.Append(ctxT(t), g, []byte(fmt.Sprint(i)))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	runUntil(t, 10, "acknowledged", func() bool { return outstanding(t, a) == 0 }, a, b)
	log.mu.Lock()
	defer log.mu.Unlock()
	for _, id := range ids {
		first := map[string]int{}
		for i, e := range log.events {
			if strings.HasSuffix(e, id.String()) {
				if _, ok := first[e]; !ok {
					first[e] = i
				}
			}
		}
		want := []string{"a persist ", "send ", "b persist ", "ack "}
		for i := range want {
			if _, ok := first[want[i]+id.String()]; !ok {
				t.Fatalf("no %q event for %s", want[i], id)
			}
			if i > 0 && first[want[i-1]+id.String()] > first[want[i]+id.String()] {
				t.Fatalf("%s: %q happened after %q", id, want[i-1], want[i])
			}
		}
	}
}
