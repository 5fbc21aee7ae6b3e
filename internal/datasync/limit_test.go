package datasync

import (
	"testing"

	mvds "github.com/statusnode/statusd/protocol/datasync"
)

// TestSendLimitFailedSends: sends the transport failed do not count toward
// the limit: after many of them the peer still gets 3 copies, then none.
func TestSendLimitFailedSends(t *testing.T) {
	net, a, b, g, before := limitedToDownPeer(t)
	net.mu.Lock()
	net.failing[a.id] = true
	net.mu.Unlock()
	if _, err := a.d.Append(ctxT(t), g, []byte("sent while the transport fails")); err != nil {
		t.Fatal(err)
	}
	runUntil(t, 100, "failed sends", func() bool { return a.d.Stats().SendErrors >= 5 }, a, b)
	net.mu.Lock()
	net.failing[a.id] = false
	net.mu.Unlock()
	if outstanding(t, a) != 1 {
		t.Fatal("the message was given up while its sends failed")
	}
	runUntil(t, 400, "given up", func() bool { return outstanding(t, a) == 0 }, a, b)
	for range 400 {
		round(t, a, b)
	}
	if n := sentBy(net, a.id) - before; n != 3 {
		t.Fatalf("a sent %d payloads, want 3", n)
	}
}

// TestSendLimitDriver: with a send limit of 3 set on a peer that is down
// (so it never ACKs), a message is sent 3 times and then never again, and
// it is no longer outstanding; nothing is reported as acknowledged.
func TestSendLimitDriver(t *testing.T) {
	net, a, b, g, before := limitedToDownPeer(t)
	if _, err := a.d.Append(ctxT(t), g, []byte("to a peer that never ACKs")); err != nil {
		t.Fatal(err)
	}
	runUntil(t, 100, "given up", func() bool { return outstanding(t, a) == 0 }, a, b)
	for range 400 { // 400 ticks: more than two MaxBackoff periods
		round(t, a, b)
	}
	if n := sentBy(net, a.id) - before; n != 3 {
		t.Fatalf("a sent %d payloads, want 3", n)
	}
	if b.app.len() != 0 {
		t.Fatalf("b received %d messages while down", b.app.len())
	}
}

// limitedToDownPeer connects a and b in group g with b down (it never
// ACKs) and a send limit of 3 on b; before is what a had sent by then.
func limitedToDownPeer(t *testing.T) (net *memNet, a, b *peer, g mvds.GroupID, before int) {
	t.Helper()
	net = newMemNet()
	a = newPeer(t, net, testPeerID(1), "")
	b = newPeer(t, net, testPeerID(2), "")
	g = connect(t, a, b)
	net.setDown(b.id, true)
	if err := a.d.SetSendLimit(ctxT(t), b.id, 3); err != nil {
		t.Fatal(err)
	}
	return net, a, b, g, sentBy(net, a.id)
}
