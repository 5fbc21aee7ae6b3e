package main

import (
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ethereum/go-ethereum/p2p"
)

// commands lists every command, in the order `statusctl help` shows them.
func commands() []*command {
	return []*command{
		{name: "info", summary: "our chat key, alias and identicon, the node's addresses, peers", max: 0, run: info, help: `
Shows the chat key (what others need to start a 1:1 chat with you), its
three-word alias (the name others see until they name you), the path of its
identicon as a PNG file (written to <datadir>/identicon.png, or to the
temporary directory when the data directory is not local), this device's
installation ID, the node's enode (what another node passes to
'statusctl peer add'), its listen address, protocols and peer count.

Examples:
  statusctl info
  statusctl info --json`},
		{name: "peers", summary: "connected peers", max: 0, run: peers, help: `
Lists the connected devp2p peers: ID prefix, remote address, direction, name.

Example:
  statusctl peers`},
		{name: "peer", args: "add|remove ENODE", summary: "connect to a peer and keep it, or drop it", min: 2, max: 2, run: peer, help: `
'peer add' keeps a connection to another node, redialling when it drops;
'peer remove' forgets it. ENODE is enode://<128 hex digits>@<host>:<port>, as
'statusctl info' on the other node shows it.

Example:
  statusctl peer add enode://6f8a…@192.0.2.7:30303`},
		{name: "call", args: "METHOD [PARAM…]", summary: "call any JSON-RPC method (docs/API.md)", min: 1, max: -1, run: call, help: `
Calls METHOD with the parameters in order (the first is parameter 1). Each
PARAM is JSON, or a plain string when it is not valid JSON. The result is
printed as JSON.

Examples:
  statusctl call web3_clientVersion
  statusctl call statusd_messages status '' 5
  statusctl call mailserver_gaps '["0xcd423760"]'`},
		{name: "join", args: "NAME", summary: "join a public chat", min: 1, max: 1, run: join, help: `
Joins the public chat NAME (lower-case letters, digits and -) and starts
receiving its messages.

Example:
  statusctl join status`},
		{name: "leave", args: "NAME", summary: "leave a public chat", min: 1, max: 1, run: leave, help: `
Stops receiving the public chat NAME; its messages stay.

Example:
  statusctl leave status`},
		{name: "send", args: "CHAT TEXT…", summary: "send a text", min: 2, max: -1, run: send, help: `
Sends TEXT (the remaining arguments, joined by spaces) to CHAT: a public chat
you joined, a 0x04… chat key or a contact's name (either opens the 1:1
chat), or the short reference of a chat or group that 'statusctl chats'
shows. Prints the message ID. A text that starts with "-" goes after --.

Examples:
  statusctl send status hello everyone
  statusctl send 0x04a1b2… hi there
  statusctl send Alice lunch at 1?
  statusctl send 7f3e2a1b see you at 8
  statusctl send status -- -5 degrees outside`},
		{name: "reply", args: "CHAT MESSAGE-ID TEXT…", summary: "reply to a message", min: 3, max: -1, run: reply, help: `
Sends TEXT as a reply to the message MESSAGE-ID (0x and 64 hex digits, as
'statusctl messages --json' or 'send' print it) in CHAT. Receivers show the
quoted message. Prints the message ID.

Example:
  statusctl reply status 0x9dd31ded2fa6df1f778f9368f9bd96ddaf84278d42719d05d793d39145c8536c same here`},
		{name: "sticker", args: "CHAT HASH PACK", summary: "send a sticker", min: 3, max: 3, run: sticker, help: `
Sends the sticker with content hash HASH from sticker pack PACK (a number)
to CHAT. Prints the message ID.

Example:
  statusctl sticker status e30101701220e2a68be8c7b0c8e4fdb21c8f2ea5b0c4f62bd7b5d1e9d5ad7e0d1c8b2f6a3a6e 1`},
		{name: "emoji", args: "CHAT EMOJI", summary: "send an emoji-only message", min: 2, max: 2, run: emoji, help: `
Sends EMOJI as an emoji message (2019 clients show it large). Prints the
message ID.

Example:
  statusctl emoji status 👍`},
		{name: "command", args: "request|send CHAT ASSET AMOUNT [NETWORK [ADDRESS TX-HASH]]", summary: "send a transaction request or payment notice", min: 4, max: 7, run: sendCommand, help: `
Sends a 2019 transaction command to the 1:1 chat CHAT: 'request' asks for
AMOUNT of ASSET, 'send' reports a payment already made (ADDRESS it went to
and its TX-HASH; statusd moves no funds). NETWORK is the chain name
(default mainnet). Prints the message ID.

Examples:
  statusctl command request 0x04a1b2… ETH 0.1
  statusctl command send 0x04a1b2… ETH 0.1 mainnet 0x2a43… 0x0c3f…`},
		{name: "chats", summary: "list chats with their short references", max: 0, run: chats, help: `
Lists the chats: type, the reference to use as CHAT (the public chat's name,
or the shortest unique start of a 1:1 or group ID), unread count, and who:
for a 1:1 chat the contact's name (else the alias statusd derives from the
key) and the key, for a group its name and member count.

Example:
  statusctl chats`},
		{name: "messages", args: "CHAT", short: "messages CHAT [--limit N] [--unread]", summary: "a chat's newest messages, oldest first", min: 1, max: 1, run: messages,
			flags: func(fs *flag.FlagSet, f *cmdFlags) {
				fs.IntVar(&f.limit, "limit", 20, "how many of the newest messages")
				fs.BoolVar(&f.noMarking, "unread", false, "leave the messages unread (by default showing them marks them read)")
			}, help: `
Shows the newest messages of CHAT, oldest first, and marks them read (the
chat's unread count goes down), unless --unread. A line is the time, the
author (a contact's name, else the alias statusd derives from the key;
"me" for ours), the text and, for ours, the delivery state. --json gives
every field.

Examples:
  statusctl messages status
  statusctl messages status --limit 5`},
		{name: "group", short: "group create|add|remove|admin|rename|join|decline|leave …", args: "create NAME [MEMBER…] | add GROUP MEMBER… | remove GROUP MEMBER | admin GROUP MEMBER | rename GROUP NAME | join GROUP | decline GROUP | leave GROUP",
			summary: "private group chats", min: 2, max: -1, run: group, help: `
Private groups. MEMBER is a 0x04… chat key, the reference of a 1:1 chat or
a contact's name; GROUP is the group's short reference (from 'group create'
or 'statusctl chats') or its name.

  create NAME [MEMBER…]   create a group with you as admin
  add GROUP MEMBER…       add members (admins only)
  remove GROUP MEMBER     remove a member (admins only)
  admin GROUP MEMBER      make a member an admin (admins only)
  rename GROUP NAME       rename the group (admins only)
  join GROUP              accept an invitation: the members are told you
                          joined, and the group's messages are shown
  decline GROUP           refuse an invitation (you leave without joining)
  leave GROUP             leave the group

A group someone adds you to is an invitation ('statusctl chats' says
"invited"): its messages are not shown, and you cannot write to it, until
you join.

Examples:
  statusctl group create friends 0x04a1b2…
  statusctl group add friends 0x04c3d4…
  statusctl group join friends          (on 0x04c3d4…'s node)
  statusctl send friends hello all`},
		{name: "history", args: "CHAT", short: "history CHAT [--since 24h] [--mailserver …]", summary: "fetch a chat's history from a mailserver, with progress", min: 1, max: 1, run: history,
			flags: func(fs *flag.FlagSet, f *cmdFlags) {
				fs.StringVar(&f.since, "since", "24h", "how far back: a duration (48h, 90m) or a time (2006-01-02 or 2006-01-02T15:04)")
				fs.StringVar(&f.mailsrv, "mailserver", "", "mailserver enode (default: the node's --mailserver.servers)")
			}, help: `
Fetches what the node missed of CHAT from a mailserver (mailserver_fillGaps),
page by page, showing pages, envelopes and new messages as they arrive. A
public chat you have not joined is joined first. For 1:1 and group chats it
fetches your personal topics, which carry all of them. Needs IPC or
WebSocket for the progress.

Examples:
  statusctl history status
  statusctl history --since 72h status
  statusctl history status --mailserver enode://…@192.0.2.9:30303`},
		{name: "contacts", summary: "list contacts", max: 0, run: contacts, help: `
Lists contacts: chat key, name and alias, and where each stands: none,
request-sent, request-received (accept it with 'statusctl contact accept'),
added or blocked. Same as 'statusctl contact list'.`},
		{name: "contact", short: "contact request|accept|list|block …", args: "request WHO | accept WHO | list | block WHO",
			summary: "contact requests: send, accept, list, block", min: 1, max: 2, run: contact, help: `
Contact requests as 2019 Status clients made them. WHO is a 0x04… chat key,
the start of a known contact's key, a contact's name or alias, or a 1:1
chat's reference.

  request WHO   add WHO and send a contact request with your profile (a
                confirmation if WHO already sent you one)
  accept WHO    accept WHO's pending request (state request-received)
  list          every contact and its state
  block WHO     drop WHO's messages and requests, delete its messages

Examples:
  statusctl contact request 0x04a1b2…
  statusctl contact list
  statusctl contact accept "Vicious Trivial Goldfinch"`},
		{name: "profile", short: "profile show | profile set [NAME] [--photo FILE]", args: "show | set [NAME]",
			summary: "your display name and photo, as contacts see them", min: 1, max: 2, run: profile,
			flags: func(fs *flag.FlagSet, f *cmdFlags) {
				fs.StringVar(&f.photo, "photo", "", "photo: a JPEG or PNG file (at most 64 KiB once base64-encoded) or a data: URI")
				fs.BoolVar(&f.noPhoto, "no-photo", false, "send no photo (your identicon shows)")
			}, help: `
'profile show' prints the name and photo your contact requests and updates
carry: your three-word alias and identicon until you set them. 'profile set'
changes them and sends them to every added contact at once; what it is not
given stays. An empty NAME goes back to the alias.

Examples:
  statusctl profile show
  statusctl profile set Alice
  statusctl profile set --photo me.jpg
  statusctl profile set Alice --no-photo`},
		{name: "installations", summary: "list our devices", max: 0, run: installations, help: `
Lists this account's installations (devices): this one, paired ones and the
others seen.`},
		{name: "watch", args: "[TYPE…]", short: "watch [TYPE…] [--count N]", summary: "stream events, one timestamped line each", min: 0, max: -1, run: watch,
			flags: func(fs *flag.FlagSet, f *cmdFlags) {
				fs.IntVar(&f.count, "count", 0, "exit after this many events (0: until interrupted)")
			}, help: `
Streams the node's events (statusd_subscribe) until interrupted: a local
time, the type and a summary per line, or JSON lines with --json. TYPE
limits them (messages.new, message.delivery, envelope.sent, peer.added, …).
Needs IPC or a ws:// --rpc.

Examples:
  statusctl watch
  statusctl watch messages.new --count 1`},
	}
}

