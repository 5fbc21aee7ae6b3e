package messenger

import (
	"errors"
	"maps"
	"sync"

	"go.uber.org/zap"

	"github.com/statusnode/statusd/lib/metrics"
	"github.com/statusnode/statusd/protocol/encryption"
	"github.com/statusnode/statusd/protocol/message"
)

// Drop reasons that are not a message.Rule (those use Rule.String()).
const (
	ReasonBlocked      = "blocked"        // author is a blocked contact
	ReasonNotMember    = "not-member"     // group message from a non-member, or a group we are not in
	ReasonNotJoined    = "not-joined"     // group message while our invitation is not accepted
	ReasonWrongChat    = "wrong-chat"     // chat-id or message type does not fit the topic it came on
	ReasonUnsigned     = "unsigned"       // Whisper message without signature
	ReasonStaleContact = "stale-contact"  // contact message older than the last one processed (§1.9.1)
	ReasonUnexpected   = "unexpected"     // a payload kind not accepted on that topic
	ReasonMVDS         = "mvds-malformed" // MVDS fields present but broken
	// ReasonCorruptRecord: a session-store record the decryption needed
	// does not decode (encryption.ErrCorrupt); retrying cannot mend it.
	ReasonCorruptRecord = "decrypt-corrupt-record"
)

// decryptReason names an encryption failure for the counters.
func decryptReason(err error) string {
	for _, c := range []struct {
		err  error
		name string
	}{
		{encryption.ErrCorrupt, ReasonCorruptRecord},
		{encryption.ErrNotPairedDevice, "decrypt-not-paired"},
		{encryption.ErrDeviceNotFound, "decrypt-device-not-found"},
		{encryption.ErrReplay, "decrypt-replay"},
		{encryption.ErrInvalidBundleSignature, "decrypt-bad-bundle"},
		{encryption.ErrBundleIdentity, "decrypt-bundle-identity"},
		{encryption.ErrSessionNotFound, "decrypt-no-session"},
		{encryption.ErrPrivateBundleNotFound, "decrypt-no-prekey"},
		{encryption.ErrSessionExpired, "decrypt-session-expired"},
		{encryption.ErrTooManySkipped, "decrypt-too-many-skipped"},
		{encryption.ErrMalformed, "decrypt-malformed"},
		{encryption.ErrInvalidKey, "decrypt-malformed"},
		{encryption.ErrDecrypt, "decrypt-failed"},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return "decrypt-other"
}

// ruleReason names a validation failure for the counters.
func ruleReason(err error) string {
	if r := message.RuleOf(err); r != message.RuleNone {
		return r.String()
	}
	return "invalid"
}

// counters counts rejected payloads by reason; safe for concurrent use.
type counters struct {
	mu      sync.Mutex
	dropped map[string]uint64
	vec     *metrics.CounterVec // nil without a registry
	log     *zap.Logger
}

func newCounters(reg *metrics.Registry, log *zap.Logger) *counters {
	c := &counters{dropped: make(map[string]uint64), log: log}
	if reg != nil {
		c.vec = reg.Counter("statusd_messenger_dropped_total",
			"Received payloads the messenger did not show, by reason.", "reason")
	}
	return c
}

// drop counts and logs one rejected payload. err may be nil.
func (c *counters) drop(reason, sender string, err error) {
	c.mu.Lock()
	c.dropped[reason]++
	c.mu.Unlock()
	if c.vec != nil {
		c.vec.Inc(reason)
	}
	if reason == message.RuleDuplicate.String() {
		return // normal with MVDS retransmission and paired devices
	}
	c.log.Debug("payload dropped", zap.String("reason", reason), zap.String("sender", short(sender)), zap.Error(err))
}

func (c *counters) snapshot() map[string]uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.dropped)
}

// short returns a log fingerprint of a 0x04… key.
func short(k string) string {
	if len(k) > 14 {
		return k[:14] + "…"
	}
	return k
}
