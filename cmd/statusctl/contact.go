package main

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"os"
	"strings"
)

// profileRow is statusd_profile's answer.
type profileRow struct {
	Name     string `json:"name"`
	Image    string `json:"image"`
	NameSet  bool   `json:"name_set"`
	ImageSet bool   `json:"image_set"`
}

// contactRow is one statusd_contacts entry.
type contactRow struct {
	ID      string `json:"id"`
	Alias   string `json:"alias"`
	Name    string `json:"name"`
	State   string `json:"state"`
	Added   bool   `json:"added"`
	Blocked bool   `json:"blocked"`
}

// profile runs 'profile show' and 'profile set [NAME] [--photo FILE |
// --no-photo]'. set keeps what it is not given.
func profile(s *session, args []string) error {
	var cur profileRow
	if err := s.call(&cur, "statusd_profile"); err != nil {
		return err
	}
	switch {
	case args[0] == "show" && len(args) == 1:
		return printProfile(s, cur)
	case args[0] != "set" || len(args) > 2:
		return usageError("statusctl profile: use 'profile show' or 'profile set [NAME] [--photo FILE]'; see 'statusctl help profile'")
	}
	name, image := "", ""
	if cur.NameSet {
		name = cur.Name
	}
	if cur.ImageSet {
		image = cur.Image
	}
	if len(args) == 2 {
		name = args[1]
	}
	switch {
	case s.f.noPhoto:
		image = ""
	case s.f.photo != "":
		uri, err := photoURI(s.f.photo)
		if err != nil {
			return err
		}
		image = uri
	}
	var p profileRow
	if err := s.call(&p, "statusd_setProfile", name, image); err != nil {
		return err
	}
	return printProfile(s, p)
}

// photoURI reads a photo file into a base64 data URI, or returns a
// data: argument as it is. The node checks the size and the type.
func photoURI(arg string) (string, error) {
	if strings.HasPrefix(arg, "data:") {
		return arg, nil
	}
	b, err := os.ReadFile(arg)
	if err != nil {
		return "", fmt.Errorf("photo: %w", err)
	}
	typ, _, _ := strings.Cut(http.DetectContentType(b), ";")
	if !strings.HasPrefix(typ, "image/") {
		return "", fmt.Errorf("photo %s is %s, not an image (JPEG or PNG, at most 64 KiB encoded)", arg, typ)
	}
	return "data:" + typ + ";base64," + base64.StdEncoding.EncodeToString(b), nil
}

func printProfile(s *session, p profileRow) error {
	if s.o.json {
		return printJSON(s.out, p)
	}
	name, photo := p.Name, "your identicon"
	if !p.NameSet {
		name += " (your alias; set a name with 'statusctl profile set NAME')"
	}
	if p.ImageSet {
		typ, _, _ := strings.Cut(strings.TrimPrefix(p.Image, "data:"), ";")
		photo = fmt.Sprintf("%s, %d bytes as a data URI", typ, len(p.Image))
	}
	fmt.Fprintf(s.out, "name:  %s\nphoto: %s\n", name, photo)
	return nil
}

// contact runs 'contact request|accept|block WHO' and 'contact list'.
func contact(s *session, args []string) error {
	sub := args[0]
	if sub == "list" {
		if len(args) != 1 {
			return usageError("statusctl contact list takes no arguments")
		}
		return contacts(s, nil)
	}
	method := map[string]string{"request": "statusd_requestContact", "accept": "statusd_acceptContact",
		"block": "statusd_blockContact"}[sub]
	if method == "" {
		return usageError(fmt.Sprintf("statusctl contact: unknown subcommand %q (request, accept, list, block); see 'statusctl help contact'", sub))
	}
	if len(args) != 2 {
		return usageError(fmt.Sprintf("statusctl contact %s: give one contact; see 'statusctl help contact'", sub))
	}
	key, err := s.contactKey(args[1])
	if err != nil {
		return err
	}
	var c contactRow
	if err := s.call(&c, method, key); err != nil {
		return err
	}
	if s.o.json {
		return printJSON(s.out, c)
	}
	fmt.Fprintf(s.out, "%s  %s\n", contactLabel(c), c.State)
	return nil
}

// contactKey resolves WHO: a 0x04… chat key, the unique start of a known
// contact's key, a contact's name or alias (case-insensitive), or a 1:1
// chat's reference.
func (s *session) contactKey(ref string) (string, error) {
	if validChatKey(ref) {
		return ref, nil
	}
	rows, err := s.contactList()
	if err != nil {
		return "", err
	}
	found := matchContacts(rows, ref)
	switch len(found) {
	case 1:
		return found[0].ID, nil
	case 0:
		return s.member(ref)
	}
	return "", fmt.Errorf("%q matches %d contacts; give more of the chat key", ref, len(found))
}

// contactList returns statusd_contacts, asked once a command: resolving
// a name may look through the contacts more than once, and a command
// reads them before it changes anything.
func (s *session) contactList() ([]contactRow, error) {
	if s.peopleRead {
		return s.people, nil
	}
	var rows []contactRow
	if err := s.call(&rows, "statusd_contacts"); err != nil {
		return nil, err
	}
	s.people, s.peopleRead = rows, true
	return rows, nil
}

// matchContacts returns the contacts ref names: by name or alias
// (case-insensitive), or by the start of the chat key (six characters at
// least).
func matchContacts(rows []contactRow, ref string) []contactRow {
	var found []contactRow
	for _, r := range rows {
		if strings.EqualFold(r.Name, ref) || strings.EqualFold(r.Alias, ref) ||
			(len(ref) >= 6 && strings.HasPrefix(strings.ToLower(r.ID), strings.ToLower(ref))) {
			found = append(found, r)
		}
	}
	return found
}

func contactLabel(c contactRow) string {
	switch {
	case c.Name != "" && c.Name != c.Alias:
		return fmt.Sprintf("%s  %s (%s)", c.ID, c.Name, c.Alias)
	case c.Alias != "":
		return fmt.Sprintf("%s  %s", c.ID, c.Alias)
	}
	return c.ID
}
