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

// historyDrain is how long history waits, after the last page, for the
// node to finish turning fetched envelopes into messages.
const historyDrain = time.Second

// progress counts what a history fetch has done so far.
type progress struct {
	ranges, filled, pages, envelopes, messages int
}

// line is the progress as text: a bar over the ranges to fetch, then the
// counts.
func (p progress) line() string {
	const width = 20
	done := 0
	if p.ranges > 0 {
		done = width * p.filled / p.ranges
	}
	return fmt.Sprintf("[%s%s] %d/%d ranges  %d pages  %d envelopes  %d messages",
		strings.Repeat("#", done), strings.Repeat(".", width-done), p.filled, p.ranges, p.pages, p.envelopes, p.messages)
}

// history fetches a chat's missing history with mailserver_fillGaps and
// shows progress from the mailserver and message events as they come.
func history(s *session, args []string) error {
	ctx, stop := signal.NotifyContext(context.WithoutCancel(s.ctx), os.Interrupt, syscall.SIGTERM)
	defer stop()
	from, err := parseSince(s.f.since, time.Now())
	if err != nil {
		return usageError(fmt.Sprintf("statusctl history: --since %q: %v", s.f.since, err))
	}
	chat, label, topics, err := s.historyTopics(args[0])
	if err != nil {
		return err
	}
	c, err := s.rpc()
	if err != nil {
		return err
	}
	msEvents := make(chan json.RawMessage, 256)
	msSub, err := c.Subscribe(ctx, "mailserver", msEvents, "events")
	if err != nil {
		return fmt.Errorf("subscribe to mailserver events (history needs IPC or a ws:// --rpc): %w", err)
	}
	defer msSub.Unsubscribe()
	chatEvents := make(chan json.RawMessage, 256)
	chatSub, err := c.Subscribe(ctx, "statusd", chatEvents, "events", map[string]any{"types": []string{"messages.new"}})
	if err != nil {
		return fmt.Errorf("subscribe to message events: %w", err)
	}
	defer chatSub.Unsubscribe()

	tty := isTerminal(s.out)
	fmt.Fprintf(s.out, "fetching %s since %s from %s\n", label, from.Format("2006-01-02 15:04"), mailserverLabel(s.f.mailsrv))
	done := make(chan error, 1)
	go func() {
		req := map[string]any{"topics": topics, "from": from.Unix(), "mailServerPeer": s.f.mailsrv}
		done <- c.CallContext(ctx, nil, "mailserver_fillGaps", req)
	}()
	var p progress
	show := func() {
		if tty {
			fmt.Fprintf(s.out, "\r%s", p.line())
		} else {
			fmt.Fprintln(s.out, p.line())
		}
	}
	var drain <-chan time.Time
	for {
		select {
		case raw := <-msEvents:
			if p.countMailserver(raw) {
				show()
			}
		case raw := <-chatEvents:
			if countMessage(raw, chat) {
				p.messages++
				show()
			}
			if drain != nil {
				drain = time.After(historyDrain)
			}
		case err := <-done:
			if err != nil {
				if tty {
					fmt.Fprintln(s.out)
				}
				return fmt.Errorf("fetching history: %w", err)
			}
			done, drain = nil, time.After(historyDrain)
		case <-drain:
			if tty {
				fmt.Fprintln(s.out)
			}
			fmt.Fprintf(s.out, "done: %s, %d pages, %d envelopes, %d new messages\n", label, p.pages, p.envelopes, p.messages)
			return nil
		case err := <-msSub.Err():
			return fmt.Errorf("while fetching history: %w", orEOF(err))
		case <-ctx.Done():
			return fmt.Errorf("interrupted after %d pages, %d envelopes, %d messages", p.pages, p.envelopes, p.messages)
		}
	}
}

// countMailserver adds a mailserver event to the counts; false when it
// changes nothing shown.
func (p *progress) countMailserver(raw json.RawMessage) bool {
	var ev struct {
		Type  string `json:"type"`
		Event struct {
			Envelopes int `json:"envelopes"`
		} `json:"event"`
	}
	if json.Unmarshal(raw, &ev) != nil {
		return false
	}
	switch ev.Type {
	case "mailserver.gap.found":
		p.ranges++
	case "mailserver.gap.filled":
		p.filled++
	case "mailserver.request.completed":
		p.pages++
		p.envelopes += ev.Event.Envelopes
	default:
		return false
	}
	return true
}

// countMessage reports whether a messages.new event belongs to chat.
func countMessage(raw json.RawMessage, chat chatRow) bool {
	var ev struct {
		Event struct {
			Message struct {
				ChatID string `json:"chat_id"`
			} `json:"message"`
		} `json:"event"`
	}
	if json.Unmarshal(raw, &ev) != nil {
		return false
	}
	return ev.Event.Message.ChatID == chat.ID
}

// historyTopics finds the Whisper topics that carry ref's messages: the
// public chat's own topic (joining it when needed), or for 1:1 and group
// chats our partitioned and discovery topics.
func (s *session) historyTopics(ref string) (chatRow, string, []string, error) {
	l, err := s.chats()
	if err != nil {
		return chatRow{}, "", nil, err
	}
	c, err := l.resolve(ref)
	if err != nil && !publicName.MatchString(ref) {
		return chatRow{}, "", nil, err
	}
	if err != nil || c.Type == chatPublic {
		var f struct {
			Topic string `json:"topic"`
		}
		if err := s.call(&f, "shhext_loadFilter", map[string]any{"chatId": ref}); err != nil {
			return chatRow{}, "", nil, err
		}
		return chatRow{ID: ref, Type: chatPublic}, "#" + ref, []string{f.Topic}, nil
	}
	var filters []struct {
		Topic     string `json:"topic"`
		Discovery bool   `json:"discovery"`
	}
	if err := s.call(&filters, "shhext_loadFilters", []any{}); err != nil {
		return chatRow{}, "", nil, err
	}
	var topics []string
	for _, f := range filters {
		if f.Discovery {
			topics = append(topics, f.Topic)
		}
	}
	return c, chatTypes[c.Type] + " " + l.ref(c), topics, nil
}

// parseSince reads --since: a duration back from now, or a date or time.
func parseSince(v string, now time.Time) (time.Time, error) {
	if d, err := time.ParseDuration(v); err == nil {
		if d <= 0 {
			return time.Time{}, fmt.Errorf("must be a positive duration")
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, time.Local); err == nil {
			if t.After(now) {
				return time.Time{}, fmt.Errorf("is in the future")
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a duration (48h, 90m) nor a time (2006-01-02, 2006-01-02T15:04)")
}

func mailserverLabel(enode string) string {
	if enode == "" {
		return "the configured mailservers"
	}
	return shortEnode(enode)
}

func orEOF(err error) error {
	if err == nil {
		return io.EOF
	}
	return err
}

// isTerminal reports whether w is a terminal (a character device), where
// progress redraws one line.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
