package api

import (
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/api/internal/rpctest"
)

// TestTranscripts replays testdata/*.js (web3_, net_, admin_) against the
// namespaces over a fake P2P server: the exact bytes of every answer,
// errors included, are pinned down.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			srv := rpc.NewServer()
			defer srv.Stop()
			for ns, svc := range map[string]any{
				"web3":  NewWeb3API("statusd/v0.1.0-test/linux-amd64/go1.26.0"),
				"net":   NewNetAPI(newFakeP2P(), 1),
				"admin": NewAdminAPI(newFakeP2P(), nil),
			} {
				if err := srv.RegisterName(ns, svc); err != nil {
					t.Fatal(err)
				}
			}
			rpctest.Replay(t, srv, f, nil)
		})
	}
}