type nodeInfo struct {
	ChatKey        string `json:"chat_key"`
	Alias          string `json:"alias"`
	Identicon      string `json:"identicon"`
	InstallationID string `json:"installation_id"`
}

// saveIdenticon writes the identicon data URI of statusd_info as a PNG
// file and returns its path: identicon.png in the data directory when
// that is a local directory (statusctl runs beside its node), else
// statusd-identicon-<key prefix>.png in the temporary directory. "" and
// no error when the node sent no identicon (an older statusd).
func saveIdenticon(datadir string, me nodeInfo) (string, error) {
	const prefix = "data:image/png;base64,"
	if me.Identicon == "" {
		return "", nil
	}
	if !strings.HasPrefix(me.Identicon, prefix) {
		return "", fmt.Errorf("identicon: not a PNG data URI")
	}
	png, err := base64.StdEncoding.DecodeString(me.Identicon[len(prefix):])
	if err != nil {
		return "", fmt.Errorf("identicon: %w", err)
	}
	path := filepath.Join(datadir, "identicon.png")
	if st, err := os.Stat(datadir); err != nil || !st.IsDir() {
		key := strings.TrimPrefix(me.ChatKey, "0x")
		path = filepath.Join(os.TempDir(), "statusd-identicon-"+key[:min(len(key), 16)]+".png")
	}
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", fmt.Errorf("identicon: %w", err)
	}
	return path, nil
}

