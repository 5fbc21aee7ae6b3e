package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ethereum/go-ethereum/rpc"
)

// Chat commands (statusd_ namespace):
//
//	join NAME                       join a public chat
//	send CHAT TEXT…                 send a text to a public chat name, a 0x04… chat key (1:1) or a group ID
//	chats                           list chats
//	messages [--limit N] CHAT       a chat's newest messages, oldest first
//	contacts                        list contacts
//	installations                   list our devices
//	watch [--count N] [TYPE…]       stream events (IPC or WebSocket) until interrupted or N events
const chatUsage = "join NAME | send CHAT TEXT… | chats | messages [--limit N] CHAT | contacts | installations | watch [--count N] [TYPE…]"

// chatCommand runs a chat command; ok is false when args[0] is not one.
func chatCommand(ctx context.Context, c *rpc.Client, o options, args []string, out io.Writer) (bool, error) {
	switch args[0] {
	case "join":
		if len(args) != 2 {
			return true, usageError("usage: statusctl join NAME")
		}
		var chat map[string]any
		if err := c.CallContext(ctx, &chat, "statusd_joinPublicChat", args[1]); err != nil {
			return true, err
		}
		return true, printResult(out, o.json, chat, fmt.Sprintf("joined #%s\n", args[1]))
	case "send":
		return true, send(ctx, c, o, args[1:], out)
	case "chats":
		return true, chats(ctx, c, o, out)
	case "messages":
		return true, messages(ctx, c, o, args[1:], out)
	case "contacts":
		return true, contacts(ctx, c, o, out)
	case "installations":
		return true, installations(ctx, c, o, out)
	case "watch":
		return true, watch(ctx, c, o, args[1:], out)
	}
	return false, nil
}

func send(ctx context.Context, c *rpc.Client, o options, args []string, out io.Writer) error {
	if len(args) < 2 {
		return usageError("usage: statusctl send CHAT TEXT…")
	}
	chat, text := args[0], strings.Join(args[1:], " ")
	if strings.HasPrefix(chat, "0x04") && len(chat) == 132 {
		if err := c.CallContext(ctx, nil, "statusd_startOneToOne", chat); err != nil {
			return err
		}
	}
	var id string
	if err := c.CallContext(ctx, &id, "statusd_sendText", chat, text); err != nil {
		return err
	}
	return printResult(out, o.json, map[string]string{"id": id}, id+"\n")
}

type chatRow struct {
	ID      string   `json:"id"`
	Type    int      `json:"type"`
	Name    string   `json:"name"`
	Active  bool     `json:"active"`
	Unread  int      `json:"unread"`
	Members []string `json:"members"`
}

var chatTypes = map[int]string{1: "public", 2: "1:1", 3: "group"}

func chats(ctx context.Context, c *rpc.Client, o options, out io.Writer) error {
	var raw json.RawMessage
	if err := c.CallContext(ctx, &raw, "statusd_chats"); err != nil {
		return err
	}
	if o.json {
		return printJSON(out, raw)
	}
	var rows []chatRow
	if err := json.Unmarshal(raw, &rows); err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(out, "no chats")
	}
	for _, r := range rows {
		state := ""
		if !r.Active {
			state = " (inactive)"
		}
		if r.Name != "" && r.Name != r.ID {
			state = " \"" + r.Name + "\"" + state
		}
		fmt.Fprintf(out, "%-6s  %s  unread %d%s\n", chatTypes[r.Type], r.ID, r.Unread, state)
	}
	return nil
}

type messageRow struct {
	ID        string `json:"id"`
	From      string `json:"from"`
	Text      string `json:"text"`
	Timestamp int64  `json:"timestamp"`
	Outgoing  bool   `json:"outgoing"`
	Delivery  string `json:"delivery"`
}

func messages(ctx context.Context, c *rpc.Client, o options, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("messages", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	limit := fs.Int("limit", 20, "how many of the newest messages")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		return usageError("usage: statusctl messages [--limit N] CHAT")
	}
	var page struct {
		Messages []json.RawMessage `json:"messages"`
		Cursor   string            `json:"cursor"`
	}
	if err := c.CallContext(ctx, &page, "statusd_messages", fs.Arg(0), "", *limit); err != nil {
		return err
	}
	if o.json {
		return printJSON(out, page.Messages)
	}
	for i := len(page.Messages) - 1; i >= 0; i-- {
		var m messageRow
		if err := json.Unmarshal(page.Messages[i], &m); err != nil {
			return err
		}
		at := time.UnixMilli(m.Timestamp).Format("2006-01-02 15:04:05")
		state := ""
		if m.Delivery != "" && m.Delivery != "none" {
			state = "  [" + m.Delivery + "]"
		}
		fmt.Fprintf(out, "%s  %s  %s%s\n", at, shortKey(m.From), m.Text, state)
	}
	return nil
}

