package mailserver

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"

	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver/archive"
)

// Mailserver-to-mailserver sync (docs/PROTOCOL.md §4.5, codes 123/124), as
// status-go v0.35 ran it:
//
//   - Answering: the server answers a Sync Request from any peer, as
//     status-im/whisper v1.6 did (subject to the per-peer rate limit):
//     one page of its archive as Sync Responses within the peer's max
//     message size, then a final response with the next page's cursor, or
//     one response with the error text.
//   - Asking: Sync marks the other mailserver trusted (v0.35 required the
//     caller to have done so: responses from untrusted peers are dropped by
//     the router), sends the request and archives what comes back until the
//     final response. Responses from a peer no Sync call is waiting on are
//     dropped and counted, so no peer can write into the archive unasked.

// Sync errors.
var (
	ErrSyncBusy    = errors.New("mailserver: a sync with this peer is already running")
	ErrSyncTimeout = errors.New("mailserver: sync timed out")
)

// SyncTimeout is how long Sync waits for the final response when the
// context has no earlier deadline (status-go v0.35: 30 s).
const SyncTimeout = 30 * time.Second

// SyncResult is the outcome of Sync: the cursor of the next page (nil when
// the other server has no more), its error text, and how many envelopes
// were archived.
type SyncResult struct {
	Cursor   *msproto.Cursor
	Error    string
	Archived int
}

type syncReply struct {
	resp *msproto.SyncResponse
}

// Sync asks the connected mailserver peer for the envelopes of req and
// archives them; it blocks until the final response, ctx ends or
// SyncTimeout passes (ErrSyncTimeout). One Sync per peer at a time
// (ErrSyncBusy). req is checked first (msproto.SyncRequest.Check).
func (s *Server) Sync(ctx context.Context, peer *enode.Node, req *msproto.SyncRequest) (*SyncResult, error) {
	if err := req.Check(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidParams, err)
	}
	if err := s.router.MarkTrustedPeer(peer.ID()); err != nil {
		return nil, err
	}
	ch := make(chan syncReply, 64)
	s.syncMu.Lock()
	if _, busy := s.syncs[peer.ID()]; busy {
		s.syncMu.Unlock()
		return nil, ErrSyncBusy
	}
	s.syncs[peer.ID()] = ch
	s.syncMu.Unlock()
	defer func() {
		s.syncMu.Lock()
		delete(s.syncs, peer.ID())
		s.syncMu.Unlock()
	}()
	ctx, cancel := context.WithTimeout(ctx, SyncTimeout)
	defer cancel()
	if err := s.router.SendP2PPacket(ctx, peer.ID(), wproto.P2PSyncRequestCode, msproto.EncodeSyncRequest(req)); err != nil {
		return nil, err
	}
	res := &SyncResult{}
	for {
		select {
		case r := <-ch:
			res.Archived += len(r.resp.Envelopes)
			if r.resp.Done() {
				res.Cursor, res.Error = r.resp.Cursor, r.resp.Error
				return res, nil
			}
		case <-s.quit:
			return nil, ErrStopped
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, fmt.Errorf("%w after %d envelopes", ErrSyncTimeout, res.Archived)
			}
			return nil, ctx.Err()
		}
	}
}

// handleSyncRequest is the router's code-123 hook: rate limit, then queue
// for a worker, as handleRequest.
func (s *Server) handleSyncRequest(peer enode.ID, body []byte) {
	if !s.limit.allow(peer, s.cfg.Now()) {
		s.m.requests.Inc(resultRateLimited)
		return
	}
	select {
	case s.requests <- request{peer: peer, body: body, sync: true}:
	default:
		s.m.requests.Inc(resultQueueFull)
	}
}

// serveSync answers one sync request on a worker.
func (s *Server) serveSync(ctx context.Context, r request) {
	log := s.log.With(zap.String("peer", r.peer.TerminalString()))
	req, err := msproto.DecodeSyncRequest(r.body)
	if err != nil {
		s.m.requests.Inc(resultMalformed)
		log.Debug("dropping malformed sync request", zap.Error(err))
		return
	}
	err = req.Check()
	if err == nil {
		err = s.checkRange(&msproto.Request{Lower: req.Lower, Upper: req.Upper})
	}
	if err == nil {
		if err = s.answerSync(ctx, r.peer, req); err == nil {
			s.m.requests.Inc(resultServed)
			return
		}
		if errors.Is(err, errSend) {
			s.m.requests.Inc(resultSendFailed)
			log.Debug("sync answer failed", zap.Error(err))
			return
		}
	}
	s.m.requests.Inc(resultError)
	log.Debug("refusing sync request", zap.Error(err))
	body := msproto.EncodeSyncResponse(&msproto.SyncResponse{Error: err.Error()})
	if err := s.router.SendP2PPacket(ctx, r.peer, wproto.P2PSyncResponseCode, body); err != nil {
		log.Debug("sync error response not sent", zap.Error(err))
	}
}

// answerSync sends one page of req: envelope responses, then the final.
func (s *Server) answerSync(ctx context.Context, peer enode.ID, req *msproto.SyncRequest) error {
	page, err := s.cfg.Archive.Query(ctx, &archive.Query{
		From: req.Lower, To: req.Upper, Bloom: req.Bloom, Limit: int(req.Limit), Cursor: req.Cursor,
	})
	if err != nil {
		return err
	}
	envs := make([]*wproto.Envelope, len(page.Entries))
	for i, e := range page.Entries {
		envs[i] = e.Envelope
	}
	bodies, skipped := msproto.SyncBodies(envs, s.router.MaxMessageSize())
	s.m.served.Add(float64(skipped), "too_large")
	s.m.served.Add(float64(len(envs)-skipped), "sent")
	final := msproto.EncodeSyncResponse(&msproto.SyncResponse{Cursor: page.Next, Final: true})
	for _, body := range append(bodies, final) {
		if err := s.router.SendP2PPacket(ctx, peer, wproto.P2PSyncResponseCode, body); err != nil {
			return fmt.Errorf("%w: %w", errSend, err)
		}
	}
	return nil
}

// handleSyncResponse is the router's code-124 hook (trusted peers only):
// archive the envelopes under their sent time (clamped to now), then hand
// the response to the waiting Sync. Without one it is dropped.
func (s *Server) handleSyncResponse(peer enode.ID, body []byte) {
	s.syncMu.Lock()
	ch, ok := s.syncs[peer]
	s.syncMu.Unlock()
	if !ok {
		s.m.archiveDropped.Inc("unasked_sync")
		return
	}
	resp, err := msproto.DecodeSyncResponse(body, s.router.MaxMessageSize())
	if err != nil {
		s.m.archiveDropped.Inc("malformed_sync")
		s.log.Debug("malformed sync response", zap.String("peer", peer.TerminalString()), zap.Error(err))
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	now := s.cfg.Now()
	for _, e := range resp.Envelopes {
		at := min(int64(e.Sent()), now.Unix())
		if err := s.cfg.Archive.Put(ctx, time.Unix(at, 0), e); err != nil {
			s.m.archiveDropped.Inc("error")
			s.log.Warn("archive put failed", zap.Error(err))
			continue
		}
		s.m.archived.Inc()
	}
	select {
	case ch <- syncReply{resp: resp}:
	default:
		s.m.archiveDropped.Inc("sync_backlog")
	}
}
