package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestChatReferences(t *testing.T) {
	key := func(c byte) string { return "0x04" + strings.Repeat(string(c), 128) }
	keyA, keyB := key('a'), "0x04aaaaaaaaab"+strings.Repeat("b", 118)
	group := "7f3e2a1b-0000-4000-8000-000000000000" + key('c')[2:]
	l := chatList{
		{ID: "status", Type: chatPublic, Active: true},
		{ID: keyA, Type: chatOneToOne, Active: true},
		{ID: keyB, Type: chatOneToOne, Active: true},
		{ID: group, Type: chatGroup, Name: "friends", Active: true},
	}
	for _, tc := range []struct{ chat, ref string }{
		{"status", "status"},
		{keyA, keyA[:14]}, // keyB shares its first 13 characters
		{keyB, keyB[:14]},
		{group, "7f3e2a1b"},
	} {
		for _, c := range l {
			if c.ID == tc.chat {
				if got := l.ref(c); got != tc.ref {
					t.Errorf("ref of %s = %q, want %q", abbreviate(tc.chat), got, tc.ref)
				}
			}
		}
	}
	for _, tc := range []struct{ ref, id, err string }{
		{"status", "status", ""},
		{"7f3e", group, ""},
		{"friends", group, ""},
		{keyA[:14], keyA, ""},
		{"0x04aaaa", "", `"0x04aaaa" matches 2 chats (` + keyA[:14] + ", " + keyB[:14] + `): give more of it`},
		{key('d'), key('d'), ""}, // a new 1:1 chat
		{"0x04dd", "", "malformed chat key"},
		{"other", "", "you have not joined the public chat #other: join it first with 'statusctl join other'"},
		{"Other!", "", `no chat matches "Other!"`},
		{"stat", "", "you have not joined the public chat #stat"}, // public names are never prefixes
	} {
		c, err := l.resolve(tc.ref)
		switch {
		case tc.err == "" && (err != nil || c.ID != tc.id):
			t.Errorf("resolve(%q) = %q, %v; want %q", tc.ref, c.ID, err, tc.id)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("resolve(%q) error %v; want %q", tc.ref, err, tc.err)
		}
	}
}

func TestChatByContact(t *testing.T) {
	key := func(c byte) string { return "0x04" + strings.Repeat(string(c), 128) }
	l := chatList{{ID: "status", Type: chatPublic, Active: true}, {ID: key('a'), Type: chatOneToOne, Active: true, Name: "Alice"}}
	people := []contactRow{
		{ID: key('a'), Name: "Alice", Alias: "Grumpy Obvious Brahmanbull"},
		{ID: key('b'), Alias: "Elderly Marvelous Dikkops"},
		{ID: key('c'), Name: "Sam"}, {ID: key('d'), Name: "sam"},
	}
	for _, tc := range []struct {
		ref, id string
		ok      bool
		err     string
	}{
		{"Alice", key('a'), true, ""}, // the existing chat
		{"grumpy obvious brahmanbull", key('a'), true, ""},
		{"Elderly Marvelous Dikkops", key('b'), true, ""}, // no chat yet: a new 1:1 row
		{"alice", "", true, `"alice" could be your contact Alice or the public chat #alice, which you have not joined`},
		{"SAM", "", true, `"SAM" matches 2 contacts`},
		{"Nobody", "", false, ""},
	} {
		c, ok, err := l.byContact(tc.ref, people)
		switch {
		case ok != tc.ok:
			t.Errorf("byContact(%q): ok %v, want %v", tc.ref, ok, tc.ok)
		case tc.err == "" && (err != nil || c.ID != tc.id || (ok && c.Type != chatOneToOne)):
			t.Errorf("byContact(%q) = %q (type %d), %v; want %q", tc.ref, c.ID, c.Type, err, tc.id)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("byContact(%q) error %v; want %q", tc.ref, err, tc.err)
		}
	}
	if _, err := l.resolve("Nobody"); err == nil {
		t.Fatal("resolve of an unknown name: no error")
	} else if _, ok := err.(*noChatError); !ok {
		t.Errorf("resolve of an unknown name: %T, want *noChatError", err)
	}
}

func TestWatchSummaries(t *testing.T) {
	at := time.Date(2026, 1, 2, 15, 4, 5, 0, time.Local)
	for _, tc := range []struct{ raw, want string }{
		{`{"type":"envelope.sent","event":{"hash":"0x0123456789abcdef0123","message_ids":[]}}`,
			"15:04:05  envelope.sent            envelope 0x01234567…0123 (protocol data: acknowledgements, keys or pairing, no chat message)\n"},
		{`{"type":"envelope.sent","event":{"hash":"0x0123456789abcdef0123","message_ids":["0xaaaaaaaaaaaaaaaabbbb"]}}`,
			"15:04:05  envelope.sent            envelope 0x01234567…0123 with message 0xaaaaaaaa…bbbb\n"},
		{`{"type":"message.delivery","event":{"message_id":"0xaaaaaaaaaaaaaaaabbbb","state":"acked"}}`,
			"15:04:05  message.delivery         0xaaaaaaaa…bbbb acked\n"},
	} {
		var b strings.Builder
		if err := printEvent(&b, false, at, json.RawMessage(tc.raw)); err != nil || b.String() != tc.want {
			t.Errorf("%s:\n got %q\nwant %q (%v)", tc.raw, b.String(), tc.want, err)
		}
	}
}

func TestParseSince(t *testing.T) {
	now := time.Date(2026, 3, 4, 12, 0, 0, 0, time.Local)
	for _, tc := range []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"48h", now.Add(-48 * time.Hour), true},
		{"90m", now.Add(-90 * time.Minute), true},
		{"2026-03-01", time.Date(2026, 3, 1, 0, 0, 0, 0, time.Local), true},
		{"2026-03-01T08:30", time.Date(2026, 3, 1, 8, 30, 0, 0, time.Local), true},
		{"-1h", time.Time{}, false},
		{"2027-01-01", time.Time{}, false},
		{"yesterday", time.Time{}, false},
	} {
		got, err := parseSince(tc.in, now)
		if (err == nil) != tc.ok || (tc.ok && !got.Equal(tc.want)) {
			t.Errorf("parseSince(%q) = %v, %v", tc.in, got, err)
		}
	}
}

func TestProgressLine(t *testing.T) {
	p := progress{ranges: 2, filled: 1, pages: 3, envelopes: 57, messages: 12}
	if got := p.line(); got != "[##########..........] 1/2 ranges  3 pages  57 envelopes  12 messages" {
		t.Fatalf("%q", got)
	}
}
