package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

func join(s *session, args []string) error {
	if !publicName.MatchString(args[0]) {
		return fmt.Errorf("%q is not a public chat name: use lower-case letters, digits and -", args[0])
	}
	var chat map[string]any
	if err := s.call(&chat, "statusd_joinPublicChat", args[0]); err != nil {
		return err
	}
	return printResult(s.out, s.o.json, chat, fmt.Sprintf("joined #%s\n", args[0]))
}

func leave(s *session, args []string) error {
	if err := s.call(nil, "statusd_leavePublicChat", args[0]); err != nil {
		return err
	}
	return printResult(s.out, s.o.json, map[string]string{"left": args[0]}, fmt.Sprintf("left #%s\n", args[0]))
}

func send(s *session, args []string) error {
	c, err := s.chat(args[0])
	if err != nil {
		return err
	}
	if c.Type == chatOneToOne {
		// Opens the chat if it is new; harmless when it exists.
		if err := s.call(nil, "statusd_startOneToOne", c.ID); err != nil {
			return err
		}
	}
	var id string
	if err := s.call(&id, "statusd_sendText", c.ID, strings.Join(args[1:], " ")); err != nil {
		return err
	}
	return printResult(s.out, s.o.json, map[string]string{"id": id, "chatId": c.ID}, id+"\n")
}

// sendTo resolves CHAT (opening a 1:1 chat if needed), calls method with
// the chat ID and params, and prints the message ID.
func sendTo(s *session, chat, method string, params ...any) error {
	c, err := s.chat(chat)
	if err != nil {
		return err
	}
	if c.Type == chatOneToOne {
		if err := s.call(nil, "statusd_startOneToOne", c.ID); err != nil {
			return err
		}
	}
	var id string
	if err := s.call(&id, method, append([]any{c.ID}, params...)...); err != nil {
		return err
	}
	return printResult(s.out, s.o.json, map[string]string{"id": id, "chatId": c.ID}, id+"\n")
}

func reply(s *session, args []string) error {
	return sendTo(s, args[0], "statusd_sendReply", args[1], strings.Join(args[2:], " "))
}

func sticker(s *session, args []string) error {
	pack, err := strconv.ParseInt(args[2], 10, 64)
	if err != nil {
		return fmt.Errorf("PACK %q is not a number", args[2])
	}
	return sendTo(s, args[0], "statusd_sendSticker", args[1], pack)
}

func emoji(s *session, args []string) error {
	return sendTo(s, args[0], "statusd_sendEmoji", args[1])
}

func sendCommand(s *session, args []string) error {
	if args[0] != "request" && args[0] != "send" {
		return fmt.Errorf("%q: the command is request or send", args[0])
	}
	cmd := map[string]string{"type": args[0], "asset": args[2], "amount": args[3], "network": "mainnet"}
	if len(args) > 4 {
		cmd["network"] = args[4]
	}
	if len(args) == 6 {
		return fmt.Errorf("send needs both ADDRESS and TX-HASH")
	}
	if len(args) == 7 {
		cmd["address"], cmd["tx_hash"] = args[5], args[6]
	}
	return sendTo(s, args[1], "statusd_sendCommand", cmd)
}

func chats(s *session, _ []string) error {
	var raw json.RawMessage
	if err := s.call(&raw, "statusd_chats"); err != nil {
		return err
	}
	if s.o.json {
		return printJSON(s.out, raw)
	}
	var rows chatList
	if err := json.Unmarshal(raw, &rows); err != nil {
		return err
	}
	if len(rows) == 0 {
		fmt.Fprintln(s.out, "no chats; join one with 'statusctl join NAME'")
	}
	names, err := s.names()
	if err != nil {
		return err
	}
	for _, r := range rows {
		var desc []string
		switch r.Type {
		case chatOneToOne:
			alias := ""
			for _, p := range r.People {
				if p.ChatKey == r.ID {
					alias = p.Alias
				}
			}
			if who := names.of(r.ID, alias); who != r.ID {
				desc = append(desc, fmt.Sprintf("%s (%s)", who, abbreviate(r.ID)))
			} else {
				desc = append(desc, abbreviate(r.ID))
			}
		case chatGroup:
			desc = append(desc, fmt.Sprintf("%q, %d members", r.Name, len(r.Members)))
			if r.Membership != "" && r.Membership != "joined" {
				desc = append(desc, r.Membership)
			}
		}
		if !r.Active {
			desc = append(desc, "inactive")
		}
		fmt.Fprintf(s.out, "%-6s  %-12s  unread %-3d  %s\n", chatTypes[r.Type], rows.ref(r), r.Unread, strings.Join(desc, ", "))
	}
	return nil
}

