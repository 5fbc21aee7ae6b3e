package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/node"
	"github.com/statusnode/statusd/lib/testutil"
)

// mustCtl runs statusctl and fails the test unless it exits 0.
func mustCtl(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := ctl(t, args...)
	if code != 0 {
		t.Fatalf("statusctl %q: exit %d\n%s%s", args, code, out, errs)
	}
	return out
}

// lines splits output into lines, failing unless there are n.
func lines(t *testing.T, out string, n int) []string {
	t.Helper()
	l := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(l) != n {
		t.Fatalf("want %d lines, got %d:\n%s", n, len(l), out)
	}
	return l
}

func matchLine(t *testing.T, line, pattern string) []string {
	t.Helper()
	m := regexp.MustCompile("^" + pattern + "$").FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("line %q does not match %q", line, pattern)
	}
	return m
}

// TestDayOne drives statusctl along a new user's first day on two nodes,
// Alice's (also a mailserver) and Bob's: info shows the chat key, alias and
// identicon file, both join
// a public chat and talk, Alice writes to Bob by his chat key, creates a
// group, adds Bob and writes to it by its short reference, Bob fetches a
// chat's history from Alice's mailserver with progress, and watch prints
// timestamped lines. Every output line is checked.
func TestDayOne(t *testing.T) {
	alice, dirA := startNode(t, func(c *config.Config) { c.Mailserver.Enabled = true })
	bob, dirB := startNode(t)
	A := func(args ...string) string { return mustCtl(t, append([]string{"--datadir", dirA}, args...)...) }
	B := func(args ...string) string { return mustCtl(t, append([]string{"--datadir", dirB}, args...)...) }

	// info: the chat key to share, the enode to peer with.
	info := lines(t, B("info"), 9)
	matchLine(t, info[0], `version:      statusd/v.*`)
	keyB := matchLine(t, info[1], `chat key:     (0x04[0-9a-f]{128})`)[1]
	matchLine(t, info[2], `alias:        [A-Z][a-z]+ [A-Z][a-z]+ [A-Z][a-z]+`)
	matchLine(t, info[3], `identicon:    `+regexp.QuoteMeta(filepath.Join(dirB, "identicon.png")))
	matchLine(t, info[4], `installation: [0-9a-f-]+`)
	matchLine(t, info[5], `enode:        enode://[0-9a-f]{128}@127\.0\.0\.1:\d+.*`)
	matchLine(t, info[6], `listen:       127\.0\.0\.1:\d+`)
	matchLine(t, info[7], `protocols:    shh`)
	matchLine(t, info[8], `peers:        0`)
	infoA := lines(t, A("info"), 9)
	keyA := matchLine(t, infoA[1], `chat key:     (0x04[0-9a-f]{128})`)[1]
	// Bob knows Alice, not a contact, by her alias.
	aliasA := matchLine(t, infoA[2], `alias:        (.+)`)[1]
	enodeA := alice.P2P().Self().URLv4()
	matchLine(t, B("peer", "add", enodeA), regexp.QuoteMeta("added peer "+enodeA[8:20]+"…@")+`127\.0\.0\.1:\d+; it is dialled in the background \('statusctl peers' shows it once connected\)`+"\n?")
	waitPeers(t, alice, bob)

	// A public chat: join, send, read; reading lowers the unread count.
	matchLine(t, A("join", "day-one"), "joined #day-one\n?")
	matchLine(t, B("join", "day-one"), "joined #day-one\n?")
	matchLine(t, A("send", "day-one", "hello", "day", "one"), `0x[0-9a-f]{64}`+"\n?")
	testutil.WaitFor(t, 20*time.Second, "bob to get the public message", func() bool {
		return strings.Contains(B("chats"), "unread 1")
	})
	matchLine(t, lines(t, B("chats"), 1)[0], `public  day-one       unread 1    `)
	// Options after the arguments.
	msg := lines(t, B("messages", "day-one", "--limit", "5"), 1)[0]
	matchLine(t, msg, `\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  `+regexp.QuoteMeta(aliasA)+`  hello day one`)
	matchLine(t, lines(t, B("chats"), 1)[0], `public  day-one       unread 0    `)

	// 1:1 by chat key; Bob's chat with Alice is then reachable by its short
	// reference.
	matchLine(t, A("send", keyB, "hi", "bob"), `0x[0-9a-f]{64}`+"\n?")
	refA := keyA[:minKeyRef]
	// The chat opens as the message is stored: wait for both.
	testutil.WaitFor(t, 30*time.Second, "bob to get the 1:1 message", func() bool {
		return strings.Contains(B("chats"), "1:1     "+refA) && strings.Contains(B("messages", refA), "hi bob")
	})
	matchLine(t, lines(t, B("messages", refA), 1)[0], `.*  `+regexp.QuoteMeta(aliasA)+`  hi bob`)

	// A group: create, add Bob by key, Bob joins, send by the short reference.
	created := matchLine(t, A("group", "create", "friends"), `group "friends" \(([0-9a-f]{8})\): 1 members`+"\n?")
	groupRef := created[1]
	matchLine(t, A("group", "add", groupRef, keyB), `group "friends" \(`+groupRef+`\): 2 members`+"\n?")
	testutil.WaitFor(t, 30*time.Second, "bob to get the invitation", func() bool {
		return strings.Contains(B("chats"), `"friends", 2 members, invited`)
	})
	matchLine(t, B("group", "join", "friends"), `group "friends" \(`+groupRef+`\): joined`+"\n?")
	matchLine(t, A("send", groupRef, "hello", "friends"), `0x[0-9a-f]{64}`+"\n?")
	testutil.WaitFor(t, 30*time.Second, "the group message at bob", func() bool {
		return strings.Contains(B("messages", "friends", "--unread"), "hello friends")
	})
	matchLine(t, lines(t, B("messages", "friends"), 1)[0], `.*  `+regexp.QuoteMeta(aliasA)+`  hello friends`)

	// History: Alice writes in a chat Bob has not joined; Bob fetches it
	// from Alice's mailserver, with progress.
	A("join", "archive-room")
	archived := archiveSize(t, alice)
	for i := range 2 {
		A("send", "archive-room", fmt.Sprintf("archived %d", i))
	}
	testutil.WaitFor(t, 10*time.Second, "alice to archive", func() bool { return archiveSize(t, alice) >= archived+2 })
	hist := strings.Split(strings.TrimSuffix(B("history", "archive-room", "--since", "1h", "--mailserver", enodeA), "\n"), "\n")
	t.Logf("history:\n%s", strings.Join(hist, "\n"))
	if len(hist) < 3 {
		t.Fatalf("history output:\n%s", strings.Join(hist, "\n"))
	}
	matchLine(t, hist[0], `fetching #archive-room since \d{4}-\d\d-\d\d \d\d:\d\d from `+regexp.QuoteMeta(enodeA[8:20])+`…@127\.0\.0\.1:\d+.*`)
	for _, l := range hist[1 : len(hist)-1] {
		matchLine(t, l, `\[[#.]{20}\] \d/\d ranges  \d+ pages  \d+ envelopes  \d+ messages`)
	}
	last := matchLine(t, hist[len(hist)-2], `\[#{20}\] 1/1 ranges  (\d+) pages  (\d+) envelopes  (\d+) messages`)
	done := matchLine(t, hist[len(hist)-1], `done: #archive-room, (\d+) pages, (\d+) envelopes, (\d+) new messages`)
	if done[1] != "1" || done[2] != "2" || done[3] != "2" || last[3] != "2" {
		t.Fatalf("history counts: %q\n%s", done[0], strings.Join(hist, "\n"))
	}
	if out := B("messages", "archive-room"); !strings.Contains(out, "archived 0") || !strings.Contains(out, "archived 1") {
		t.Fatalf("fetched messages not in the chat:\n%s", out)
	}

	// watch: one timestamped line per event.
	watched := make(chan string, 1)
	go func() {
		_, out, _ := ctl(t, "--datadir", dirB, "watch", "messages.new", "--count", "1")
		watched <- out
	}()
	var out string
	var lastSend time.Time
	testutil.WaitFor(t, 20*time.Second, "watch to print a message", func() bool {
		select {
		case out = <-watched:
			return true
		default:
		}
		if time.Since(lastSend) > 300*time.Millisecond {
			lastSend = time.Now()
			A("send", "day-one", "watch", "this")
		}
		return false
	})
	matchLine(t, lines(t, out, 1)[0], `\d\d:\d\d:\d\d  messages\.new +day-one  `+regexp.QuoteMeta(shortKey(keyA))+`: watch this`)
}

