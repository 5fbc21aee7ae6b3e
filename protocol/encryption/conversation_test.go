package encryption_test

import (
	"strings"
	"testing"

	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// TestConversation: Alice on two paired devices and Bob talk at once over a
// network that reorders, loses and duplicates; every message that arrives
// decrypts exactly once on every intended device, own sent messages reach
// the other own device, and every replay is rejected.
func TestConversation(t *testing.T) {
	w, a1, a2, b1 := et.Setup(t, 1, memStores)
	// Both sides start at once: concurrent X3DH sessions.
	w.Send(a1, b1)
	w.Send(b1, a1)
	w.Send(a2, b1)
	for i := 0; i < 150; i++ {
		switch w.Rng.IntN(3) {
		case 0:
			w.Send(a1, b1)
		case 1:
			w.Send(a2, b1)
		default:
			w.Send(b1, a1)
		}
		for len(w.Pool) > 6 {
			w.Step(5, 10)
		}
	}
	w.Drain()
	// After the loss, a clean round trip still works everywhere.
	w.Send(a1, b1)
	w.Send(b1, a2)
	w.Send(a2, b1)
	w.Drain()
	w.Check()
	w.ReplayAll()
	if n := len(w.Got["alice2"]); n == 0 {
		t.Fatal("alice2 saw nothing")
	}
	own := 0
	for id := range w.Got["alice2"] {
		if strings.HasPrefix(id, "alice1->") {
			own++
		}
	}
	if own == 0 {
		t.Fatal("alice2 never saw alice1's sent messages")
	}
}
