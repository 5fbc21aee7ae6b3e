package whisper

import (
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// TestSharedKeyDecryptsOnce: however many filters share a key (10 or
// 10 000), an envelope on their topic is decrypted once, and every filter
// gets it.
func TestSharedKeyDecryptsOnce(t *testing.T) {
	for _, n := range []int{10, 10000} {
		w := newTestWhisper(t, func(c *Config) { c.MaxFilters = n })
		key, topic := testKey(t), wproto.TopicFromName("shared")
		var ids []string
		for range n {
			k := *key
			id, err := w.Filters().Install(&Filter{KeySym: &k, Topics: []wproto.Topic{topic}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		before := w.m.decryptions.Value()
		if _, err := w.Send(sealed(t, key, topic, []byte("x"), time.Now(), 0.002)); err != nil {
			t.Fatal(err)
		}
		if d := w.m.decryptions.Value() - before; d != 1 {
			t.Fatalf("%d filters: %v decryptions for one envelope, want 1", n, d)
		}
		for _, id := range []string{ids[0], ids[n-1]} {
			f, _ := w.Filters().Get(id)
			if msgs, err := f.Retrieve(0); err != nil || len(msgs) != 1 {
				t.Fatalf("%d filters: filter got %d, %v", n, len(msgs), err)
			}
		}
	}
}

// TestFilterLimit: past --shh.maxfilters installing is refused with an
// error naming the limit; uninstalling every filter (in any order) leaves
// the index empty and makes room again.
func TestFilterLimit(t *testing.T) {
	const max = 20000
	w := newTestWhisper(t, func(c *Config) { c.MaxFilters = max })
	key, topic := testKey(t), wproto.TopicFromName("many")
	var ids []string
	for range max {
		id, err := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	_, err := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
	if !errors.Is(err, ErrTooManyFilters) || !strings.Contains(err.Error(), fmt.Sprint(max)) || !strings.Contains(err.Error(), "--shh.maxfilters") {
		t.Fatalf("past the limit: %v", err)
	}
	for i := range ids { // middle out, to exercise the swap removal
		j := (i*7919 + max/2) % max
		if ids[j] != "" && !w.Filters().Uninstall(ids[j]) {
			t.Fatalf("uninstall %d", j)
		}
		ids[j] = ""
	}
	for _, id := range ids {
		if id != "" {
			w.Filters().Uninstall(id)
		}
	}
	if n := w.Filters().Len(); n != 0 || len(w.Filters().byTopic) != 0 {
		t.Fatalf("%d filters, %d topics left", n, len(w.Filters().byTopic))
	}
	if _, err := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}}); err != nil {
		t.Fatalf("after teardown: %v", err)
	}
}

// TestKeyLimit: past --shh.maxkeys adding a key is refused naming the
// limit; replacing an existing key pair is not refused.
func TestKeyLimit(t *testing.T) {
	ks := NewKeyStore(rand.Reader, 3)
	id, err := ks.NewKeyPair()
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := ks.GenerateSymKey(); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ks.GenerateSymKey(); !errors.Is(err, ErrTooManyKeys) || !strings.Contains(err.Error(), "at most 3") {
		t.Fatalf("sym past the limit: %v", err)
	}
	if _, err := ks.NewKeyPair(); !errors.Is(err, ErrTooManyKeys) {
		t.Fatalf("pair past the limit: %v", err)
	}
	key, _ := ks.PrivateKey(id)
	if _, err := ks.AddKeyPair(key); err != nil {
		t.Fatalf("re-adding a stored pair: %v", err)
	}
	ks.DeleteKeyPair(id)
	if _, err := ks.NewKeyPair(); err != nil {
		t.Fatalf("after a delete: %v", err)
	}
}

// TestPolledFilterBound: a polled filter holds at most its byte bound;
// what does not fit is counted, the next poll fails naming how many were
// lost and the bound, and the one after returns what was held. A poll
// answer is paged to its byte cap.
func TestPolledFilterBound(t *testing.T) {
	w := newTestWhisper(t, func(c *Config) { c.FilterBytes = 64 << 10 })
	key, topic := testKey(t), wproto.TopicFromName("flood")
	id, err := w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
	if err != nil {
		t.Fatal(err)
	}
	const sent = 40 // 40 × ~4 KiB against a 64 KiB bound
	for i := range sent {
		if _, err := w.Send(sealed(t, key, topic, append([]byte{byte(i)}, make([]byte, 4000)...), time.Now(), 0.002)); err != nil {
			t.Fatal(err)
		}
	}
	f, _ := w.Filters().Get(id)
	f.mu.Lock()
	held, size, lost := len(f.msgs), f.size, f.lost
	f.mu.Unlock()
	if size > 64<<10 || held+lost != sent || lost == 0 {
		t.Fatalf("held %d (%d bytes), lost %d of %d", held, size, lost, sent)
	}
	_, err = f.Retrieve(0)
	if !errors.Is(err, ErrMessagesLost) || !strings.Contains(err.Error(), fmt.Sprintf("%d messages", lost)) || !strings.Contains(err.Error(), "65536 bytes") {
		t.Fatalf("first poll: %v", err)
	}
	page, err := f.Retrieve(3 * 4300)
	if err != nil || len(page) != 2 {
		t.Fatalf("paged poll: %d, %v", len(page), err)
	}
	rest, err := f.Retrieve(0)
	if err != nil || len(page)+len(rest) != held || rest[0].Payload[0] != 2 {
		t.Fatalf("rest: %d, %v", len(rest), err)
	}
}

// TestLaggingSubscriberCounted: a subscription whose reader does not keep
// up has the messages that did not fit counted for TakeLost.
func TestLaggingSubscriberCounted(t *testing.T) {
	w := newTestWhisper(t, func(c *Config) { c.FilterQueue = 4 })
	key, topic := testKey(t), wproto.TopicFromName("lag")
	id, ch, err := w.Filters().Subscribe(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 10 {
		w.Send(sealed(t, key, topic, []byte{byte(i)}, time.Now(), 0.002))
	}
	f, _ := w.Filters().Get(id)
	testutil.WaitFor(t, time.Second, "queue full", func() bool { return len(ch) == 4 })
	if n := f.TakeLost(); n != 6 {
		t.Fatalf("lost %d, want 6", n)
	}
	if n := f.TakeLost(); n != 0 {
		t.Fatalf("TakeLost did not reset: %d", n)
	}
}

// BenchmarkFilterTeardown: removing N filters of one topic costs O(N) in
// all (each removal O(1)); compare N=1000 with N=20000 per op.
func BenchmarkFilterTeardown(b *testing.B) {
	for _, n := range []int{1000, 20000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			w := newTestWhisper(b, func(c *Config) { c.MaxFilters = n })
			key, topic := testKey(b), wproto.TopicFromName("many")
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				ids := make([]string, n)
				for j := range ids {
					ids[j], _ = w.Filters().Install(&Filter{KeySym: key, Topics: []wproto.Topic{topic}})
				}
				b.StartTimer()
				for _, id := range ids {
					w.Filters().Uninstall(id)
				}
			}
		})
	}
}
