package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// watch streams statusd_subscribe("events") notifications, one per line,
// until interrupted, the connection closes, or --count events were shown.
// It ignores --timeout.
func watch(s *session, types []string) error {
	ctx, stop := signal.NotifyContext(context.WithoutCancel(s.ctx), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := s.rpc()
	if err != nil {
		return err
	}
	subArgs := []any{"events"}
	if len(types) > 0 {
		subArgs = append(subArgs, map[string]any{"types": types})
	}
	ch := make(chan json.RawMessage, 256)
	sub, err := c.Subscribe(ctx, "statusd", ch, subArgs...)
	if err != nil {
		return fmt.Errorf("subscribe to events (needs IPC or a ws:// --rpc): %w", err)
	}
	defer sub.Unsubscribe()
	for n := 0; s.f.count == 0 || n < s.f.count; n++ {
		select {
		case raw := <-ch:
			if err := printEvent(s.out, s.o.json, time.Now(), raw); err != nil {
				return err
			}
		case err := <-sub.Err():
			if err == nil {
				err = io.EOF
			}
			return fmt.Errorf("after %d event(s): %w", n, err)
		case <-ctx.Done():
			return nil
		}
	}
	return nil
}

// printEvent writes one event: "15:04:05  type  summary", or the JSON line.
func printEvent(out io.Writer, asJSON bool, at time.Time, raw json.RawMessage) error {
	if asJSON {
		_, err := fmt.Fprintf(out, "%s\n", raw)
		return err
	}
	var ev struct {
		Type  string          `json:"type"`
		Event json.RawMessage `json:"event"`
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return err
	}
	_, err := fmt.Fprintf(out, "%s  %-24s %s\n", at.Format("15:04:05"), ev.Type, summary(ev.Type, ev.Event))
	return err
}

// summary is a one-line human form of an event payload.
func summary(typ string, raw json.RawMessage) string {
	var e struct {
		Message *struct {
			ChatID string `json:"chat_id"`
			From   string `json:"from"`
			Text   string `json:"text"`
		} `json:"message"`
		MessageID string   `json:"message_id"`
		State     string   `json:"state"`
		Hash      string   `json:"hash"`
		IDs       []string `json:"message_ids"`
		Peer      string   `json:"peer"`
	}
	_ = json.Unmarshal(raw, &e)
	switch {
	case e.Message != nil:
		return fmt.Sprintf("%s  %s: %s", abbreviate(e.Message.ChatID), shortKey(e.Message.From), e.Message.Text)
	case e.State != "":
		return shortKey(e.MessageID) + " " + e.State
	case e.Hash != "" && len(e.IDs) == 0:
		return "envelope " + shortKey(e.Hash) + " (protocol data: acknowledgements, keys or pairing, no chat message)"
	case e.Hash != "":
		ids := make([]string, len(e.IDs))
		for i, id := range e.IDs {
			ids[i] = shortKey(id)
		}
		return "envelope " + shortKey(e.Hash) + " with message " + strings.Join(ids, ", ")
	case e.Peer != "":
		return shortID(e.Peer)
	}
	return string(raw)
}
