package logging

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

func TestJSONAndLevel(t *testing.T) {
	var buf bytes.Buffer
	log, err := New("warn", "json", &buf)
	if err != nil {
		t.Fatal(err)
	}
	log.Named("p2p").Info("hidden")
	log.Named("p2p").Warn("shown", zap.String("k", "v"))
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 1 {
		t.Fatalf("want 1 line, got %q", buf.String())
	}
	var rec map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &rec); err != nil {
		t.Fatal(err)
	}
	if rec["logger"] != "p2p" || rec["msg"] != "shown" || rec["k"] != "v" {
		t.Fatalf("record = %v", rec)
	}
}

func TestBadSettings(t *testing.T) {
	if _, err := New("loud", "json", nil); err == nil {
		t.Error("bad level accepted")
	}
	if _, err := New("info", "xml", nil); err == nil {
		t.Error("bad format accepted")
	}
}

func TestSlogBridge(t *testing.T) {
	var buf bytes.Buffer
	log, _ := New("debug", "json", &buf)
	s := slog.New(NewSlogHandler(log)).With("peer", "abc").WithGroup("g")
	s.Debug("dialing", "n", 3)
	s.Log(context.Background(), slog.Level(-8), "trace") // below debug: dropped
	out := buf.String()
	for _, want := range []string{`"msg":"dialing"`, `"peer":"abc"`, `"g.n":3`} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %s: %s", want, out)
		}
	}
}

func TestSlogDropsTrace(t *testing.T) {
	var buf bytes.Buffer
	log, _ := New("debug", "json", &buf)
	slog.New(NewSlogHandler(log)).Log(context.Background(), slog.Level(-8), "trace")
	if buf.Len() != 0 {
		t.Fatalf("trace record written: %s", buf.String())
	}
}

func TestDurationsHaveUnits(t *testing.T) {
	for _, format := range []string{"json", "console"} {
		var buf bytes.Buffer
		log, _ := New("info", format, &buf)
		log.Info("unlocked", zap.Duration("kdf", 5200*time.Millisecond))
		slog.New(NewSlogHandler(log)).Info("dial", "wait", 5200*time.Millisecond) // go-ethereum's logs too
		if strings.Count(buf.String(), `5.2s`) != 2 || strings.Contains(buf.String(), `5.2}`) {
			t.Errorf("%s: %q", format, buf.String())
		}
	}
}
