package shh

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/rpc"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// Sealing bounds of shh_post.
const (
	// defaultPowTime is the sealing time allowed when powTime is 0.
	defaultPowTime = 5 * time.Second
	// MaxPowTime is the longest sealing a call may ask for, in seconds.
	MaxPowTime = 30
	// MaxPowTarget is the highest PoW a call may ask for: far beyond what
	// the network used (Status 0.002, go-ethereum's default 0.2), reached
	// for a 1 KiB envelope living 50 s in about 2^22 hashes.
	MaxPowTarget = 100
	// MaxPollBytes bounds one shh_getFilterMessages answer (message
	// plaintexts plus an allowance each); the rest come with the next poll.
	MaxPollBytes = 8 << 20
)

// Post is shh_post: build, sign, encrypt and seal a message, then send it
// to every peer, or to targetPeer alone as a P2P message. It returns the
// envelope hash. It blocks while sealing (up to powTime seconds, 5 if 0),
// and stops sealing when the caller's connection closes or the node stops.
// The node's own filters receive the message too. A powTarget below the
// node's minimum PoW or above 100, a powTime above 30 seconds, or a target
// not reached within powTime is -32602.
//
// Example: Post a message to the topic
//
//	params: [{"symKeyID":"$SYMKEY","topic":"0xdeadbeef","payload":"0x68656c6c6f","ttl":60,"powTime":1,"powTarget":0.002}]
//	result: "0x5f1e3c7a9b2d4f6e8a0c1b3d5f7e9a2c4b6d8f0e1a3c5b7d9f2e4a6c8b0d1f3e"
//	task: 7
func (a *API) Post(ctx context.Context, req NewMessage) (hexutil.Bytes, error) {
	p, err := a.messageParams(req)
	if err != nil {
		return nil, rpcError(err)
	}
	var target enode.ID
	if req.TargetPeer != "" {
		n, err := enode.Parse(enode.ValidSchemes, req.TargetPeer)
		if err != nil {
			return nil, rpcError(invalid("targetPeer", err))
		}
		target = n.ID()
	} else if req.PowTarget < a.w.MinPoW() {
		return nil, rpcError(invalid("powTarget", fmt.Errorf("%w: message rejected, PoW too low (%g < %g)", wproto.ErrPoWTooLow, req.PowTarget, a.w.MinPoW())))
	}
	if req.PowTarget > MaxPowTarget {
		return nil, rpcError(invalid("powTarget", fmt.Errorf("%g is above the maximum %d", req.PowTarget, MaxPowTarget)))
	}
	if req.PowTime > MaxPowTime {
		return nil, rpcError(invalid("powTime", fmt.Errorf("%d seconds is above the maximum %d", req.PowTime, MaxPowTime)))
	}
	if a.cfg.CallContext != nil {
		work, release := a.cfg.CallContext(ctx)
		defer release()
		ctx = work
	}
	env, err := wproto.Wrap(p, a.now(), rand.Reader)
	if err != nil {
		return nil, rpcError(invalid("payload", err))
	}
	workTime := time.Duration(req.PowTime) * time.Second
	if workTime == 0 {
		workTime = defaultPowTime
	}
	if err := whisper.Seal(ctx, env, req.PowTarget, workTime); err != nil {
		if errors.Is(err, wproto.ErrPoWTargetMissed) {
			return nil, rpcError(invalid("powTime", err))
		}
		return nil, rpcError(err)
	}
	if req.TargetPeer != "" {
		h, err := a.w.SendP2P(target, env)
		if err != nil {
			return nil, rpcError(invalid("targetPeer", err))
		}
		return h.Bytes(), nil
	}
	h, err := a.w.Send(env)
	if err != nil {
		return nil, rpcError(err)
	}
	return h.Bytes(), nil
}

