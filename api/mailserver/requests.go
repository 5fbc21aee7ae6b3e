package mailserver

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/p2p/enode"

	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver"
	"github.com/statusnode/statusd/transport/whisper"
)

// request is a MessagesRequest checked and turned into client terms.
type request struct {
	peer   *enode.Node // nil: the known mailservers
	params mailserver.RequestParams
	force  bool
}

// parseRequest checks r field by field and fills its defaults.
func (s *Service) parseRequest(r *MessagesRequest) (*request, error) {
	peer, err := parsePeer("mailServerPeer", r.MailServerPeer)
	if err != nil {
		return nil, err
	}
	list := r.Topics
	if r.Topic != "" {
		list = append([]string{r.Topic}, list...)
	}
	field := "topics"
	if len(r.Topics) == 0 && r.Topic != "" {
		field = "topic"
	}
	topics, err := parseTopics(field, list)
	if err != nil {
		return nil, err
	}
	from, to, err := s.window(r.From, r.To)
	if err != nil {
		return nil, err
	}
	p := mailserver.RequestParams{Lower: from, Upper: to, Topics: topics, Limit: r.Limit,
		Timeout: time.Duration(r.Timeout) * time.Second, Legacy: r.Legacy}
	if r.Cursor != "" {
		b, err := hex.DecodeString(strings.TrimPrefix(r.Cursor, "0x"))
		if err == nil {
			p.Cursor, err = msproto.ParseCursor(b)
		}
		if err != nil {
			return nil, invalid("cursor", err)
		}
	}
	if r.SymKeyID != "" {
		key, err := s.keys.SymKey(r.SymKeyID)
		if err != nil {
			return nil, invalid("symKeyID", err)
		}
		p.SymKey = &key
	}
	return &request{peer: peer, params: p, force: r.Force}, nil
}

// admit applies the request delay to a non-forced request's topic set.
func (s *Service) admit(q *request) error {
	names := make([]string, len(q.params.Topics))
	for i, t := range q.params.Topics {
		names[i] = t.String()
	}
	slices.Sort(names)
	key := strings.Join(slices.Compact(names), ",")
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if last, ok := s.recent[key]; ok && !q.force && now.Sub(last) < s.cfg.RequestDelay {
		return fmt.Errorf("%w (topics %s, %v ago)", ErrTooSoon, key, now.Sub(last).Round(time.Millisecond))
	}
	for k, t := range s.recent { // keep the map small
		if now.Sub(t) >= s.cfg.RequestDelay {
			delete(s.recent, k)
		}
	}
	s.recent[key] = now
	return nil
}

// send runs one request page (no cursor following) to q's peer or the
// known mailservers.
func (s *Service) send(ctx context.Context, q *request) (*mailserver.Result, error) {
	var res *mailserver.Result
	err := s.eachServer(q.peer, func(ms *enode.Node) error {
		var err error
		res, err = s.c.Request(ctx, ms, q.params)
		return err
	})
	return res, err
}

func retryable(err error) bool {
	return errors.Is(err, mailserver.ErrTimeout) || errors.Is(err, whisper.ErrPeerNotFound)
}

// RequestMessages implements shhext_requestMessages (§7.1): it sends one
// history request (§4.5 form A, signed with the node key) and returns its
// ID, the request envelope's hash, as soon as the packet is sent. The
// envelopes arrive through Whisper filters created with allowP2P; the
// outcome is a mailserver.request.completed or .expired event
// (mailserver_subscribe). The mailserver is marked trusted.
func (s *Service) RequestMessages(ctx context.Context, r MessagesRequest) (hexutil.Bytes, error) {
	q, err := s.parseRequest(&r)
	if err == nil {
		err = s.admit(q)
	}
	if err != nil {
		return nil, rpcError(err)
	}
	ids := make(chan common.Hash, 1)
	q.params.Sent = func(id common.Hash) {
		select {
		case ids <- id:
		default: // a later page or mailserver: the first ID is the answer
		}
	}
	done := make(chan error, 1)
	if !s.spawn(func() { _, err := s.send(s.ctx, q); done <- err }) {
		return nil, rpcError(errClosed)
	}
	select {
	case id := <-ids:
		return id[:], nil
	case err := <-done:
		select {
		case id := <-ids: // sent, then failed: the outcome is an event
			return id[:], nil
		default:
			return nil, rpcError(err)
		}
	case <-ctx.Done():
		return nil, rpcError(ctx.Err())
	}
}

// RequestMessagesSync implements shhext_requestMessagesSync (§7.1): it
// sends r and waits for the completion, resending after each timeout as
// conf says. A completion returns its cursor (and the server's error text,
// if any); when every attempt timed out the call fails with -32002. The
// request does not end with the call: a caller that leaves early still
// gets the page delivered (mailserver.request.completed tells when).
func (s *Service) RequestMessagesSync(ctx context.Context, conf RetryConfig, r MessagesRequest) (MessagesResponse, error) {
	if conf.MaxRetries < 0 {
		return MessagesResponse{}, rpcError(invalid("MaxRetries", errors.New("must not be negative")))
	}
	q, err := s.parseRequest(&r)
	if err == nil {
		err = s.admit(q)
	}
	if err != nil {
		return MessagesResponse{}, rpcError(err)
	}
	var resp MessagesResponse
	err = s.detach(ctx, func(ctx context.Context) error {
		var err error
		resp, err = s.sendRetrying(ctx, conf, q)
		return err
	})
	if err != nil {
		return MessagesResponse{}, rpcError(err)
	}
	return resp, nil
}

// sendRetrying is RequestMessagesSync's loop of attempts.
func (s *Service) sendRetrying(ctx context.Context, conf RetryConfig, q *request) (MessagesResponse, error) {
	for attempt := 0; ; attempt++ {
		q.params.Timeout = max(conf.BaseTimeout+time.Duration(attempt)*conf.StepTimeout, time.Second)
		res, err := s.send(ctx, q)
		switch {
		case err == nil:
			return MessagesResponse{Cursor: cursorHex(res.Cursor)}, nil
		case errors.Is(err, mailserver.ErrRequestFailed):
			return MessagesResponse{Error: err.Error()}, nil
		case !errors.Is(err, mailserver.ErrTimeout) || attempt >= conf.MaxRetries:
			if errors.Is(err, mailserver.ErrTimeout) {
				err = fmt.Errorf("%w after %d attempts", err, attempt+1)
			}
			return MessagesResponse{}, err
		}
	}
}

// cursorHex is status-go's cursor form: hex without 0x, "" for none.
func cursorHex(c *msproto.Cursor) string {
	if c == nil {
		return ""
	}
	return hex.EncodeToString(c.Bytes())
}

// topicStrings formats topics as 0x hex.
func topicStrings(ts []wproto.Topic) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.String()
	}
	return out
}
