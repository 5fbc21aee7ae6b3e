package shhext

import (
	"context"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/statusnode/statusd/api"
	mailapi "github.com/statusnode/statusd/api/mailserver"
)

// HistoryRequester answers status-go v0.35's stateful history methods
// and mailserver-to-mailserver sync (*mailapi.Service, package
// api/mailserver). The MailRequester given to Service.SetMailserver is
// used when it implements this interface too.
type HistoryRequester interface {
	InitiateHistoryRequests(ctx context.Context, p mailapi.InitiateHistoryRequestParams) ([]hexutil.Bytes, error)
	CompleteRequest(ctx context.Context, id string) error
	SyncMessages(ctx context.Context, r mailapi.SyncMessagesRequest) (mailapi.SyncMessagesResponse, error)
}

var _ HistoryRequester = (*mailapi.Service)(nil)

var errNoHistory = errors.New("shhext: no history requester")

func (a *ShhExtAPI) history() (HistoryRequester, error) {
	r, err := a.c.mail.get()
	if err != nil {
		return nil, err
	}
	h, ok := r.(HistoryRequester)
	if !ok {
		return nil, api.RPCError(fmt.Errorf("%w: %w", api.ErrUnavailable, errNoHistory))
	}
	return h, nil
}

// InitiateHistoryRequests is shhext_initiateHistoryRequests(params), the
// stateful history request of status-go v0.35: for each topic the node
// remembers how far its history is complete. A topic asked for the first
// time is requested from now − Duration (less 20 s of allowance) to now;
// one whose earlier request was completed (shhext_completeRequest) from
// where it ended; topics with the same range share a request, and a
// request still pending is sent again (unless sent less than 3 s ago).
// Each request (limit 10000, batched) goes to Peer, or the configured
// mailservers in order, encrypted with SymKeyID's key or to the
// mailserver's node key; the call returns the IDs (0x hex) once sent, an
// empty list when nothing is to be requested. Envelopes arrive through
// P2P filters; the outcome is a mailserver.request.completed signal. A
// topic listed twice, a bad topic, peer or key is -32602; a repeat within
// 3 s without Force is -32000.
//
// Example: Start the history of the "status" topic one day back
//
//	params: [{"Peer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","SymKeyID":"","Requests":[{"Topic":"0xcd423760","Duration":86400000000000}],"Force":false,"Timeout":0}]
//	result: ["0x6f1c4c4b3e2f0a9d8c7b6a5948372615f4e3d2c1b0a99887766554433221100f"]
func (a *ShhExtAPI) InitiateHistoryRequests(ctx context.Context, params mailapi.InitiateHistoryRequestParams) ([]hexutil.Bytes, error) {
	h, err := a.history()
	if err != nil {
		return nil, err
	}
	return h.InitiateHistoryRequests(ctx, params)
}

// CompleteRequest is shhext_completeRequest(id): the frontend tells that
// every envelope of the request id (a result of
// shhext_initiateHistoryRequests) was processed, so each of its topics is
// complete up to the request's end and the next initiate continues from
// there. An ID that is not pending (unknown, or already completed) is
// -32602.
//
// Example: Finish a history request
//
//	params: ["0x6f1c4c4b3e2f0a9d8c7b6a5948372615f4e3d2c1b0a99887766554433221100f"]
//	result: null
func (a *ShhExtAPI) CompleteRequest(ctx context.Context, id string) error {
	h, err := a.history()
	if err != nil {
		return err
	}
	return h.CompleteRequest(ctx, id)
}

// SyncMessages is shhext_syncMessages(request): copy a time range of
// another mailserver's archive into this node's archive
// (mailserver-to-mailserver sync, codes 123/124, docs/PROTOCOL.md §4.5).
// The node must run a mailserver itself; the other one (mailServerPeer,
// required) must be connected, and is marked trusted. One Sync Request
// (from, to — default the last 24 h —, the topics' bloom or the full
// bloom, limit default 1000, cursor) is sent; the answers are archived
// until the final one, whose cursor and error text are the result. With
// followCursor the node asks again until the cursor is empty. Without an
// answer within 30 s the call fails with -32002.
//
// Example: Copy the last day from another mailserver
//
//	params: [{"mailServerPeer":"enode://d860a01f9722d78051619d1e2351aba3f43f943f6f00718d1b9baa4101932a1f5011f16bb2b1bb35db20d6fe28fa0bf09636d26a87d31de9ec6203eeedb1f666@127.0.0.1:30304","limit":1000,"followCursor":true}]
//	result: {"cursor":"","error":""}
func (a *ShhExtAPI) SyncMessages(ctx context.Context, request mailapi.SyncMessagesRequest) (mailapi.SyncMessagesResponse, error) {
	h, err := a.history()
	if err != nil {
		return mailapi.SyncMessagesResponse{}, err
	}
	return h.SyncMessages(ctx, request)
}
