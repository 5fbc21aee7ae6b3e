package mailserver

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/p2p/enode"

	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver"
)

// Syncer copies another mailserver's archive into ours
// (*mailserver.Server in a node that runs a mailserver).
type Syncer interface {
	Sync(ctx context.Context, peer *enode.Node, req *msproto.SyncRequest) (*mailserver.SyncResult, error)
}

var _ Syncer = (*mailserver.Server)(nil)

// SyncMessagesRequest is shhext_syncMessages' parameter, status-go v0.35's
// shape.
type SyncMessagesRequest struct {
	// MailServerPeer is the other mailserver's enode URL; required.
	MailServerPeer string `json:"mailServerPeer"`
	// From is the lower bound, Unix seconds of archive time (default:
	// To − 24 h).
	From uint32 `json:"from"`
	// To is the upper bound (default: now).
	To uint32 `json:"to"`
	// Limit is the page size, 1 to 1000.
	Limit uint32 `json:"limit"`
	// Cursor resumes a previous page: hex without 0x, as returned.
	Cursor string `json:"cursor"`
	// FollowCursor asks again until the cursor is empty.
	FollowCursor bool `json:"followCursor"`
	// Topics are 4-byte hex topics; empty syncs every topic.
	Topics []string `json:"topics"`
}

// SyncMessagesResponse is shhext_syncMessages' result.
type SyncMessagesResponse struct {
	// Cursor is the hex (no 0x) of the next page's cursor, empty when the
	// other mailserver has no more.
	Cursor string `json:"cursor"`
	// Error is the other mailserver's error text, empty on success.
	Error string `json:"error"`
}

var errNoSyncer = errors.New("mailserver: this node runs no mailserver to sync into")

// SyncMessages implements shhext_syncMessages (see ShhExtAPI.SyncMessages
// in api/shhext): sync pages from the other mailserver into this node's
// archive until the final response (and, with FollowCursor, until no
// cursor is left). A bad field is -32602; no answer in time is -32002.
// The sync does not end with the call: a caller that leaves early leaves
// it running to the end (only Service.Close stops it).
func (s *Service) SyncMessages(ctx context.Context, r SyncMessagesRequest) (SyncMessagesResponse, error) {
	var resp SyncMessagesResponse
	err := s.detach(ctx, func(ctx context.Context) error {
		var err error
		resp, err = s.syncMessages(ctx, r)
		return err
	})
	if err != nil { // resp may still be written by the sync running on
		return SyncMessagesResponse{}, rpcError(err)
	}
	return resp, nil
}

func (s *Service) syncMessages(ctx context.Context, r SyncMessagesRequest) (SyncMessagesResponse, error) {
	if s.cfg.Syncer == nil {
		return SyncMessagesResponse{}, fmt.Errorf("%w: %w", errClosed, errNoSyncer)
	}
	req, peer, err := s.parseSync(&r)
	if err != nil {
		return SyncMessagesResponse{}, err
	}
	for {
		res, err := s.cfg.Syncer.Sync(ctx, peer, req)
		if err != nil {
			return SyncMessagesResponse{}, err
		}
		if res.Error != "" || res.Cursor == nil || !r.FollowCursor {
			return SyncMessagesResponse{Cursor: cursorHex(res.Cursor), Error: res.Error}, nil
		}
		req.Cursor = res.Cursor
	}
}

func (s *Service) parseSync(r *SyncMessagesRequest) (*msproto.SyncRequest, *enode.Node, error) {
	if r.MailServerPeer == "" {
		return nil, nil, invalid("mailServerPeer", errors.New("required"))
	}
	peer, err := parsePeer("mailServerPeer", r.MailServerPeer)
	if err != nil {
		return nil, nil, err
	}
	from, to, err := s.window(r.From, r.To)
	if err != nil {
		return nil, nil, err
	}
	req := &msproto.SyncRequest{Lower: from, Upper: to, Limit: r.Limit, Bloom: wproto.FullBloom()}
	if len(r.Topics) > 0 {
		ts, err := parseTopics("topics", r.Topics)
		if err != nil {
			return nil, nil, err
		}
		req.Bloom = wproto.Bloom{}
		for _, t := range ts {
			req.Bloom = req.Bloom.Or(t.Bloom())
		}
	}
	if r.Limit == 0 || r.Limit > msproto.MaxSyncLimit {
		return nil, nil, invalid("limit", fmt.Errorf("%d, want 1 to %d", r.Limit, msproto.MaxSyncLimit))
	}
	if r.Cursor != "" {
		b, err := hex.DecodeString(strings.TrimPrefix(r.Cursor, "0x"))
		if err == nil {
			req.Cursor, err = msproto.ParseCursor(b)
		}
		if err != nil {
			return nil, nil, invalid("cursor", err)
		}
	}
	return req, peer, nil
}
