package messenger

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/statusnode/statusd/storage"
)

// The outbox closes the crash window of a direct send. SendText stores a
// 1:1 or group message (queued) and only then appends it to MVDS, which
// persists it for retransmission; a process that dies in between would
// leave the message queued forever, never sent. So the message's batch
// also holds an outbox entry with its body and recipients, and Start has
// whatever entries are left appended (directChats.resendOutbox, by the
// resendUnsent goroutine, so Start does not wait for the driver). The entry
// is deleted by the write that maps the message's MVDS ID before MVDS
// first sends it (deliveries.mapOutgoing): MVDS persisted the message when
// it was appended, so no write of its own is needed. An entry left by a
// crash after the append is appended again: the recipient drops the
// second copy as a duplicate (same message ID) and acknowledges both.
//
// A public message is kept in the public outbox (meta records named
// metaPublicOutbox + ID, JSON publicEntry: the meta values are the
// messenger's own bytes, so the record formats of storage/messengerstore
// are unchanged), with its chat, its wrapped payload and the end of its
// retry window (Config.PublicRetryWindow), until an envelope carrying
// it reaches a peer (sent) or the window ends (expired). While it is
// queued, every envelope of it that expires unsent makes it due again, and
// publicChats.run re-posts its stored bytes in a fresh envelope once the
// Transport has a peer (public.go). Start makes every stored public entry
// due, so a restart loses none.

// outboxEntry is a direct message not yet handed to MVDS.
type outboxEntry struct {
	ID         string   `json:"id"`
	Recipients []string `json:"recipients"` // 0x04… keys
	Body       []byte   `json:"body"`       // the wrapped, signed payload
}

// metaPublicOutbox prefixes the meta name of each public outbox entry.
const metaPublicOutbox = "public-outbox/"

// publicEntry is a public message not yet sent to any peer.
type publicEntry struct {
	ID       string `json:"id"`
	Chat     string `json:"chat"`     // public chat name
	Body     []byte `json:"body"`     // the wrapped, signed payload, re-posted as is
	Deadline int64  `json:"deadline"` // Unix ms: the end of its retry window
}

func publicKey(id string) []byte { return key(pfxMeta, []byte(metaPublicOutbox+id)) }

func putPublicOutbox(b *storage.Batch, id, chat string, body []byte, deadline time.Time) {
	v, _ := json.Marshal(publicEntry{ID: id, Chat: chat, Body: body, Deadline: deadline.UnixMilli()}) // cannot fail
	b.Put(publicKey(id), v)
}

// publicOutbox returns the stored public messages not yet sent.
func (s *store) publicOutbox() ([]*publicEntry, error) {
	var out []*publicEntry
	err := s.kv.Iterate(publicKey(""), nil, func(_, raw []byte) error {
		e := new(publicEntry)
		if err := json.Unmarshal(raw, e); err != nil {
			return fmt.Errorf("%w: decode public outbox entry: %w", ErrStore, err)
		}
		out = append(out, e)
		return nil
	})
	return out, err
}

// publicPending returns the public outbox entry of id, nil when there is
// none (or it does not decode); the error is a failed read (ErrStore).
func (s *store) publicPending(id string) (*publicEntry, error) {
	raw, err := s.kv.Get(publicKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil // not a public message waiting
	}
	if err != nil {
		return nil, fmt.Errorf("%w: public outbox entry: %w", ErrStore, err)
	}
	e := new(publicEntry)
	if json.Unmarshal(raw, e) != nil {
		return nil, nil
	}
	return e, nil
}

func putOutbox(b *storage.Batch, id string, recipients []string, body []byte) {
	putJSON(b, key(pfxOutbox, []byte(id)), outboxEntry{ID: id, Recipients: recipients, Body: body})
}

// outgoing is a stored message ready to leave.
type outgoing struct {
	id         string
	body       []byte
	public     string   // public chat name, or ""
	recipients []string // direct recipients, 0x04…
	dup        bool     // already stored and sent: nothing to send
}
