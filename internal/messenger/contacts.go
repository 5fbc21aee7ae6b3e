package messenger

import (
	"fmt"
	"sort"
	"sync"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// contactBook is the contacts part: it owns the contact records. Its
// mutex guards the cache and serialises each read-modify-write with its
// store write; nothing else is called with it held.
type contactBook struct {
	c *core

	mu       sync.Mutex
	contacts map[string]*Contact // guarded by mu
}

func newContactBook(c *core) *contactBook {
	return &contactBook{c: c, contacts: make(map[string]*Contact)}
}

func (b *contactBook) load() error {
	contacts, err := b.c.st.contacts()
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ct := range contacts {
		b.contacts[ct.ID] = ct
	}
	return nil
}

// update runs fn on a copy of contact id (a new one if unknown) under the
// lock, persists what fn returns (nil: nothing) and caches it. It returns
// a copy of the stored contact and the ContactEvent to publish.
func (b *contactBook) update(id string, fn func(ct *Contact) *Contact) (*Contact, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	cur := &Contact{ID: id}
	if ct := b.contacts[id]; ct != nil {
		cc := *ct
		cc.Devices = append([]string(nil), ct.Devices...)
		cur = &cc
	}
	next := fn(cur)
	if next == nil {
		return nil, nil
	}
	var batch storage.Batch
	putContact(&batch, next)
	if err := b.c.st.write(&batch); err != nil {
		return nil, err
	}
	b.contacts[id] = next
	out := *next
	return &out, nil
}

// save adds (or renames) a contact; name "" keeps the current name.
func (b *contactBook) save(id, name string) (*Contact, error) {
	return b.update(id, func(ct *Contact) *Contact {
		ct.Added, ct.Blocked = true, false
		if name != "" {
			ct.Name = name
		}
		return ct
	})
}

// add marks a contact added and unblocked, as status-react's add-contact
// did, and returns it with the tag of the contact message to send it: c2
// (ContactRequest) while it has sent us nothing, else c3
// (ContactRequestConfirmed), status-react's send-contact-request rule.
// requireRequest refuses a contact that sent no request
// (ErrNoContactRequest) and a blocked one (ErrContactBlocked): accepting.
func (b *contactBook) add(id string, requireRequest bool) (*Contact, string, error) {
	var refused error
	ct, err := b.update(id, func(ct *Contact) *Contact {
		switch {
		case requireRequest && ct.Blocked:
			refused = fmt.Errorf("%w: %s", ErrContactBlocked, short(id))
			return nil
		case requireRequest && !ct.RequestReceived:
			refused = fmt.Errorf("%w: %s", ErrNoContactRequest, short(id))
			return nil
		}
		ct.Added, ct.Blocked = true, false
		return ct
	})
	if refused != nil {
		return nil, "", refused
	}
	if err != nil {
		return nil, "", err
	}
	if ct.RequestReceived {
		return ct, message.TagContactConfirmed, nil
	}
	return ct, message.TagContactRequest, nil
}

// markAdded sets Added on a contact we sent a c2 or c3 to through the
// pass-through path (SendContactMessage); it reports whether that changed
// the contact.
func (b *contactBook) markAdded(id string) (*Contact, error) {
	return b.update(id, func(ct *Contact) *Contact {
		if ct.Added && !ct.Blocked {
			return nil
		}
		ct.Added, ct.Blocked = true, false
		return ct
	})
}

// active returns the keys of the active contacts (added, not blocked),
// sorted.
func (b *contactBook) active() []string {
	var out []string
	for _, ct := range b.list() {
		if ct.Active() {
			out = append(out, ct.ID)
		}
	}
	return out
}

// block marks a contact blocked (and no longer added).
func (b *contactBook) block(id string) (*Contact, error) {
	return b.update(id, func(ct *Contact) *Contact {
		ct.Blocked, ct.Added = true, false
		return ct
	})
}

// blocked reports whether id is a blocked contact.
func (b *contactBook) blocked(id string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	ct := b.contacts[id]
	return ct != nil && ct.Blocked
}

// list returns copies of every contact, sorted by ID.
func (b *contactBook) list() []*Contact {
	b.mu.Lock()
	out := make([]*Contact, 0, len(b.contacts))
	for _, ct := range b.contacts {
		cc := *ct
		out = append(out, &cc)
	}
	b.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// handle applies a c2/c3/c6 from its author (§1.9.1): older than the last
// one processed (by Whisper timestamp) is discarded. As status-react's
// handle-contact-update, each of the three tags stores the name, image and
// address and tags the contact request-received; one we have not added is
// then a pending request (ContactEvent.Request). Blocked authors never get
// here (the dispatcher drops their payloads). A contact message is not
// marked processed: c2/c3/c6 carry no clock, so the periodic re-send of an
// unchanged profile has the same bytes and message ID as the last one and
// must count again; late copies of an older one fall to the timestamp rule.
// A store failure is returned with nothing published: the caller holds
// the payload for a retry (storefail.go).
func (b *contactBook) handle(rc recvContext, p *message.Contact) error {
	if rc.src.kind != srcDirect {
		b.c.drop(ReasonWrongChat, rc.author, nil)
		return nil
	}
	if rc.author == b.c.selfHex {
		b.c.markProcessed(rc.r.ID)
		return nil
	}
	stale, request := false, false
	ct, err := b.update(rc.author, func(ct *Contact) *Contact {
		if rc.whisperTime < ct.LastUpdated {
			stale = true
			return nil
		}
		request = !ct.RequestReceived && !ct.Added
		ct.RequestReceived = true
		ct.Name, ct.ProfileImage, ct.Address, ct.LastUpdated = p.Name, p.ProfileImage, p.Address, rc.whisperTime
		ct.Devices = ct.Devices[:0]
		for _, d := range p.DeviceInfo {
			ct.Devices = append(ct.Devices, d.ID)
		}
		return ct
	})
	switch {
	case stale:
		b.c.drop(ReasonStaleContact, rc.author, nil)
		return nil
	case err != nil:
		return err
	}
	b.c.publish(ContactEvent{Contact: *ct, Request: request})
	return nil
}
