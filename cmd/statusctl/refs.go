package main

import (
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Chat types of statusd_ results (messenger.ChatType). shhext_ results use
// status-go's numbering instead (1 one-to-one, 2 public, 3 group); statusctl
// shows names, never numbers.
const (
	chatPublic   = 1
	chatOneToOne = 2
	chatGroup    = 3
)

var chatTypes = map[int]string{chatPublic: "public", chatOneToOne: "1:1", chatGroup: "group"}

type chatRow struct {
	ID      string   `json:"id"`
	Type    int      `json:"type"`
	Name    string   `json:"name"`
	Active  bool     `json:"active"`
	Unread  int      `json:"unread"`
	Members []string `json:"members"`
	// Membership is our standing in a private group (invited, joined,
	// declined, left, removed).
	Membership string `json:"membership"`
	// People are the chat's other participants, with the aliases statusd
	// derived from their keys.
	People []struct {
		ChatKey string `json:"chat_key"`
		Alias   string `json:"alias"`
	} `json:"people"`
}

// publicName is what statusd accepts as a public chat name.
var publicName = regexp.MustCompile(`^[a-z0-9-]+$`)

// chatKeyLen is the length of a 0x04… chat key: "0x" and 65 bytes in hex.
const chatKeyLen = 2 + 2*65

// Minimum lengths of the short references of 1:1 chats (0x04 and six hex
// digits) and groups (eight hex digits of the UUID).
const (
	minKeyRef   = 10
	minGroupRef = 8
)

// chatList is the user's chats, for resolving references.
type chatList []chatRow

func (s *session) chats() (chatList, error) {
	var rows chatList
	if err := s.call(&rows, "statusd_chats"); err != nil {
		return nil, err
	}
	return rows, nil
}

// ref is the shortest start of a 1:1 or group chat's ID that no other
// chat's ID shares (at least minKeyRef or minGroupRef long), or a public
// chat's name.
func (l chatList) ref(c chatRow) string {
	if c.Type == chatPublic {
		return c.ID
	}
	n := minGroupRef
	if c.Type == chatOneToOne {
		n = minKeyRef
	}
	for ; n < len(c.ID); n++ {
		unique := true
		for _, o := range l {
			if o.ID != c.ID && strings.HasPrefix(o.ID, c.ID[:n]) {
				unique = false
				break
			}
		}
		if unique {
			return c.ID[:n]
		}
	}
	return c.ID
}

// validChatKey reports whether k is 0x04 and 128 hex digits.
func validChatKey(k string) bool {
	if len(k) != chatKeyLen || !strings.HasPrefix(k, "0x04") {
		return false
	}
	_, err := hex.DecodeString(k[2:])
	return err == nil
}

// malformedKey explains what a chat key looks like.
func malformedKey(k string) error {
	return fmt.Errorf("malformed chat key %q (%d characters): a chat key is 0x04 followed by 128 hex digits, 132 characters in all; "+
		"the other person's 'statusctl info' shows theirs", abbreviate(k), len(k))
}

// noChatError is resolve's error for a ref that names no chat: a public
// chat not joined, or nothing at all. Its text says what to do instead.
type noChatError struct{ msg string }

func (e *noChatError) Error() string { return e.msg }

// resolve finds the chat ref names: an exact ID, a public chat's name, a
// group's name, or the unique start of a 1:1 or group ID. A full chat key
// with no chat yet gives a 1:1 row for it (not yet opened). Errors say what
// to do instead; a ref that names no chat gives a *noChatError.
func (l chatList) resolve(ref string) (chatRow, error) {
	for _, c := range l {
		if c.ID == ref {
			return c, nil
		}
	}
	var matches []chatRow
	for _, c := range l {
		if c.Type != chatPublic && (strings.HasPrefix(c.ID, ref) || (c.Type == chatGroup && c.Name == ref)) {
			matches = append(matches, c)
		}
	}
	switch {
	case len(matches) == 1:
		return matches[0], nil
	case len(matches) > 1:
		var names []string
		for _, m := range matches {
			names = append(names, l.ref(m))
		}
		return chatRow{}, fmt.Errorf("%q matches %d chats (%s): give more of it", ref, len(matches), strings.Join(names, ", "))
	case validChatKey(ref):
		return chatRow{ID: ref, Type: chatOneToOne}, nil
	case strings.HasPrefix(ref, "0x"):
		return chatRow{}, malformedKey(ref)
	case publicName.MatchString(ref):
		return chatRow{}, &noChatError{fmt.Sprintf("you have not joined the public chat #%s: join it first with 'statusctl join %s'", ref, ref)}
	}
	return chatRow{}, &noChatError{fmt.Sprintf("no chat matches %q: 'statusctl chats' lists yours (public chats by name, 1:1 and group chats by the reference shown there); "+
		"a public chat name is lower-case letters, digits and -", ref)}
}

// byContact finds the 1:1 chat of the one contact ref names (its name or
// alias, case-insensitive: matchContacts), for a ref that names no chat: the
// chat's row, or a new 1:1 row when there is no chat with that contact yet.
// ok is false when no contact matches. A ref that could also be a public
// chat the user has not joined is an error: sending there by mistake would
// deliver a text to the wrong people.
func (l chatList) byContact(ref string, people []contactRow) (c chatRow, ok bool, err error) {
	found := matchContacts(people, ref)
	switch {
	case len(found) == 0:
		return chatRow{}, false, nil
	case len(found) > 1:
		return chatRow{}, true, fmt.Errorf("%q matches %d contacts: give the chat key of the one you mean ('statusctl contacts' lists them)", ref, len(found))
	case publicName.MatchString(ref):
		who := found[0].Name
		if who == "" {
			who = found[0].Alias
		}
		return chatRow{}, true, fmt.Errorf("%q could be your contact %s or the public chat #%s, which you have not joined: "+
			"to write to %s give their chat key (%s; 'statusctl contacts' lists it), to post in #%s join it first with 'statusctl join %s'",
			ref, who, ref, who, abbreviate(found[0].ID), ref, ref)
	}
	for _, c := range l {
		if c.ID == found[0].ID && c.Type == chatOneToOne {
			return c, true, nil
		}
	}
	return chatRow{ID: found[0].ID, Type: chatOneToOne}, true, nil
}

// resolve is l.resolve, then, for a ref that names no chat, the user's
// contacts (chatList.byContact): "statusctl send Alice hi" writes to the
// contact Alice, opening the 1:1 chat when there is none yet.
func (s *session) resolve(l chatList, ref string) (chatRow, error) {
	c, err := l.resolve(ref)
	var none *noChatError
	if !errors.As(err, &none) {
		return c, err
	}
	people, cerr := s.contactList()
	if cerr != nil {
		return c, cerr
	}
	if c, ok, cerr := l.byContact(ref, people); ok {
		return c, cerr
	}
	return c, err
}

// chat resolves ref among the user's chats.
func (s *session) chat(ref string) (chatRow, error) {
	l, err := s.chats()
	if err != nil {
		return chatRow{}, err
	}
	c, err := s.resolve(l, ref)
	if err != nil {
		return c, err
	}
	if c.Type == chatPublic && !c.Active {
		return c, fmt.Errorf("you left the public chat #%s: join it again with 'statusctl join %s'", c.ID, c.ID)
	}
	return c, nil
}

// member resolves a group member: a chat key, the reference of a 1:1
// chat, or a contact's name or alias.
func (s *session) member(ref string) (string, error) {
	if validChatKey(ref) {
		return ref, nil
	}
	l, err := s.chats()
	if err != nil {
		return "", err
	}
	c, err := s.resolve(l, ref)
	if err != nil {
		return "", err
	}
	if c.Type != chatOneToOne {
		return "", fmt.Errorf("member %q is a %s chat, not a person: give a 0x04… chat key or a 1:1 chat's reference", ref, chatTypes[c.Type])
	}
	return c.ID, nil
}

func abbreviate(s string) string {
	if len(s) > 24 {
		return s[:16] + "…" + s[len(s)-4:]
	}
	return s
}