type messageRow struct {
	ID          string `json:"id"`
	From        string `json:"from"`
	Alias       string `json:"alias"`
	Text        string `json:"text"`
	ContentType string `json:"content_type"`
	Timestamp   int64  `json:"timestamp"`
	Outgoing    bool   `json:"outgoing"`
	Seen        bool   `json:"seen"`
	Delivery    string `json:"delivery"`
	Quoted      *struct {
		Text string `json:"text"`
	} `json:"quoted"`
	Sticker *struct {
		Hash string `json:"hash"`
	} `json:"sticker"`
	Command *struct {
		Name   string         `json:"name"`
		Params map[string]any `json:"params"`
	} `json:"command"`
}

// shown is how a message reads in a terminal: its text, a sticker or a
// command in brackets, a reply after the start of what it quotes.
func (m *messageRow) shown() string {
	text := m.Text
	switch {
	case m.Sticker != nil:
		text = "[sticker " + abbreviate(m.Sticker.Hash) + "]"
	case m.Command != nil:
		verb := map[string]string{"request": "requests", "send": "sent"}[m.Command.Name]
		if verb == "" {
			verb = m.Command.Name
		}
		text = fmt.Sprintf("[%s %v %v]", verb, m.Command.Params["amount"], m.Command.Params["asset"])
	}
	if m.Quoted != nil {
		q := []rune(m.Quoted.Text)
		if len(q) > 20 {
			q = append(q[:20], '…')
		}
		text = fmt.Sprintf("(re %q) %s", string(q), text)
	}
	return text
}

func messages(s *session, args []string) error {
	c, err := s.chat(args[0])
	if err != nil {
		return err
	}
	var msgs []json.RawMessage
	// A page holds at most 1 000 messages: a larger --limit reads on with
	// the cursor until it has them or the chat has no more.
	for cursor := ""; ; {
		var next struct {
			Messages []json.RawMessage `json:"messages"`
			Cursor   string            `json:"cursor"`
		}
		if err := s.call(&next, "statusd_messages", c.ID, cursor, s.f.limit-len(msgs)); err != nil {
			return err
		}
		msgs = append(msgs, next.Messages...)
		if cursor = next.Cursor; cursor == "" || len(next.Messages) == 0 || len(msgs) >= s.f.limit {
			break
		}
	}
	var unseen []string
	rows := make([]messageRow, len(msgs))
	for i, raw := range msgs {
		if err := json.Unmarshal(raw, &rows[i]); err != nil {
			return err
		}
		if !rows[i].Seen && !rows[i].Outgoing {
			unseen = append(unseen, rows[i].ID)
		}
	}
	if len(unseen) > 0 && !s.f.noMarking {
		if err := s.call(nil, "shhext_markMessagesSeen", unseen); err != nil {
			return err
		}
	}
	if s.o.json {
		return printJSON(s.out, msgs)
	}
	names, err := s.names()
	if err != nil {
		return err
	}
	for i := len(rows) - 1; i >= 0; i-- {
		m := rows[i]
		at := time.UnixMilli(m.Timestamp).Format("2006-01-02 15:04:05")
		state := ""
		if m.Delivery != "" && m.Delivery != "none" {
			state = "  [" + m.Delivery + "]"
		}
		who := "me"
		if !m.Outgoing {
			if who = names.of(m.From, m.Alias); who == m.From {
				who = shortKey(m.From)
			}
		}
		fmt.Fprintf(s.out, "%s  %s  %s%s\n", at, who, m.shown(), state)
	}
	return nil
}

// contactNames maps the chat keys of the user's contacts to the names
// they set (statusd_contacts; a contact without one has their alias).
type contactNames map[string]string

// names returns the contacts' names.
func (s *session) names() (contactNames, error) {
	rows, err := s.contactList()
	if err != nil {
		return nil, err
	}
	n := make(contactNames, len(rows))
	for _, r := range rows {
		if r.Name != "" {
			n[r.ID] = r.Name
		}
	}
	return n, nil
}

