package shhext

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/statusnode/statusd/api"
	mailapi "github.com/statusnode/statusd/api/mailserver"
)

// MailRequester answers the status-go history requests
// (*mailapi.Service, package api/mailserver).
type MailRequester interface {
	RequestMessages(ctx context.Context, r mailapi.MessagesRequest) (hexutil.Bytes, error)
	RequestMessagesSync(ctx context.Context, conf mailapi.RetryConfig, r mailapi.MessagesRequest) (mailapi.MessagesResponse, error)
}

// mailRef holds the MailRequester; unset, the two methods answer -32000.
type mailRef struct{ p atomic.Pointer[MailRequester] }

func (m *mailRef) get() (MailRequester, error) {
	if r := m.p.Load(); r != nil {
		return *r, nil
	}
	return nil, api.RPCError(fmt.Errorf("%w: %w", api.ErrUnavailable, errNoMailClient))
}

var errNoMailClient = errors.New("shhext: no mailserver client")

// SetMailserver hands shhext_requestMessages and
// shhext_requestMessagesSync to r. Call it before the RPC server starts.
// A nil r unsets it.
func (s *Service) SetMailserver(r MailRequester) {
	if r == nil {
		s.core.mail.p.Store(nil)
		return
	}
	s.core.mail.p.Store(&r)
}

// RequestMessages is shhext_requestMessages(request) (docs/PROTOCOL.md
// §7.1): send one history request to a mailserver (request.mailServerPeer,
// or the configured ones in order) and return its ID, the request
// envelope's hash, as soon as it is sent. The archived envelopes arrive
// through Whisper filters created with allowP2P (shh_newMessageFilter,
// shh_subscribe) and reach the joined chats; the outcome is a
// mailserver.request.completed (with the cursor of the next page) or
// mailserver.request.expired event of mailserver_subscribe("events"). A
// request for the same topics within 3 s of the last is refused unless
// force is set. A bad field is -32602 naming it.
//
// Example: Fetch the last hour of the "status" topic from a mailserver
//
//	params: [{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","from":1700000000,"to":1700003600,"topics":["0xcd423760"]}]
//	result: "0x6f1c4c4b3e2f0a9d8c7b6a5948372615f4e3d2c1b0a99887766554433221100f"
func (a *ShhExtAPI) RequestMessages(ctx context.Context, request mailapi.MessagesRequest) (hexutil.Bytes, error) {
	r, err := a.c.mail.get()
	if err != nil {
		return nil, err
	}
	return r.RequestMessages(ctx, request)
}

// RequestMessagesSync is shhext_requestMessagesSync(retry, request)
// (§7.1): like shhext_requestMessages, but wait for the completion,
// resending after each timeout (attempt n waits retry.BaseTimeout +
// n·retry.StepTimeout, up to retry.MaxRetries resends), and return the
// cursor of the next page ("" when done) and the server's error text. When
// every attempt timed out the call fails with -32002.
//
// Example: Fetch a page and wait for it
//
//	params: [{"BaseTimeout":10000000000,"StepTimeout":5000000000,"MaxRetries":2},{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","topics":["0xcd423760"],"limit":100}]
//	result: {"cursor":"","error":""}
func (a *ShhExtAPI) RequestMessagesSync(ctx context.Context, retry mailapi.RetryConfig, request mailapi.MessagesRequest) (mailapi.MessagesResponse, error) {
	r, err := a.c.mail.get()
	if err != nil {
		return mailapi.MessagesResponse{}, err
	}
	return r.RequestMessagesSync(ctx, retry, request)
}
