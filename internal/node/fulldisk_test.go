package node

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/api/statusd"
	"github.com/statusnode/statusd/lib/testutil"
)

// TestFullDiskRecovery: a node whose data directory fills up says so —
// sends fail with the system's error and statusd_health is unhealthy — and,
// once space is freed, within 10 s and without a restart, sends work again,
// statusd_health is healthy and every message stored before is still there.
func TestFullDiskRecovery(t *testing.T) {
	disk := testutil.SmallDisk(t, 64<<20)
	c := testConfig(t)
	c.DataDir = filepath.Join(disk, "data")
	n := startNode(t, c)
	rc := dialHTTP(t, n)
	var chat any
	call(t, rc, &chat, "statusd_joinPublicChat", "fulldisk")
	for i := range 10 {
		var id string
		call(t, rc, &id, "statusd_sendText", "fulldisk", fmt.Sprint("before ", i))
	}
	health := func() statusd.Health {
		var h statusd.Health
		call(t, rc, &h, "statusd_health")
		return h
	}
	if h := health(); !h.Healthy {
		t.Fatalf("before: %+v", h)
	}

	filler := testutil.FillDisk(t, disk)
	var sendErr error
	for i := 0; i < 100000 && sendErr == nil; i++ {
		var id string
		sendErr = rc.Call(&id, "statusd_sendText", "fulldisk", fmt.Sprint("filling ", i, strings.Repeat("x", 2000)))
	}
	var rerr rpc.Error
	if !errors.As(sendErr, &rerr) || !strings.Contains(sendErr.Error(), "no space left on device") {
		t.Fatalf("send on a full disk: %v", sendErr)
	}
	if h := health(); h.Healthy || !strings.Contains(h.Error, "no space left on device") {
		t.Fatalf("health on a full disk: %+v", h)
	}

	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, "healthy without a restart", func() bool { return health().Healthy })
	var id string
	call(t, rc, &id, "statusd_sendText", "fulldisk", "after")
	var page struct {
		Messages []struct{ Text string }
		Cursor   string
	}
	texts := map[string]bool{}
	cursor := ""
	for {
		call(t, rc, &page, "statusd_messages", "fulldisk", cursor, 500)
		for _, m := range page.Messages {
			texts[m.Text] = true
		}
		if page.Cursor == "" || len(page.Messages) == 0 {
			break
		}
		cursor = page.Cursor
	}
	for i := range 10 {
		if !texts[fmt.Sprint("before ", i)] {
			t.Errorf("lost %q", fmt.Sprint("before ", i))
		}
	}
	if !texts["after"] {
		t.Error("the message sent after recovery is not stored")
	}
}
