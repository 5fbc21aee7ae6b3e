package messenger

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/statusnode/statusd/protocol/identity/alias"
	"github.com/statusnode/statusd/protocol/identity/identicon"
	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
	"github.com/statusnode/statusd/storage/messengerstore"
)

// Meta values of the profile (raw UTF-8, or a decimal Unix ms time).
const (
	metaProfileName     = "profile-name"
	metaProfileImage    = "profile-image"
	metaContactUpdateAt = "contact-update-at"
)

// MaxProfileNameBytes bounds a profile name (our choice: status-react's
// name was the ENS name or the generated three-word alias, far shorter).
const MaxProfileNameBytes = 256

// profile is the own-profile part: the name and photo our contact messages
// carry and when our contact update last went to every active contact.
// Its mutex guards the fields and serialises each change with its store
// write; nothing else is called with it held (a leaf lock).
type profile struct {
	c *core

	mu        sync.Mutex
	name      string    // guarded by mu; "" = the alias
	image     string    // guarded by mu; "" = the identicon
	published time.Time // guarded by mu; zero = never
}

func newProfile(c *core) *profile { return &profile{c: c} }

// load reads the stored profile.
func (p *profile) load() error {
	vals := make(map[string]string, 3)
	for _, name := range []string{metaProfileName, metaProfileImage, metaContactUpdateAt} {
		v, ok, err := p.c.st.meta(name)
		if err != nil {
			return err
		}
		if ok {
			vals[name] = string(v)
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.name, p.image = vals[metaProfileName], vals[metaProfileImage]
	if ms, err := strconv.ParseInt(vals[metaContactUpdateAt], 10, 64); err == nil && ms > 0 {
		p.published = time.UnixMilli(ms)
	}
	return nil
}

// get returns the profile with its defaults filled in.
func (p *profile) get() Profile {
	p.mu.Lock()
	name, image := p.name, p.image
	p.mu.Unlock()
	out := Profile{Name: name, Image: image, NameSet: name != "", ImageSet: image != ""}
	if name == "" {
		out.Name = alias.Alias(p.c.self)
	}
	if image == "" {
		if uri, err := identicon.Identicon(p.c.self); err == nil {
			out.Image = uri
		}
	}
	return out
}

// checkProfile validates a name and image for SetProfile.
func checkProfile(name, image string) error {
	if len(name) > MaxProfileNameBytes {
		return fmt.Errorf("%w: name of %d bytes, limit %d", ErrInvalidProfile, len(name), MaxProfileNameBytes)
	}
	if !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return fmt.Errorf("%w: name is not printable UTF-8", ErrInvalidProfile)
	}
	if err := message.CheckProfileImage(image); err != nil {
		return fmt.Errorf("%w: image: rule %s: %w", ErrInvalidProfile, message.RuleOf(err), err)
	}
	return nil
}

// set stores a new name and image ("" resets each to its default) and
// returns the profile.
func (p *profile) set(name, image string) (Profile, error) {
	name = strings.TrimSpace(name)
	if err := checkProfile(name, image); err != nil {
		return Profile{}, err
	}
	p.mu.Lock()
	var b storage.Batch
	messengerstore.PutMeta(&b, metaProfileName, []byte(name))
	messengerstore.PutMeta(&b, metaProfileImage, []byte(image))
	err := p.c.st.write(&b)
	if err == nil {
		p.name, p.image = name, image
	}
	p.mu.Unlock()
	if err != nil {
		return Profile{}, err
	}
	return p.get(), nil
}

// contactMessage is our c2, c3 or c6 (tag): the profile's name and image,
// written as status-react wrote them ([name image address nil nil], §1.9.1;
// statusd has no wallet address to send).
func (p *profile) contactMessage(tag string) *message.Contact {
	pr := p.get()
	return &message.Contact{Tag: tag, Name: pr.Name, ProfileImage: pr.Image}
}

// lastPublished is when our contact update last went to every active
// contact (zero: never).
func (p *profile) lastPublished() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.published
}

// markPublished records t as the time our contact update last went to
// every active contact.
func (p *profile) markPublished(t time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	var b storage.Batch
	messengerstore.PutMeta(&b, metaContactUpdateAt, []byte(strconv.FormatInt(t.UnixMilli(), 10)))
	if err := p.c.st.write(&b); err != nil {
		return err
	}
	p.published = t
	return nil
}

// contactUpdateDue is status-react 1.0's publisher rule
// (multiaccounts/update/publisher.cljs, publish-update!): every check
// (utils/publisher.cljs, sync-interval-ms = 2 min) it sent the contact
// update to every active contact when it had a peer and the last one went
// out more than publish-updates-interval (48 h) ago. A profile change sent
// it at once (multiaccounts/update/core.cljs, send-multiaccount-update)
// and the sending time counted as the last update. Never published (zero
// last) is due, so a node upgraded from before the profile re-sends once.
func contactUpdateDue(now, last time.Time, peers int, interval time.Duration) bool {
	return peers > 0 && (last.IsZero() || now.Sub(last) > interval)
}
