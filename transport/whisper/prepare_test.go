package whisper

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// TestPacketIngestParallel: a packet's envelopes hashed and PoW-checked on
// several goroutines are accepted exactly as on one: the same pool (hashes
// and PoW), the same duplicates (inside the packet and against the pool),
// the same time-sync drops, the same messages in packet order.
func TestPacketIngestParallel(t *testing.T) {
	now := time.Now()
	key, topic := testKey(t), wproto.TopicFromName("parallel")
	var valid []*wproto.Envelope
	for i := range 80 {
		valid = append(valid, sealed(t, key, topic, fmt.Appendf(nil, "m%02d", i), now, 0.002))
	}
	pooled := sealed(t, testKey(t), topic, []byte("pooled"), now, 0.002)
	var packet []*wproto.Envelope
	for i, e := range valid {
		packet = append(packet, e)
		switch {
		case i%4 == 3: // a duplicate inside the packet
			packet = append(packet, valid[i-2])
		case i%16 == 5: // long expired: a time-sync drop
			packet = append(packet, sealed(t, key, topic, []byte("old"), now.Add(-time.Hour), 0.002))
		case i == 40:
			packet = append(packet, pooled)
		}
	}
	var content []byte
	for _, e := range packet {
		content = e.AppendRLP(content)
	}
	body := append(rlpListHeader(len(content)), content...)

	type outcome struct {
		pool     []common.Hash
		payloads []string
		dup, old float64
	}
	run := func(workers int) outcome {
		w := newTestWhisper(t, func(c *Config) { c.IngestWorkers = workers; c.Now = func() time.Time { return now } })
		f := &Filter{KeySym: key, Topics: []wproto.Topic{topic}}
		if _, err := w.Filters().Install(f); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Send(pooled); err != nil {
			t.Fatal(err)
		}
		r := connectRaw(t, w.Whisper, goodStatus(), true)
		testutil.WaitFor(t, 5*time.Second, "handshake", func() bool { return w.PeerCount() == 1 })
		if err := r.send(wproto.MessagesCode, body); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, 5*time.Second, "packet ingested", func() bool {
			return w.m.in.Value("peer")+w.m.dropped.Value(dropDuplicate)+w.m.dropped.Value(dropVeryOld) == float64(len(packet))
		})
		var o outcome
		for _, e := range w.pool.snapshot() {
			if e.hash() != e.env.Hash() || !e.powSet || e.pow != e.env.PoW(now) {
				t.Errorf("workers %d: pooled entry %x: hash %x, pow %v (set %v), want %v", workers, e.env.Hash(), e.hash(), e.pow, e.powSet, e.env.PoW(now))
			}
			o.pool = append(o.pool, e.hash())
		}
		slices.SortFunc(o.pool, func(a, b common.Hash) int { return a.Cmp(b) })
		msgs, _ := f.Retrieve(0)
		for _, m := range msgs {
			o.payloads = append(o.payloads, string(m.Payload))
		}
		o.dup, o.old = w.m.dropped.Value(dropDuplicate), w.m.dropped.Value(dropVeryOld)
		return o
	}
	one, four := run(1), run(4)
	if len(one.pool) != 81 || len(one.payloads) != 80 || one.dup != 21 || one.old != 5 {
		t.Fatalf("one goroutine: %d pooled, %d messages, %v duplicates, %v old; want 81, 80, 21, 5", len(one.pool), len(one.payloads), one.dup, one.old)
	}
	for i, p := range one.payloads {
		if want := fmt.Sprintf("m%02d", i); p != want {
			t.Fatalf("message %d is %q, want %q (packet order)", i, p, want)
		}
	}
	if !slices.Equal(one.pool, four.pool) || !slices.Equal(one.payloads, four.payloads) || one.dup != four.dup || one.old != four.old {
		t.Fatalf("four goroutines differ: %d pooled, %d messages, %v duplicates, %v old", len(four.pool), len(four.payloads), four.dup, four.old)
	}
}
