package shh

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/statusnode/statusd/api/internal/rpctest"
)

// TestTranscripts replays testdata/*.js against the namespace over a fake
// router: every answer, errors included, byte for byte. Files named
// export-*.js run with AllowPrivateKeyExport.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			cfg := Config{AllowPrivateKeyExport: strings.HasPrefix(filepath.Base(f), "export-")}
			srv, _, _ := newFakeServer(t, cfg)
			rpctest.Replay(t, srv, f, nil)
		})
	}
}
