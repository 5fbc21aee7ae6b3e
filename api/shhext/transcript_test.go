package shhext

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/statusnode/statusd/api/internal/rpctest"
	"github.com/statusnode/statusd/internal/messenger"
)

// TestTranscripts replays testdata/*.js against the namespace over fakes:
// every answer, errors included, byte for byte. Files named nomail-*.js
// run without a mailserver requester; "!!" steps change the fakes.
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.js")
	if err != nil || len(files) == 0 {
		t.Fatalf("no transcripts: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			srv, fk := newFakeServer(t, strings.HasPrefix(filepath.Base(f), "nomail-"))
			rpctest.Replay(t, srv, f, actions(fk.m))
		})
	}
}

func actions(m *fakeMessenger) map[string]func() {
	setErr := func(err error) func() { return func() { m.Mu.Lock(); m.Err = err; m.Mu.Unlock() } }
	return map[string]func(){
		"alice writes":  func() { m.receive("status", "hello from alice") },
		"add group":     func() { m.addGroup("group-1") },
		"stop":          setErr(messenger.ErrStopped),
		"store breaks":  setErr(errors.New("messenger: store: disk full")),
		"deletes break": func() { m.Mu.Lock(); m.deleteErr = errors.New("messenger: store: disk full"); m.Mu.Unlock() },
		"deletes work":  func() { m.Mu.Lock(); m.deleteErr = nil; m.Mu.Unlock() },
		"alice updates": func() {
			m.addContact(messenger.Contact{ID: aliceKey, Name: "alice", ProfileImage: "data:image/png;base64,AAAA", Address: "0xabc",
				LastUpdated: 1700000000123, Devices: []string{"inst-a1", "inst-a2"}, Added: true, RequestReceived: true})
		},
	}
}
