package messenger

import (
	"context"
	"crypto/ecdsa"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/protocol/message"
	"github.com/statusnode/statusd/storage"
)

// The outbox closes the crash window of a direct send. SendText stores a
// 1:1 or group message (queued) and only then appends it to MVDS, which
// persists it for retransmission; a process that dies in between would
// leave the message queued forever, never sent. So the message's batch
// also holds an outbox entry with its body and recipients, deleted once
// MVDS has it, and Start appends whatever entries are left. An entry left
// by a crash after the append is appended again: the recipient drops the
// second copy as a duplicate (same message ID) and acknowledges both.

// outboxEntry is a direct message not yet handed to MVDS.
type outboxEntry struct {
	ID         string   `json:"id"`
	Recipients []string `json:"recipients"` // 0x04… keys
	Body       []byte   `json:"body"`       // the wrapped, signed payload
}

func putOutbox(b *storage.Batch, id string, recipients []*ecdsa.PublicKey, body []byte) {
	e := outboxEntry{ID: id, Body: body}
	for _, pub := range recipients {
		e.Recipients = append(e.Recipients, message.PubKeyHex(pub))
	}
	putJSON(b, key(pfxOutbox, []byte(id)), e)
}

func (s *store) deleteOutbox(id string) error {
	var b storage.Batch
	b.Delete(key(pfxOutbox, []byte(id)))
	return s.write(&b)
}

// resendOutboxLocked appends to MVDS every outbox entry a previous run
// left (see above) and deletes it. An entry that fails stays for the next
// Start. Called by Start with mu held, after the MVDS driver started.
func (m *Messenger) resendOutboxLocked(ctx context.Context) {
	var entries []*outboxEntry
	err := iterateJSON(m.st, []byte{pfxOutbox}, func(e *outboxEntry) error {
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		m.log.Warn("read outbox", zap.Error(err))
	}
	for _, e := range entries {
		if err := m.resendOne(ctx, e); err != nil {
			m.log.Warn("resend stored message", zap.String("id", e.ID), zap.Error(err))
		}
	}
	if len(entries) > 0 {
		m.log.Info("resent messages stored before a crash", zap.Int("count", len(entries)))
	}
}

func (m *Messenger) resendOne(ctx context.Context, e *outboxEntry) error {
	var pubs []*ecdsa.PublicKey
	for _, k := range e.Recipients {
		pub, err := parsePubKey(k)
		if err != nil {
			return err
		}
		if err := m.ensurePeerLocked(pub); err != nil {
			return err
		}
		pubs = append(pubs, pub)
	}
	if err := m.appendDirect(ctx, pubs, e.Body); err != nil {
		return err
	}
	return m.st.deleteOutbox(e.ID)
}
