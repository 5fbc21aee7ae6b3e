package mailserver

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/lib/eventbus"
	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver"
	"github.com/statusnode/statusd/transport/whisper"
)

// Enode URLs of the fake's mailservers: ms1 and ms2 are configured (in
// that order), ms3 is not.
const (
	ms1URL = "enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304"
	ms2URL = "enode://6f8a80d14311c39f35f516fa664deaaaa13e85b2f7493f37f6144d86991ec012937307647bd3b9a82abe2974e1407241d54947bbb39763a4cac9f77166ad92a0@127.0.0.1:30305"
	ms3URL = "enode://4f355bdcb7cc0af728ef3cceb9615d90684bb5b2ca5f859ab0f0b704075871aa385b6b1b8ead809ca67454d9683fcf2ba03456d6fe2c4abe2b07f0fbdbb2f1c1@127.0.0.1:30306"
)

// reply is what the fake answers one Request.
type reply struct {
	notSent bool // fail before the request leaves (p.Sent not called)
	res     *mailserver.Result
	err     error
}

// fakeClient is a hand-written Client: topic bookkeeping in maps, requests
// answered from per-mailserver scripts (replies, consumed in order; an
// empty script completes with no cursor), events published by the test.
type fakeClient struct {
	servers []*enode.Node
	bus     *eventbus.Bus[mailserver.Event]

	mu       sync.Mutex
	covered  map[wproto.Topic][]mailserver.Range
	tracked  []wproto.Topic
	replies  map[enode.ID][]reply
	requests []string // "<peer>:<lower>-<upper>:<topics>"
	fills    []string
	fillErr  map[enode.ID]error
	// fillGate, when set, holds every FillGaps after it is recorded until
	// the gate closes or the fill's ctx ends; fillEnded then receives the
	// fill's ctx.Err().
	fillGate  chan struct{}
	fillEnded chan error
	trackErr  error
	n         byte // request IDs are 0x…01, 0x…02, …
}

var _ Client = (*fakeClient)(nil)

func newFakeClient() *fakeClient {
	return &fakeClient{
		servers: []*enode.Node{enode.MustParse(ms1URL), enode.MustParse(ms2URL)},
		bus:     eventbus.New[mailserver.Event](16),
		covered: map[wproto.Topic][]mailserver.Range{
			{0xcd, 0x42, 0x37, 0x60}: {{From: 1699990000, To: 1699995000}, {From: 1700000000, To: 1700050000}},
		},
		replies: map[enode.ID][]reply{},
		fillErr: map[enode.ID]error{},
	}
}

func (f *fakeClient) script(url string, rs ...reply) {
	f.mu.Lock()
	defer f.mu.Unlock()
	id := enode.MustParse(url).ID()
	f.replies[id] = append(f.replies[id], rs...)
}

func (f *fakeClient) Request(ctx context.Context, peer *enode.Node, p mailserver.RequestParams) (*mailserver.Result, error) {
	f.mu.Lock()
	f.requests = append(f.requests, fmt.Sprintf("%s:%d-%d:%v:limit=%d:cursor=%v:sym=%t:timeout=%v",
		peer.ID().TerminalString(), p.Lower, p.Upper, p.Topics, p.Limit, p.Cursor, p.SymKey != nil, p.Timeout))
	r := reply{res: &mailserver.Result{}}
	if rs := f.replies[peer.ID()]; len(rs) > 0 {
		r, f.replies[peer.ID()] = rs[0], rs[1:]
	}
	f.n++
	id := common.BytesToHash([]byte{f.n})
	f.mu.Unlock()
	if !r.notSent && p.Sent != nil {
		p.Sent(id)
	}
	if r.res != nil {
		r.res.RequestIDs = []common.Hash{id}
	}
	return r.res, r.err
}

func (f *fakeClient) Mailservers() []*enode.Node { return f.servers }

func (f *fakeClient) Covered(t wproto.Topic) ([]mailserver.Range, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mailserver.Range{}, f.covered[t]...), nil
}

// Gaps is [from, to] minus the covered ranges (which are sorted).
func (f *fakeClient) Gaps(t wproto.Topic, from, to uint32) ([]mailserver.Range, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := []mailserver.Range{}
	for _, c := range f.covered[t] {
		if c.To < from || c.From > to {
			continue
		}
		if c.From > from {
			out = append(out, mailserver.Range{From: from, To: c.From - 1})
		}
		from = c.To + 1
	}
	if from <= to {
		out = append(out, mailserver.Range{From: from, To: to})
	}
	return out, nil
}

func (f *fakeClient) FillGaps(ctx context.Context, peer *enode.Node, topics []wproto.Topic, from, to uint32) error {
	f.mu.Lock()
	f.fills = append(f.fills, fmt.Sprintf("%s:%v:%d-%d", peer.ID().TerminalString(), topics, from, to))
	gate, ended, err := f.fillGate, f.fillEnded, f.fillErr[peer.ID()]
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
		}
		ended <- ctx.Err()
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return err
}

func (f *fakeClient) fillCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.fills)
}

func (f *fakeClient) Track(topics ...wproto.Topic) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.trackErr != nil {
		return f.trackErr
	}
	f.tracked = append(f.tracked, topics...)
	return nil
}

func (f *fakeClient) Tracked() ([]wproto.Topic, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]wproto.Topic{}, f.tracked...), nil
}

func (f *fakeClient) Subscribe(capacity int) *mailserver.Subscription {
	return f.bus.Subscribe(capacity)
}

// fakeKeys is a SymKeys with one key, "mailkey".
type fakeKeys struct{}

func (fakeKeys) SymKey(id string) (wproto.SymKey, error) {
	if id != "mailkey" {
		return wproto.SymKey{}, fmt.Errorf("%w: symmetric key %s", whisper.ErrKeyNotFound, id)
	}
	return wproto.SymKey{1, 2, 3}, nil
}

// shhext is how the node exposes Service's two shhext_ methods.
type shhext struct{ s *Service }

func (e shhext) RequestMessages(ctx context.Context, r MessagesRequest) (hexutil.Bytes, error) {
	return e.s.RequestMessages(ctx, r)
}

func (e shhext) RequestMessagesSync(ctx context.Context, conf RetryConfig, r MessagesRequest) (MessagesResponse, error) {
	return e.s.RequestMessagesSync(ctx, conf, r)
}

// now is the fake clock: 1700086400 is 2023-11-15T22:13:20Z.
func now() time.Time { return time.Unix(1700086400, 0) }

// newFakeServer registers "mailserver" and the two shhext_ methods over a
// fake client on an in-process server; all is stopped when t ends.
func newFakeServer(t *testing.T) (*rpc.Server, *fakeClient, *Service) {
	t.Helper()
	c := newFakeClient()
	svc := New(c, fakeKeys{}, Config{Now: now})
	srv := rpc.NewServer()
	if err := srv.RegisterName("mailserver", svc.API()); err != nil {
		t.Fatal(err)
	}
	if err := srv.RegisterName("shhext", shhext{svc}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Stop(); svc.Close() })
	return srv, c, svc
}

func cursor(time uint32, b byte) *msproto.Cursor {
	return &msproto.Cursor{Time: time, Hash: common.Hash{b}}
}
