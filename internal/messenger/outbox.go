package messenger

import "github.com/statusnode/statusd/storage"

// The outbox closes the crash window of a direct send. SendText stores a
// 1:1 or group message (queued) and only then appends it to MVDS, which
// persists it for retransmission; a process that dies in between would
// leave the message queued forever, never sent. So the message's batch
// also holds an outbox entry with its body and recipients, deleted once
// MVDS has it, and Start appends whatever entries are left
// (directChats.resendOutbox). An entry left by a crash after the append is
// appended again: the recipient drops the second copy as a duplicate (same
// message ID) and acknowledges both.

// outboxEntry is a direct message not yet handed to MVDS.
type outboxEntry struct {
	ID         string   `json:"id"`
	Recipients []string `json:"recipients"` // 0x04… keys
	Body       []byte   `json:"body"`       // the wrapped, signed payload
}

func putOutbox(b *storage.Batch, id string, recipients []string, body []byte) {
	putJSON(b, key(pfxOutbox, []byte(id)), outboxEntry{ID: id, Recipients: recipients, Body: body})
}

func (s *store) deleteOutbox(id string) error {
	var b storage.Batch
	b.Delete(key(pfxOutbox, []byte(id)))
	return s.write(&b)
}

// outgoing is a stored message ready to leave.
type outgoing struct {
	id         string
	body       []byte
	public     string   // public chat name, or ""
	recipients []string // direct recipients, 0x04…
}
