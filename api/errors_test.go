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

// TestErrorMap: field errors and Invalid sentinels are -32602 naming the
// field, Timeout sentinels -32002, Unavailable ones -32000 "service
// unavailable: …", the rest RPCError's; Fail names the field only for
// Invalid sentinels.
func TestErrorMap(t *testing.T) {
	errBad, errSlow, errDown := errors.New("x: bad"), errors.New("x: slow"), errors.New("x: down")
	m := ErrorMap{Invalid: []error{errBad}, Timeout: []error{errSlow}, Unavailable: []error{errDown}}
	for _, c := range []struct {
		in       error
		wantCode int
		wantMsg  string
	}{
		{Invalid("topics[2]", errors.New("not hex")), CodeInvalidParams, "invalid params: topics[2]: not hex"},
		{fmt.Errorf("lookup: %w", errBad), CodeInvalidParams, "invalid params: lookup: x: bad"},
		{Invalid("id", errDown), CodeInvalidParams, "invalid params: id: x: down"},
		{fmt.Errorf("%w after 3 attempts", errSlow), CodeTimeout, "x: slow after 3 attempts"},
		{errDown, CodeServer, "service unavailable: x: down"},
		{io.EOF, CodeServer, "EOF"},
	} {
		err := m.Map(c.in)
		var rpcErr rpc.Error
		if !errors.As(err, &rpcErr) || rpcErr.ErrorCode() != c.wantCode || err.Error() != c.wantMsg {
			t.Errorf("Map(%v) = %v (code %v), want %d %q", c.in, err, rpcErr, c.wantCode, c.wantMsg)
		}
	}
	if err := m.Fail("chatId", errBad); err.Error() != "invalid params: chatId: x: bad" {
		t.Errorf("Fail(invalid) = %v", err)
	}
	if err := m.Fail("chatId", errDown); err.Error() != "service unavailable: x: down" {
		t.Errorf("Fail(unavailable) = %v", err)
	}
	if m.Map(nil) != nil || m.Fail("x", nil) != nil || Invalid("x", nil) != nil {
		t.Error("nil is not kept")
	}
	var fe *FieldError
	if err := m.Map(Invalid("size", io.EOF)); !errors.As(err, &fe) || fe.Field != "size" || !errors.Is(err, io.EOF) {
		t.Errorf("the field error and its cause are lost: %v", err)
	}
}
