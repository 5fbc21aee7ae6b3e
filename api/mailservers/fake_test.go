package mailservers

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/storage"
	store "github.com/statusnode/statusd/storage/mailservers"
)

// brokenKV is a storage.KV over memory that fails every operation while
// broken is set (a full disk, say).
type brokenKV struct {
	storage.KV
	mu     sync.Mutex
	broken bool
}

var errDisk = errors.New("storage: disk full")

func (k *brokenKV) fail() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.broken {
		return errDisk
	}
	return nil
}

func (k *brokenKV) Get(key []byte) ([]byte, error) {
	if err := k.fail(); err != nil {
		return nil, err
	}
	return k.KV.Get(key)
}

func (k *brokenKV) Put(key, value []byte) error {
	if err := k.fail(); err != nil {
		return err
	}
	return k.KV.Put(key, value)
}

func (k *brokenKV) Delete(key []byte) error {
	if err := k.fail(); err != nil {
		return err
	}
	return k.KV.Delete(key)
}

func (k *brokenKV) Write(b *storage.Batch) error {
	if err := k.fail(); err != nil {
		return err
	}
	return k.KV.Write(b)
}

func (k *brokenKV) Iterate(prefix, start []byte, fn func(key, value []byte) error) error {
	if err := k.fail(); err != nil {
		return err
	}
	return k.KV.Iterate(prefix, start, fn)
}

// fakePinger answers from a table of ip:port → outcome, and fails the
// test for any other address: nothing is dialled.
type fakePinger struct {
	t        *testing.T
	outcomes map[string]pingOutcome

	mu     sync.Mutex
	pinged []string
}

type pingOutcome struct {
	rtt time.Duration
	err error
}

func (p *fakePinger) Ping(ctx context.Context, addr string, timeout time.Duration) (time.Duration, error) {
	p.mu.Lock()
	p.pinged = append(p.pinged, addr)
	p.mu.Unlock()
	o, ok := p.outcomes[addr]
	if !ok {
		p.t.Errorf("ping of unexpected address %s", addr)
		return 0, errors.New("unexpected address")
	}
	return o.rtt, o.err
}

// The fake's addresses: ms1 answers in 12.7 ms, ms2 in 0.4 ms (reported
// as null, as status-go), ms3 times out, ms4 refuses.
var fakeOutcomes = map[string]pingOutcome{
	"127.0.0.1:30504": {rtt: 12700 * time.Microsecond},
	"127.0.0.1:30505": {rtt: 400 * time.Microsecond},
	"127.0.0.1:30506": {err: fmt.Errorf("tcp check timeout: %w", context.DeadlineExceeded)},
	"127.0.0.1:30507": {err: errors.New("unable to connect: dial tcp 127.0.0.1:30507: connect: connection refused")},
}

func newFakeServer(t *testing.T) (*rpc.Server, *brokenKV, *fakePinger) {
	t.Helper()
	kv := &brokenKV{KV: storage.NewMemory()}
	p := &fakePinger{t: t, outcomes: fakeOutcomes}
	srv := rpc.NewServer()
	if err := srv.RegisterName("mailservers", New(store.New(kv), p).API()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv, kv, p
}