func info(s *session, _ []string) error {
	var ni p2p.NodeInfo
	var version, peerCount string
	var me nodeInfo
	for _, c := range []struct {
		out    any
		method string
	}{{&ni, "admin_nodeInfo"}, {&version, "web3_clientVersion"}, {&peerCount, "net_peerCount"}, {&me, "statusd_info"}} {
		if err := s.call(c.out, c.method); err != nil {
			return err
		}
	}
	identiconPath, err := saveIdenticon(s.o.datadir, me)
	if err != nil {
		return err
	}
	if s.o.json {
		return printJSON(s.out, map[string]any{"version": version, "chatKey": me.ChatKey, "alias": me.Alias,
			"identiconPath": identiconPath, "installationId": me.InstallationID, "nodeInfo": ni, "peerCount": peerCount})
	}
	protos := make([]string, 0, len(ni.Protocols))
	for name := range ni.Protocols {
		protos = append(protos, name)
	}
	sort.Strings(protos)
	fmt.Fprintf(s.out, "version:      %s\nchat key:     %s\n", version, me.ChatKey)
	if me.Alias != "" { // an older statusd has none
		fmt.Fprintf(s.out, "alias:        %s\n", me.Alias)
	}
	if identiconPath != "" {
		fmt.Fprintf(s.out, "identicon:    %s\n", identiconPath)
	}
	fmt.Fprintf(s.out, "installation: %s\nenode:        %s\nlisten:       %s\nprotocols:    %s\npeers:        %s\n",
		me.InstallationID, ni.Enode, ni.ListenAddr, strings.Join(protos, ", "), hexToDecimal(peerCount))
	return nil
}

