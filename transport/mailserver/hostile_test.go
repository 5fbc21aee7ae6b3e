package mailserver

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/lib/testutil"
	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

func metricText(t *testing.T, n *testNode) string {
	var b bytes.Buffer
	n.reg.WriteText(&b)
	return b.String()
}

// TestBadRequests is acceptance 3 for the server role: bad PoW, unsigned,
// malformed, absurd ranges and floods are refused with an ERROR=
// completion or dropped, and counted; a client that did not mark the
// server trusted drops the answer itself.
func TestBadRequests(t *testing.T) {
	x := newSetup(t, func(c *ServerConfig) { c.RateLimit = 20; c.MaxRange = 48 * time.Hour })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	peer := x.m.self()
	topic := wproto.TopicFromName("status")
	now := time.Now()
	send := func(body []byte) {
		t.Helper()
		if err := x.c.w.SendP2PPacket(ctx, peer.ID(), wproto.P2PRequestCode, body); err != nil {
			t.Fatal(err)
		}
	}
	requests := x.server.m.requests
	wait := func(result string, n float64) {
		t.Helper()
		testutil.WaitFor(t, 10*time.Second, result+" requests", func() bool { return requests.Value(result) >= n })
	}

	// Untrusted: a valid request answered, but the client drops 125/127.
	payload := &msproto.RequestPayload{Lower: uint32(now.Unix()) - 60, Upper: uint32(now.Unix()), Bloom: topic.Bloom(), Batch: true}
	env, err := msproto.NewRequestEnvelope(payload, &msproto.RequestEnvelopeParams{NodeKey: x.c.key, ServerKey: peer.Pubkey(), PoW: 0.001, MaxNonces: 1 << 24}, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	send(env.AppendRLP(nil))
	wait(resultServed, 1)
	testutil.WaitFor(t, 10*time.Second, "untrusted completion dropped", func() bool {
		return strings.Contains(metricText(t, x.c), `whisper_envelopes_dropped_total{reason="untrusted_complete"} 1`)
	})

	// Malformed RLP: dropped without an answer.
	send([]byte{0xff, 0x01, 0x02})
	wait(resultMalformed, 1)

	// Unsigned form (A): ERROR= completion.
	unsigned, err := wproto.Wrap(&wproto.MessageParams{TTL: 50, Dst: peer.Pubkey(), Topic: topic, Payload: msproto.EncodeRequestPayload(payload)}, now, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	send(unsigned.AppendRLP(nil))
	wait(resultError, 1)

	// Absurd ranges: From > To in form (B); a span over MaxRange in form (A)
	// through the client, which sees the ERROR= completion.
	send(msproto.EncodeMessagesRequest(&msproto.MessagesRequest{ID: common.Hash{1}, From: 10, To: 5, Bloom: topic.Bloom()}))
	wait(resultError, 2)
	_, err = x.client.Request(ctx, peer, RequestParams{Lower: 0, Upper: uint32(now.Unix()), Topics: []wproto.Topic{topic}})
	if !errors.Is(err, ErrRequestFailed) || !strings.Contains(err.Error(), "too long") {
		t.Fatalf("absurd range: %v", err)
	}

	// Bad PoW: the server's minimum is raised above what the client seals.
	if err := x.m.w.SetMinPoW(1000); err != nil {
		t.Fatal(err)
	}
	_, err = x.client.Request(ctx, peer, RequestParams{Lower: uint32(now.Unix()) - 60, Upper: uint32(now.Unix()), Topics: []wproto.Topic{topic}})
	if !errors.Is(err, ErrRequestFailed) || !strings.Contains(err.Error(), "PoW") {
		t.Fatalf("bad PoW: %v", err)
	}

	// Flood: the burst of 20 is spent, the rest is dropped and counted.
	for range 60 {
		send([]byte{0xff})
	}
	wait(resultRateLimited, 30)
}