// of is how the user knows key: a contact's name, else alias (the
// three-word name statusd derives from the key), else key itself.
func (n contactNames) of(key, alias string) string {
	switch {
	case n[key] != "":
		return n[key]
	case alias != "":
		return alias
	}
	return key
}

func group(s *session, args []string) error {
	sub, args := args[0], args[1:]
	var method string
	var params []any
	switch sub {
	case "create":
		members, err := s.members(args[1:])
		if err != nil {
			return err
		}
		method, params = "statusd_createGroup", []any{args[0], members}
	case "add", "remove", "admin", "rename", "leave", "join", "decline":
		want := map[string]int{"add": -1, "remove": 2, "admin": 2, "rename": 2, "leave": 1, "join": 1, "decline": 1}[sub]
		if (want < 0 && len(args) < 2) || (want > 0 && len(args) != want) {
			return usageError(fmt.Sprintf("statusctl group %s: wrong number of arguments; see 'statusctl help group'", sub))
		}
		g, err := s.chat(args[0])
		if err != nil {
			return err
		}
		if g.Type != chatGroup {
			return fmt.Errorf("%q is a %s chat, not a group", args[0], chatTypes[g.Type])
		}
		switch sub {
		case "add":
			members, err := s.members(args[1:])
			if err != nil {
				return err
			}
			method, params = "statusd_addGroupMembers", []any{g.ID, members}
		case "remove", "admin":
			m, err := s.member(args[1])
			if err != nil {
				return err
			}
			method = map[string]string{"remove": "statusd_removeGroupMember", "admin": "statusd_makeGroupAdmin"}[sub]
			params = []any{g.ID, m}
		case "rename":
			method, params = "statusd_renameGroup", []any{g.ID, args[1]}
		case "leave", "join", "decline":
			method = map[string]string{"leave": "statusd_leaveGroup", "join": "statusd_joinGroup", "decline": "statusd_declineGroup"}[sub]
			params = []any{g.ID}
		}
	default:
		return usageError(fmt.Sprintf("statusctl group: unknown subcommand %q (create, add, remove, admin, rename, join, decline, leave); see 'statusctl help group'", sub))
	}
	var chat chatRow
	if err := s.call(&chat, method, params...); err != nil {
		return err
	}
	if s.o.json {
		return printJSON(s.out, chat)
	}
	l, err := s.chats()
	if err != nil {
		return err
	}
	if sub == "join" || sub == "decline" || sub == "leave" {
		fmt.Fprintf(s.out, "group %q (%s): %s\n", chat.Name, l.ref(chat), chat.Membership)
		return nil
	}
	fmt.Fprintf(s.out, "group %q (%s): %d members\n", chat.Name, l.ref(chat), len(chat.Members))
	return nil
}

func (s *session) members(refs []string) ([]string, error) {
	out := make([]string, 0, len(refs))
	for _, r := range refs {
		m, err := s.member(r)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

func contacts(s *session, _ []string) error {
	rows, err := s.contactList()
	if err != nil {
		return err
	}
	if s.o.json {
		return printJSON(s.out, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintln(s.out, "no contacts")
	}
	for _, r := range rows {
		fmt.Fprintf(s.out, "%s  %s\n", contactLabel(r), r.State)
	}
	return nil
}

func installations(s *session, _ []string) error {
	var rows []struct {
		ID       string `json:"id"`
		Enabled  bool   `json:"enabled"`
		Own      bool   `json:"own"`
		Metadata struct {
			Name       string `json:"name"`
			DeviceType string `json:"device_type"`
		} `json:"metadata"`
	}
	if err := s.call(&rows, "statusd_installations"); err != nil {
		return err
	}
	if s.o.json {
		return printJSON(s.out, rows)
	}
	for _, r := range rows {
		state := "disabled"
		switch {
		case r.Own:
			state = "this device"
		case r.Enabled:
			state = "paired"
		}
		fmt.Fprintf(s.out, "%s  %-12s  %s %s\n", r.ID, state, r.Metadata.Name, r.Metadata.DeviceType)
	}
	return nil
}

func shortKey(k string) string {
	if len(k) > 14 {
		return k[:10] + "…" + k[len(k)-4:]
	}
	return k
}
