package node

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/gorilla/websocket"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/identity"
	"github.com/statusnode/statusd/lib/testutil"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// floodConfig is a test node for the flood tests: PoW is not what they
// test, so the node asks for none and flood seals nothing (sealing 20 000
// envelopes at the default 0.001 took most of their time).
func floodConfig(t *testing.T) config.Config {
	c := testConfig(t)
	c.Whisper.MinPoW = 0
	return c
}

// flood hands n's router count envelopes on topic under key, as fast as
// it takes them (the way a burst from peers reaches its filters), each
// sealed to n's minimum PoW.
func flood(t *testing.T, n *Node, key wproto.SymKey, topic wproto.Topic, count int) {
	t.Helper()
	pow := n.cfg.Whisper.MinPoW
	for i := range count {
		e, err := wproto.Wrap(&wproto.MessageParams{TTL: 300, KeySym: &key, Topic: topic,
			Payload: []byte(fmt.Sprintf("flood %05d", i)), PoW: pow}, time.Now(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := whisper.Seal(t.Context(), e, pow, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Whisper().Send(e); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPolledFilterUnderFlood: 20 000 envelopes reach a node while nobody
// polls. With the default bound every one is returned (over as many polls
// as the answer cap needs); with a small bound the next poll fails saying
// how many were lost, and the one after returns what was kept — never a
// silent loss.
func TestPolledFilterUnderFlood(t *testing.T) {
	const total = 20000
	for _, bound := range []int{0, 64 << 10} {
		t.Run(fmt.Sprint("bound ", bound), func(t *testing.T) {
			c := floodConfig(t)
			if bound > 0 {
				c.Whisper.FilterBytes = bound
			}
			n := startNode(t, c)
			rc := dialHTTP(t, n)
			key, err := wproto.SymKeyFromPassword("flood")
			if err != nil {
				t.Fatal(err)
			}
			var sym, id string
			call(t, rc, &sym, "shh_addSymKey", hexutil.Encode(key[:]))
			topic := wproto.TopicFromName("flood")
			call(t, rc, &id, "shh_newMessageFilter", map[string]any{"symKeyID": sym, "topics": []string{hexutil.Encode(topic[:])}})
			flood(t, n, key, topic, total)
			got, lost := 0, 0
			for polls := 0; polls < 50; polls++ {
				var msgs []json.RawMessage
				err := rc.Call(&msgs, "shh_getFilterMessages", id)
				var rerr rpc.Error
				switch {
				case errors.As(err, &rerr) && strings.Contains(err.Error(), "messages lost"):
					if _, err := fmt.Sscanf(err.Error()[strings.Index(err.Error(), "lost: ")+6:], "%d messages", &lost); err != nil {
						t.Fatalf("count in %q: %v", err, err)
					}
					if !strings.Contains(err.Error(), "--shh.filterbytes") {
						t.Fatalf("error does not name the bound: %v", err)
					}
					continue
				case err != nil:
					t.Fatal(err)
				}
				if len(msgs) == 0 {
					break
				}
				got += len(msgs)
			}
			if got+lost != total {
				t.Fatalf("returned %d, reported lost %d: %d unaccounted for", got, lost, total-got-lost)
			}
			if bound == 0 && lost != 0 {
				t.Fatalf("the default bound lost %d of %d", lost, total)
			}
			if bound > 0 && lost == 0 {
				t.Fatal("a 64 KiB bound held 20 000 messages")
			}
			testutil.CheckRSS(t, 0, "the node (test process)")
		})
	}
}

// TestLaggingSubscriberToldOfLoss: a WebSocket subscriber that stops
// reading while 20 000 messages arrive gets, once it reads again, every
// message the node could keep and {lost, reason} notifications for the
// rest: together they account for all 20 000.
func TestLaggingSubscriberToldOfLoss(t *testing.T) {
	const total = 20000
	n := startNode(t, floodConfig(t))
	tok, _, err := identity.LoadOrCreateToken(n.TokenPath())
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := websocket.DefaultDialer.Dial(n.RPC().WSURL(), http.Header{"Authorization": {"Bearer " + tok}, "Origin": {"http://localhost"}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	key, _ := wproto.SymKeyFromPassword("lag")
	topic := wproto.TopicFromName("lag")
	send := func(id int, method string, params ...any) {
		if err := ws.WriteJSON(map[string]any{"jsonrpc": "2.0", "id": id, "method": method, "params": params}); err != nil {
			t.Fatal(err)
		}
	}
	send(1, "shh_addSymKey", hexutil.Encode(key[:]))
	var r struct{ Result string }
	if err := ws.ReadJSON(&r); err != nil || r.Result == "" {
		t.Fatalf("addSymKey: %+v %v", r, err)
	}
	send(2, "shh_subscribe", "messages", map[string]any{"symKeyID": r.Result, "topics": []string{hexutil.Encode(topic[:])}})
	if err := ws.ReadJSON(&r); err != nil || r.Result == "" {
		t.Fatalf("subscribe: %+v %v", r, err)
	}
	flood(t, n, key, topic, total) // nobody reads meanwhile
	got, lost := 0, 0
	ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for got+lost < total {
		var note struct {
			Params struct {
				Result json.RawMessage `json:"result"`
			} `json:"params"`
		}
		if err := ws.ReadJSON(&note); err != nil {
			t.Fatalf("after %d messages and %d reported lost: %v", got, lost, err)
		}
		var l struct {
			Lost   int    `json:"lost"`
			Reason string `json:"reason"`
		}
		if json.Unmarshal(note.Params.Result, &l) == nil && l.Lost > 0 {
			lost += l.Lost
			continue
		}
		got++
	}
	if got+lost != total {
		t.Fatalf("got %d, lost %d, of %d", got, lost, total)
	}
	t.Logf("delivered %d, reported lost %d", got, lost)
	testutil.CheckRSS(t, 0, "the node (test process)")
}
