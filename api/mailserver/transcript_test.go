package mailserver

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/statusnode/statusd/api/internal/rpctest"
	msproto "github.com/statusnode/statusd/protocol/mailserver"
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/mailserver"
	"github.com/statusnode/statusd/transport/whisper"
)

// TestTranscripts replays testdata/*.js against the namespace (and the two
// shhext_ history methods) over a fake client: every answer and event
// notification, errors included, byte for byte. "!!" steps script the
// fake's next answers or publish client events.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			srv, c, _ := newFakeServer(t)
			rpctest.Replay(t, srv, f, actions(c))
		})
	}
}

func actions(c *fakeClient) map[string]func() {
	topic := wproto.Topic{0xcd, 0x42, 0x37, 0x60}
	return map[string]func(){
		"ms1 times out":        func() { c.script(ms1URL, reply{err: fmt.Errorf("%w: no completion", mailserver.ErrTimeout)}) },
		"ms1 is not connected": func() { c.script(ms1URL, reply{notSent: true, err: fmt.Errorf("%w: ms1", whisper.ErrPeerNotFound)}) },
		"ms1 fails": func() {
			c.script(ms1URL, reply{err: fmt.Errorf("%w: ERROR=archive unavailable", mailserver.ErrRequestFailed)})
		},
		"ms1 answers a cursor": func() { c.script(ms1URL, reply{res: &mailserver.Result{Cursor: cursor(1700000000, 0xab)}}) },
		"ms1 is stopped":       func() { c.script(ms1URL, reply{notSent: true, err: mailserver.ErrStopped}) },
		"ms1 rejects params": func() {
			c.script(ms1URL, reply{notSent: true, err: fmt.Errorf("%w: limit too large", mailserver.ErrInvalidParams)})
		},
		"ms1 breaks": func() { c.script(ms1URL, reply{notSent: true, err: fmt.Errorf("mailserver: disk full")}) },
		"ms1 fill times out": func() {
			c.mu.Lock()
			c.fillErr[c.servers[0].ID()] = fmt.Errorf("%w: gap", mailserver.ErrTimeout)
			c.mu.Unlock()
		},
		"track fails": func() {
			c.mu.Lock()
			c.trackErr = fmt.Errorf("%w: bad record", mailserver.ErrCorruptState)
			c.mu.Unlock()
		},
		"publish completed": func() {
			c.bus.Publish(mailserver.Event{Kind: mailserver.EventRequestCompleted, RequestID: common.Hash{1},
				Completion: &msproto.Completion{RequestID: common.Hash{1}, LastEnvelopeHash: common.Hash{2}, Cursor: cursor(1700000000, 3)}, Envelopes: 3})
		},
		"publish completed without completion": func() {
			c.bus.Publish(mailserver.Event{Kind: mailserver.EventRequestCompleted, RequestID: common.Hash{4}})
		},
		"publish failed": func() {
			c.bus.Publish(mailserver.Event{Kind: mailserver.EventRequestCompleted, RequestID: common.Hash{5},
				Completion: &msproto.Completion{RequestID: common.Hash{5}, Error: "archive unavailable"}})
		},
		"publish expired": func() {
			c.bus.Publish(mailserver.Event{Kind: mailserver.EventRequestExpired, RequestID: common.Hash{6}})
		},
		"publish unknown": func() { c.bus.Publish(mailserver.Event{Kind: 99}) },
		"publish gap found": func() {
			c.bus.Publish(mailserver.Event{Kind: mailserver.EventGapFound, Topic: topic, Range: mailserver.Range{From: 1700050001, To: 1700086400}})
		},
		"publish gap filled": func() {
			c.bus.Publish(mailserver.Event{Kind: mailserver.EventGapFilled, Topic: topic, Range: mailserver.Range{From: 1700050001, To: 1700086400}})
		},
	}
}