func peers(s *session, _ []string) error {
	var ps []*p2p.PeerInfo
	if err := s.call(&ps, "admin_peers"); err != nil {
		return err
	}
	if s.o.json {
		return printJSON(s.out, ps)
	}
	if len(ps) == 0 {
		fmt.Fprintln(s.out, "no peers")
		return nil
	}
	for _, p := range ps {
		dir := "outbound"
		if p.Network.Inbound {
			dir = "inbound"
		}
		fmt.Fprintf(s.out, "%s  %-21s  %-8s  %s\n", shortID(p.ID), p.Network.RemoteAddress, dir, p.Name)
	}
	return nil
}

func peer(s *session, args []string) error {
	method := map[string]string{"add": "admin_addPeer", "remove": "admin_removePeer"}[args[0]]
	if method == "" {
		return usageError(fmt.Sprintf("statusctl peer: %q is not add or remove (usage: statusctl peer add|remove ENODE)", args[0]))
	}
	var ok bool
	if err := s.call(&ok, method, args[1]); err != nil {
		return err
	}
	text := fmt.Sprintf("added peer %s; it is dialled in the background ('statusctl peers' shows it once connected)\n", shortEnode(args[1]))
	if args[0] == "remove" {
		text = fmt.Sprintf("removed peer %s\n", shortEnode(args[1]))
	}
	return printResult(s.out, s.o.json, ok, text)
}

func call(s *session, args []string) error {
	params := make([]any, len(args)-1)
	for i, p := range args[1:] {
		if json.Valid([]byte(p)) {
			params[i] = json.RawMessage(p)
		} else {
			params[i] = p
		}
	}
	var result json.RawMessage
	if err := s.call(&result, args[0], params...); err != nil {
		return err
	}
	return printJSON(s.out, result)
}

func printJSON(out interface{ Write([]byte) (int, error) }, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(out, "%s\n", data)
	return err
}

func printResult(out interface{ Write([]byte) (int, error) }, asJSON bool, v any, text string) error {
	if asJSON {
		return printJSON(out, v)
	}
	_, err := fmt.Fprint(out, text)
	return err
}

func shortID(id string) string {
	if len(id) > 16 {
		return id[:16]
	}
	return id
}

func shortEnode(u string) string {
	u, _, _ = strings.Cut(u, "?")
	if id, host, ok := strings.Cut(strings.TrimPrefix(u, "enode://"), "@"); ok && len(id) > 12 {
		return id[:12] + "…@" + host
	}
	return u
}

func hexToDecimal(h string) string {
	var n uint64
	if _, err := fmt.Sscanf(h, "0x%x", &n); err != nil {
		return h
	}
	return fmt.Sprint(n)
}
