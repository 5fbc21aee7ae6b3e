package mailservers

import (
	"path/filepath"
	"testing"

	"github.com/statusnode/statusd/api/internal/rpctest"
)

// TestTranscripts replays testdata/*.js against the namespace over a
// store in memory and a fake pinger: every answer, errors included, byte
// for byte. "!!" steps break and mend the store.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			srv, kv, _ := newFakeServer(t)
			set := func(b bool) func() { return func() { kv.mu.Lock(); kv.broken = b; kv.mu.Unlock() } }
			rpctest.Replay(t, srv, f, map[string]func(){"disk fails": set(true), "disk works": set(false)})
		})
	}
}
