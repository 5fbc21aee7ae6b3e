package messenger

import (
	"encoding/json"
	"fmt"
	"sync"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// metaPeerWrappers names the meta value holding the form each peer's
// messages were last seen in: a JSON object of 0x04… identity → true (in
// the v1 wrapper, StatusProtocolMessage) or false (bare Transit). Like
// metaPeerProtocols, the messenger's own bytes: the record formats of
// storage/messengerstore are unchanged.
const metaPeerWrappers = "peer-wrappers"

// peerForms learns from what each peer sends whether its client uses the
// v1 wrapper (docs/PROTOCOL.md §1.2), and picks the form of the chat
// messages we send to it. In 2019 the wrapper was opt-in on the sending
// side (status-go's SendV1Messages, off unless configured) and every
// receiver of status-protocol-go and status-go accepted both forms, while
// the older status-react clients read only bare Transit; so a peer seen
// sending bare payloads is sent bare ones, and everyone else wrapped ones
// (our default, which also lets a relay prove the author).
//
// Its mutex is a leaf guarding the map only; learn is called by the
// receive goroutine alone, so its store writes are never concurrent.
type peerForms struct {
	st   *store
	pend *pendingWrites // writes what it learns (a failed write is kept)
	log  *zap.Logger

	mu      sync.Mutex
	wrapped map[string]bool // identity → last seen wrapped; guarded by mu
}

func newPeerForms(st *store, pend *pendingWrites, log *zap.Logger) *peerForms {
	return &peerForms{st: st, pend: pend, log: log, wrapped: make(map[string]bool)}
}

// load reads the stored knowledge (Start).
func (f *peerForms) load() error {
	raw, ok, err := f.st.meta(metaPeerWrappers)
	if err != nil || !ok {
		return err
	}
	m := make(map[string]bool)
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%w: decode %s: %w", ErrStore, metaPeerWrappers, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for id, w := range m {
		f.wrapped[id] = w
	}
	return nil
}

// learn records that identity was seen sending a status payload wrapped or
// bare, and persists a change (through pendingWrites: a failed write is
// kept and written again). An unchanged peer costs a map look-up.
func (f *peerForms) learn(identity string, wrapped bool) {
	f.mu.Lock()
	if old, known := f.wrapped[identity]; known && old == wrapped {
		f.mu.Unlock()
		return
	}
	f.wrapped[identity] = wrapped
	raw, err := json.Marshal(f.wrapped)
	f.mu.Unlock()
	if err != nil {
		f.log.Warn("encode peer wrapper forms", zap.Error(err)) // a map of strings to bools: cannot fail
	} else {
		var b storage.Batch
		b.Put(key(pfxMeta, []byte(metaPeerWrappers)), raw)
		f.pend.write(&b, nil) // kept and written again if it fails (pendwrites.go)
	}
	f.log.Info("peer wrapper form", zap.String("peer", short(identity)), zap.Bool("v1_wrapper", wrapped))
}

// bare reports whether messages to recipients go bare: there is at least
// one, and each was last seen sending bare payloads. A message has one
// form (its ID depends on it, §1.10), so a group with any other member
// gets it wrapped, which every reader of bare payloads of that era except
// the oldest status-react also read.
func (f *peerForms) bare(recipients []string) bool {
	if len(recipients) == 0 {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range recipients {
		if w, known := f.wrapped[r]; !known || w {
			return false
		}
	}
	return true
}

// encodeFor is encode for a message to recipients: Transit, then wrapFor.
func (c *core) encodeFor(p message.Payload, recipients []string) ([]byte, string, error) {
	raw, err := message.Encode(p)
	if err != nil {
		return nil, "", fmt.Errorf("%w: encode: %w", ErrInvalidMessage, err)
	}
	return c.wrapFor(raw, recipients)
}

// wrapFor wraps and signs Transit bytes for recipients (0x04… keys; none
// for a public chat), unless peerForms says every recipient reads bare
// payloads, and returns the bytes sent and their message ID (§1.10: the
// author ‖ those bytes either way, as the receiver computes it).
func (c *core) wrapFor(raw []byte, recipients []string) ([]byte, string, error) {
	if c.forms != nil && c.forms.bare(recipients) {
		return raw, message.ID(c.self, raw), nil
	}
	return c.wrap(raw)
}
