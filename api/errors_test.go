package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"
)

func TestRPCErrorMapping(t *testing.T) {
	coded := &Error{Code: 4100, Msg: "custom"}
	for _, c := range []struct {
		in       error
		wantCode int
		wantMsg  string
	}{
		{fmt.Errorf("%w: bad topic", ErrInvalidParams), CodeInvalidParams, "invalid params: bad topic"},
		{fmt.Errorf("store: %w", context.DeadlineExceeded), CodeTimeout, "store: context deadline exceeded"},
		{fmt.Errorf("whisper: %w", ErrUnavailable), CodeServer, "whisper: service unavailable"},
		{io.ErrUnexpectedEOF, CodeServer, "unexpected EOF"},
		{fmt.Errorf("wrapped: %w", coded), 4100, "wrapped: custom"},
	} {
		err := RPCError(c.in)
		var rpcErr rpc.Error
		if !errors.As(err, &rpcErr) || rpcErr.ErrorCode() != c.wantCode || err.Error() != c.wantMsg {
			t.Errorf("RPCError(%v) = %v (code %v), want %d %q", c.in, err, rpcErr, c.wantCode, c.wantMsg)
		}
		if !errors.Is(err, c.in) {
			t.Errorf("RPCError(%v) lost its cause", c.in)
		}
	}
	if RPCError(nil) != nil {
		t.Error("RPCError(nil) != nil")
	}
}