func (a *API) messageParams(req NewMessage) (*wproto.MessageParams, error) {
	p := &wproto.MessageParams{
		TTL: req.TTL, Topic: req.Topic, WorkTime: req.PowTime, PoW: req.PowTarget,
		Payload: req.Payload, Padding: req.Padding,
	}
	switch {
	case req.SymKeyID != "" && len(req.PublicKey) > 0:
		return nil, invalid("symKeyID", errors.New("give either symKeyID or pubKey, not both"))
	case req.SymKeyID == "" && len(req.PublicKey) == 0:
		return nil, invalid("symKeyID", errors.New("one of symKeyID and pubKey is required"))
	case req.SymKeyID != "" && !req.HasTopic:
		return nil, invalid("topic", errors.New("a topic is required with symKeyID"))
	case req.PowTarget < 0 && req.PowTime == 0:
		return nil, invalid("powTime", errors.New("required with a negative powTarget"))
	}
	if req.SymKeyID != "" {
		key, err := a.w.Keys().SymKey(req.SymKeyID)
		if err != nil {
			return nil, invalid("symKeyID", err)
		}
		p.KeySym = &key
	} else {
		pub, err := crypto.UnmarshalPubkey(req.PublicKey)
		if err != nil {
			return nil, invalid("pubKey", fmt.Errorf("%w: %v", wproto.ErrInvalidPublicKey, err))
		}
		p.Dst = pub
	}
	var err error
	if p.Src, err = a.signingKey(req.Sig); err != nil {
		return nil, err
	}
	return p, nil
}

// Messages is shh_subscribe("messages", criteria): each matching message is
// pushed as an shh_subscription notification as soon as it arrives. The
// subscription ends with shh_unsubscribe, when the connection closes or
// when the service closes. Bad criteria are -32602, naming the field.
//
// Notification: Message
//
// Example: Receive the messages of a topic
//
//	params: [{"symKeyID":"d3d5ae8a1e0b1cc1e1c4aa6ea0cb7f4a2e9c7d8f1bd50c5ec1e3e4ab0aa7bc61","topics":["0xdeadbeef"]}]
//	result: {"ttl":60,"timestamp":1735689600,"topic":"0xdeadbeef","payload":"0x68656c6c6f","padding":"0x6d3a…","pow":2.3,"hash":"0x5f1e…"}
func (a *API) Messages(ctx context.Context, c Criteria) (*rpc.Subscription, error) {
	notifier, ok := rpc.NotifierFromContext(ctx)
	if !ok {
		return nil, rpc.ErrNotificationsUnsupported
	}
	f, err := a.filter(c)
	if err != nil {
		return nil, rpcError(err)
	}
	conn := rpc.PeerInfoFromContext(ctx).RemoteAddr
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil, rpcError(whisper.ErrStopped)
	}
	if max := a.maxSubscriptions(); a.subs[conn] >= max {
		return nil, rpcError(fmt.Errorf("%w: at most %d on one connection (--rpc.maxsubscriptions); unsubscribe some first",
			ErrTooManySubscriptions, max))
	}
	id, ch, err := a.w.Filters().Subscribe(f)
	if err != nil {
		return nil, rpcError(err)
	}
	sub := notifier.CreateSubscription()
	a.subs[conn]++
	a.wg.Add(1)
	go a.forward(notifier, sub, conn, id, f, ch)
	return sub, nil
}

// Lost is the notification a subscription gets after messages were lost
// because its reader lagged (the node holds Config.FilterQueue messages per
// subscription): how many, and why.
type Lost struct {
	Lost   int    `json:"lost"`
	Reason string `json:"reason"`
}

// forward is a subscription's goroutine: it pushes messages until the
// client unsubscribes, the filter closes or the service closes, and tells
// the client when messages were lost.
func (a *API) forward(n *rpc.Notifier, sub *rpc.Subscription, conn, filterID string, f *whisper.Filter, ch <-chan *whisper.Message) {
	defer a.wg.Done()
	defer func() {
		a.w.Filters().Uninstall(filterID)
		a.mu.Lock()
		if a.subs[conn]--; a.subs[conn] <= 0 {
			delete(a.subs, conn)
		}
		a.mu.Unlock()
	}()
	for {
		select {
		case m, ok := <-ch:
			if !ok {
				return
			}
			if err := n.Notify(sub.ID, toMessage(m)); err != nil {
				return
			}
			if lost := f.TakeLost(); lost > 0 {
				if err := n.Notify(sub.ID, Lost{Lost: lost, Reason: "the subscriber read too slowly; messages that did not fit were not delivered"}); err != nil {
					return
				}
			}
		case <-sub.Err():
			return
		case <-a.quit:
			return
		}
	}
}