// archiveSize reads the mailserver_archive_envelopes gauge of n.
func archiveSize(t *testing.T, n *node.Node) int {
	t.Helper()
	var b strings.Builder
	n.Metrics().WriteText(&b)
	m := regexp.MustCompile(`(?m)^mailserver_archive_envelopes (\d+)`).FindStringSubmatch(b.String())
	if m == nil {
		t.Fatalf("no archive gauge in\n%s", b.String())
	}
	v, _ := strconv.Atoi(m[1])
	return v
}

// TestMistakes: each mistake a new user makes gets a message that names
// the fix, word for word.
func TestMistakes(t *testing.T) {
	n, dir := startNode(t)
	empty := t.TempDir()
	key, _ := crypto.GenerateKey()
	id := hex.EncodeToString(crypto.FromECDSAPub(&key.PublicKey)[1:])
	if err := os.WriteFile(filepath.Join(empty, "README"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		errs string
	}{
		{"chat not joined", []string{"--datadir", dir, "send", "not-joined", "hi"}, 1,
			"statusctl: you have not joined the public chat #not-joined: join it first with 'statusctl join not-joined'\n"},
		{"malformed key", []string{"--datadir", dir, "send", "0x04abc", "hi"}, 1,
			"statusctl: malformed chat key \"0x04abc\" (7 characters): a chat key is 0x04 followed by 128 hex digits, 132 characters in all; the other person's 'statusctl info' shows theirs\n"},
		{"unknown chat", []string{"--datadir", dir, "send", "No Such", "hi"}, 1,
			"statusctl: no chat matches \"No Such\": 'statusctl chats' lists yours (public chats by name, 1:1 and group chats by the reference shown there); a public chat name is lower-case letters, digits and -\n"},
		{"missing token", []string{"--datadir", empty, "--rpc", n.RPC().HTTPURL(), "info"}, 1,
			"statusctl: statusd at " + n.RPC().HTTPURL() + " refused the request (401 Unauthorized): no token was sent, since " +
				filepath.Join(empty, "rpc.token") + " does not exist; pass --token FILE with the node's <datadir>/rpc.token, or --datadir DIR of the node\n"},
		{"enode without host", []string{"--datadir", dir, "peer", "add", "enode://" + id}, 1,
			"statusctl: invalid params: invalid enode: it has no host and TCP port: expected enode://<128 hex digits>@<host>:<port>, as admin_nodeInfo (statusctl info) on the other node shows it\n"},
		{"wrong argument count", []string{"--datadir", dir, "send", "day-one"}, 2,
			"statusctl send: needs at least 2 argument(s), got 1\nusage: statusctl send CHAT TEXT… (see 'statusctl help send')\n"},
		{"parameters counted from 1", []string{"--datadir", dir, "call", "statusd_messages", "5"}, 1,
			"statusctl: invalid argument 1 (counting from 1): json: cannot unmarshal number into Go value of type string\n"},
		{"missing parameter", []string{"--datadir", dir, "call", "statusd_sendText", "day-one"}, 1,
			"statusctl: missing value for required argument 2 (counting from 1)\n"},
		{"unknown command", []string{"--datadir", dir, "frob"}, 2,
			"statusctl: unknown command \"frob\"; the commands are: call, chats, command, contact, contacts, emoji, group, history, info, installations, join, leave, messages, peer, peers, profile, reply, send, sticker, watch, help\nRun 'statusctl help' for what each does.\n"},
		{"unknown option", []string{"--datadir", dir, "messages", "day-one", "--lmit", "2"}, 2,
			"statusctl messages: flag provided but not defined: -lmit\nusage: statusctl messages CHAT (see 'statusctl help messages')\n"},
		{"no node", []string{"--datadir", empty, "info"}, 1,
			"statusctl: cannot connect to statusd at " + filepath.Join(empty, "statusd.ipc") + ": dial unix " + filepath.Join(empty, "statusd.ipc") +
				": connect: no such file or directory (is statusd running? point at it with --datadir DIR, --ipc PATH or --rpc URL)\n"},
	} {
		code, _, errs := ctl(t, tc.args...)
		if code != tc.code || errs != tc.errs {
			t.Errorf("%s: exit %d, stderr\n%q\nwant exit %d, stderr\n%q", tc.name, code, errs, tc.code, tc.errs)
		}
	}
	// Options after arguments are not a mistake.
	mustCtl(t, "--datadir", dir, "join", "day-one")
	if code, out, errs := ctl(t, "messages", "day-one", "--limit", "2", "--datadir", dir); code != 0 || out != "" {
		t.Errorf("options after arguments: %d %q %s", code, out, errs)
	}
}

// TestHelp: the overview lists every command; each command has help with
// examples, by `help COMMAND` and by COMMAND --help.
func TestHelp(t *testing.T) {
	code, out, _ := ctl(t, "--help")
	if code != 0 {
		t.Fatalf("--help: %d", code)
	}
	for _, c := range commands() {
		if !strings.Contains(out, "\n  "+c.synopsis()) {
			t.Errorf("overview lacks %s:\n%s", c.name, out)
		}
		_, h1, _ := ctl(t, "help", c.name)
		code, h2, _ := ctl(t, c.name, "--help")
		if code != 0 || h1 != h2 || !strings.HasPrefix(h1, "usage: "+c.usage()+"\n\n") {
			t.Errorf("help %s: %d\n%s\n---\n%s", c.name, code, h1, h2)
		}
		if c.name != "contacts" && c.name != "installations" && !strings.Contains(h1, "Example") {
			t.Errorf("help %s has no example:\n%s", c.name, h1)
		}
	}
	if _, h, _ := ctl(t, "help", "messages"); !strings.Contains(h, "--limit\thow many of the newest messages (default \"20\")") {
		t.Errorf("help messages lacks its options:\n%s", h)
	}
}

// TestNodeGoesAway: watch says that the node closed the connection.
func TestNodeGoesAway(t *testing.T) {
	n, dir := startNode(t)
	done := make(chan string, 1)
	out := &testutil.Buffer{}
	go func() {
		var errb bytes.Buffer
		run([]string{"--datadir", dir, "watch"}, func(string) string { return "" }, out, &errb)
		done <- errb.String()
	}()
	// Once watch prints an event it is subscribed.
	mustCtl(t, "--datadir", dir, "join", "going-away")
	var last time.Time
	testutil.WaitFor(t, 10*time.Second, "watch to print", func() bool {
		if time.Since(last) > 200*time.Millisecond {
			last = time.Now()
			mustCtl(t, "--datadir", dir, "send", "going-away", "ping")
		}
		return out.String() != ""
	})
	n.Stop()
	select {
	case errs := <-done:
		if !regexp.MustCompile(`^statusctl: lost the connection to statusd at ` + regexp.QuoteMeta(filepath.Join(dir, "statusd.ipc")) +
			`: the node stopped or restarted \(after \d+ event\(s\): EOF\)\n$`).MatchString(errs) {
			t.Fatalf("watch: %q", errs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("watch did not notice the node going away")
	}
}
