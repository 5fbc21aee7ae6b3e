package mailserver

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver/archive"
)

// Request results, the "result" label of mailserver_requests_total.
const (
	resultServed      = "served"
	resultError       = "error" // answered with ERROR=
	resultMalformed   = "malformed"
	resultRateLimited = "rate_limited"
	resultQueueFull   = "queue_full"
	resultSendFailed  = "send_failed"
)

// sendTimeout bounds how long one answer may wait on a slow peer.
const sendTimeout = 30 * time.Second

type requestKeys = msproto.RequestKeys

func newRequestKeys(node *ecdsa.PrivateKey, password string) (requestKeys, error) {
	k := requestKeys{Node: node}
	if password != "" {
		sym, err := wproto.SymKeyFromPassword(password)
		if err != nil {
			return k, fmt.Errorf("%w: password: %w", ErrConfig, err)
		}
		k.Sym = &sym
	}
	return k, nil
}

// handleRequest is the router's code-126 handler, on the peer's read
// goroutine: rate limit, then queue for a worker; never blocks.
func (s *Server) handleRequest(peer enode.ID, body []byte) {
	if !s.limit.allow(peer, s.cfg.Now()) {
		s.m.requests.Inc(resultRateLimited)
		return
	}
	select {
	case s.requests <- request{peer: peer, body: body}:
	default:
		s.m.requests.Inc(resultQueueFull)
	}
}

func (s *Server) serveLoop() {
	defer s.wg.Done()
	for {
		select {
		case <-s.quit:
			return
		case r := <-s.requests:
			s.serve(r)
		}
	}
}

// serve answers one request: decode and check it, then one page of
// envelopes and the completion, or an ERROR= completion.
func (s *Server) serve(r request) {
	ctx, cancel := context.WithTimeout(context.Background(), sendTimeout)
	defer cancel()
	go func() { // Stop cuts a send to a stuck peer short
		select {
		case <-s.quit:
			cancel()
		case <-ctx.Done():
		}
	}()
	if r.sync {
		s.serveSync(ctx, r)
		return
	}
	now := s.cfg.Now()
	req, id, err := s.decode(r.body, now)
	log := s.log.With(zap.String("peer", r.peer.TerminalString()))
	if err != nil && id == (common.Hash{}) {
		s.m.requests.Inc(resultMalformed)
		log.Debug("dropping malformed request", zap.Error(err))
		return
	}
	if err == nil {
		err = s.checkRange(req)
	}
	if err == nil {
		err = s.answer(ctx, r.peer, req)
		if err == nil {
			s.m.requests.Inc(resultServed)
			return
		}
		if errors.Is(err, errSend) {
			s.m.requests.Inc(resultSendFailed)
			log.Debug("answer failed", zap.Error(err))
			return
		}
	}
	s.m.requests.Inc(resultError)
	log.Debug("refusing request", zap.Stringer("id", id), zap.Error(err))
	body := msproto.EncodeCompletion(&msproto.Completion{RequestID: id, Error: err.Error()})
	if err := s.router.SendP2PPacket(ctx, r.peer, wproto.P2PRequestCompleteCode, body); err != nil {
		log.Debug("error completion not sent", zap.Error(err))
	}
}

var errSend = errors.New("mailserver: send to peer failed")

// decode tries form (A) and then form (B) (§4.5). It returns the request
// ID whenever the body got far enough to have one, also with an error.
func (s *Server) decode(body []byte, now time.Time) (*msproto.Request, common.Hash, error) {
	maxSize := s.router.MaxMessageSize()
	if env, err := wproto.DecodeEnvelope(body, maxSize); err == nil {
		id := env.Hash()
		if err := msproto.CheckRequestEnvelope(env, s.router.MinPoW(), now); err != nil {
			return nil, id, err
		}
		req, err := msproto.OpenRequest(env, s.keys, now)
		return req, id, err
	}
	m, err := msproto.DecodeMessagesRequest(body)
	if err != nil {
		return nil, common.Hash{}, fmt.Errorf("%w: %w", msproto.ErrRequestMalformed, err)
	}
	req, err := m.Request()
	return req, m.ID, err
}

// checkRange refuses requests spanning more than MaxRange.
func (s *Server) checkRange(r *msproto.Request) error {
	if span := time.Duration(r.Upper-r.Lower) * time.Second; span > s.cfg.MaxRange {
		return fmt.Errorf("%w: %v > %v", ErrRangeLimit, span, s.cfg.MaxRange)
	}
	return nil
}

// answer sends one page for r — code-127 bodies, then the completion —
// once the archive holds everything that arrived before (caughtUp).
func (s *Server) answer(ctx context.Context, peer enode.ID, r *msproto.Request) error {
	if err := s.caughtUp(ctx); err != nil {
		return err
	}
	page, err := s.cfg.Archive.Query(ctx, &archive.Query{
		From: r.Lower, To: r.Upper, Bloom: r.Bloom,
		Limit: int(min(r.Limit, archive.MaxLimit)), Cursor: r.Cursor,
	})
	if err != nil {
		return err
	}
	b := msproto.NewBatcher(s.router.MaxMessageSize(), r.Batch)
	done := &msproto.Completion{RequestID: r.ID, Cursor: page.Next}
	send := func(body []byte) error {
		if err := s.router.SendP2PPacket(ctx, peer, wproto.P2PMessageCode, body); err != nil {
			return fmt.Errorf("%w: %w", errSend, err)
		}
		return nil
	}
	for _, e := range page.Entries {
		bodies, err := b.Add(e.Envelope)
		if err != nil { // cannot fit: skip it, as status-go does
			s.m.served.Inc("too_large")
			continue
		}
		for _, body := range bodies {
			if err := send(body); err != nil {
				return err
			}
		}
		done.LastEnvelopeHash = e.Hash
		s.m.served.Inc("sent")
	}
	if last := b.Flush(); last != nil {
		if err := send(last); err != nil {
			return err
		}
	}
	if err := s.router.SendP2PPacket(ctx, peer, wproto.P2PRequestCompleteCode, msproto.EncodeCompletion(done)); err != nil {
		return fmt.Errorf("%w: %w", errSend, err)
	}
	return nil
}
