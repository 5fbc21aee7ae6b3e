package messenger

import (
	"testing"

	"github.com/statusnode/statusd/protocol/message"
)

// TestFreshDraftSkipsLookUp: compose looks a message up in the store
// unless it is a draft whose clock is above the chat's; a caller-built
// payload is always looked up, whatever its clock.
func TestFreshDraftSkipsLookUp(t *testing.T) {
	c := &Chat{LastClock: 100}
	for _, tc := range []struct {
		clock int64
		raw   []byte
		fresh bool
	}{
		{101, nil, true},
		{100, nil, false},
		{50, nil, false},
		{101, []byte("payload"), false},
	} {
		cm := &message.ChatMessage{Clock: tc.clock}
		if got := fresh(c, cm, tc.raw); got != tc.fresh {
			t.Errorf("clock %d, raw %v: fresh %v, want %v", tc.clock, tc.raw != nil, got, tc.fresh)
		}
	}
}