func contacts(ctx context.Context, c *rpc.Client, o options, out io.Writer) error {
	var rows []struct {
		ID      string `json:"id"`
		Name    string `json:"name"`
		Added   bool   `json:"added"`
		Blocked bool   `json:"blocked"`
	}
	if err := c.CallContext(ctx, &rows, "statusd_contacts"); err != nil {
		return err
	}
	if o.json {
		return printJSON(out, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(out, "no contacts")
	}
	for _, r := range rows {
		tags := []string{}
		if r.Added {
			tags = append(tags, "added")
		}
		if r.Blocked {
			tags = append(tags, "blocked")
		}
		fmt.Fprintf(out, "%s  %-20s  %s\n", r.ID, r.Name, strings.Join(tags, ","))
	}
	return nil
}

func installations(ctx context.Context, c *rpc.Client, o options, out io.Writer) error {
	var rows []struct {
		ID       string `json:"id"`
		Enabled  bool   `json:"enabled"`
		Own      bool   `json:"own"`
		Metadata struct {
			Name       string `json:"name"`
			DeviceType string `json:"device_type"`
		} `json:"metadata"`
	}
	if err := c.CallContext(ctx, &rows, "statusd_installations"); err != nil {
		return err
	}
	if o.json {
		return printJSON(out, rows)
	}
	for _, r := range rows {
		state := "disabled"
		switch {
		case r.Own:
			state = "this device"
		case r.Enabled:
			state = "paired"
		}
		fmt.Fprintf(out, "%s  %-12s  %s %s\n", r.ID, state, r.Metadata.Name, r.Metadata.DeviceType)
	}
	return nil
}

// watch streams statusd_subscribe("events") notifications, one per line,
// until interrupted, the connection closes, or --count events were shown.
// It ignores --timeout.
func watch(ctx context.Context, c *rpc.Client, o options, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("watch", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	count := fs.Int("count", 0, "exit after this many events (0: never)")
	if err := fs.Parse(args); err != nil {
		return usageError("usage: statusctl watch [--count N] [TYPE…]")
	}
	ctx, stop := signal.NotifyContext(context.WithoutCancel(ctx), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ch := make(chan json.RawMessage, 256)
	var filter any
	if fs.NArg() > 0 {
		filter = map[string]any{"types": fs.Args()}
	}
	subArgs := []any{"events"}
	if filter != nil {
		subArgs = append(subArgs, filter)
	}
	sub, err := c.Subscribe(ctx, "statusd", ch, subArgs...)
	if err != nil {
		return fmt.Errorf("subscribe (needs IPC or WebSocket): %w", err)
	}
	defer sub.Unsubscribe()
	for n := 0; *count == 0 || n < *count; n++ {
		select {
		case raw := <-ch:
			if err := printEvent(out, o.json, raw); err != nil {
				return err
			}
		case err := <-sub.Err():
			return err
		case <-ctx.Done():
			return nil
		}
	}
	return nil
}

func printEvent(out io.Writer, asJSON bool, raw json.RawMessage) error {
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
	_, err := fmt.Fprintf(out, "%-24s %s\n", ev.Type, summary(ev.Type, ev.Event))
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
		Count     uint64   `json:"count"`
	}
	_ = json.Unmarshal(raw, &e)
	switch {
	case e.Message != nil:
		return fmt.Sprintf("%s  %s: %s", e.Message.ChatID, shortKey(e.Message.From), e.Message.Text)
	case e.State != "":
		return e.MessageID + " " + e.State
	case e.Hash != "":
		return e.Hash + " carrying " + strconv.Itoa(len(e.IDs)) + " message(s)"
	case e.Peer != "":
		return shortID(e.Peer)
	}
	return string(raw)
}

func shortKey(k string) string {
	if len(k) > 14 {
		return k[:10] + "…" + k[len(k)-4:]
	}
	return k
}
