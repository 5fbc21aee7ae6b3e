package messenger

import (
	"time"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/internal/datasync"
	"github.com/statusnode/statusd/storage"
)

// sendSyncDelay is the longest a message Send stored stays unsynced when
// nothing else syncs the database first.
const sendSyncDelay = time.Second

// sendSync bounds how long a message Send returned for stays exposed to a
// power loss. Send does not sync (Messenger.Send: that cost a tenth of the
// 1:1 rate); a ratchet-encrypted envelope is synced before it leaves
// (core.syncBeforeLeaving), but a public message, or a 1:1 message that
// waits in MVDS, would otherwise wait for a sync made for something else,
// a journal switch or the kernel's writeback (about 30 s). After a send,
// run syncs the database once sendSyncDelay has passed; the sends of that
// second share the sync, so it costs at most one fsync a second. A failed
// sync is logged and tried again a delay later (writes are not lost to a
// failed sync: they stay in the operating system's cache, and the next
// sync that succeeds covers them).
type sendSync struct {
	kv    storage.KV
	log   *zap.Logger
	clock datasync.Clock // set before Start; nil: the wall clock
	dirty chan struct{}  // capacity 1: a send stored something since the last sync began
}

func newSendSync(kv storage.KV, log *zap.Logger) *sendSync {
	return &sendSync{kv: kv, log: log, dirty: make(chan struct{}, 1)}
}

// stored notes that Send stored a message. It never blocks.
func (s *sendSync) stored() {
	select {
	case s.dirty <- struct{}{}:
	default:
	}
}

// run syncs sendSyncDelay after each stored, until quit is closed (Stop
// closes the database, which syncs its journal).
func (s *sendSync) run(quit <-chan struct{}) {
	clock := orSystemClock(s.clock)
	for {
		select {
		case <-s.dirty:
		case <-quit:
			return
		}
		if !sleepOn(clock, sendSyncDelay, quit) {
			return
		}
		if err := storage.Sync(s.kv); err != nil {
			s.log.Warn("sync sent messages; trying again", zap.Duration("in", sendSyncDelay), zap.Error(err))
			s.stored()
		}
	}
}
