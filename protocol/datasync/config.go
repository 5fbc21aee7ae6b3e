package datasync

import (
	"fmt"
	"math/bits"
)

// Mode selects how a node shares the messages it appends (docs/PROTOCOL.md
// §6.3). Values are append-only.
type Mode uint8

const (
	// ModeBatch sends appended messages directly (MESSAGE records). Status
	// uses this mode.
	ModeBatch Mode = iota
	// ModeInteractive offers appended messages (OFFER records); peers request
	// what they lack.
	ModeInteractive
)

// String returns the mode's name.
func (m Mode) String() string {
	switch m {
	case ModeBatch:
		return "batch"
	case ModeInteractive:
		return "interactive"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Config configures a Node. Build it with DefaultConfig and change fields;
// NewNode and RestartNode call Validate.
type Config struct {
	// ID is the local peer ID. It is never a group peer of this node.
	ID PeerID

	// Mode is batch (Status) or interactive.
	Mode Mode

	// InitialBackoff is the number of ticks between the first send of a
	// record and its first retransmission. Each further retransmission
	// doubles the gap, up to MaxBackoff (§6.3: "increase exponentially up to
	// a bound"). The next send epoch is SET to epoch + gap, never added to the
	// previous send epoch (the mvds ≤ v0.0.23 bug, §6.3).
	InitialBackoff uint64

	// MaxBackoff bounds the gap between two sends of one record, in ticks.
	// An unacknowledged record is re-sent at least once per MaxBackoff ticks
	// for as long as it exists, whatever the epoch value.
	MaxBackoff uint64

	// MaxPayloadBytes bounds one outgoing encoded payload. When a peer's
	// due records do not fit, the node emits several payloads to that peer.
	// It must not exceed Limits.MaxPayloadBytes.
	MaxPayloadBytes int

	// MaxMessageBytes bounds the body accepted by Append. A message of this
	// size must fit alone in one payload of MaxPayloadBytes.
	MaxMessageBytes int

	// Limits are the decoder limits for incoming payloads; the driver passes
	// them to DecodePayload.
	Limits Limits
}

// DefaultConfig returns the configuration statusd uses: batch mode, first
// retransmission after 2 ticks (as Status's epoch+2·count did), doubling up
// to 200 ticks (60 s at Status's 300 ms tick).
func DefaultConfig(id PeerID) Config {
	l := DefaultLimits()
	return Config{
		ID:              id,
		Mode:            ModeBatch,
		InitialBackoff:  2,
		MaxBackoff:      200,
		MaxPayloadBytes: l.MaxPayloadBytes,
		MaxMessageBytes: l.MaxPayloadBytes - maxMessageOverhead,
		Limits:          l,
	}
}

// maxMessageOverhead is the largest encoding overhead around one body in a
// payload: entry tag and length, group ID field, timestamp field, body tag
// and length.
const maxMessageOverhead = 3 + 5 + (3 + 1 + IDLength) + (3 + 10) + (3 + 5)

// Validate reports an unusable configuration as ErrInvalidConfig.
func (c Config) Validate() error {
	if c.ID[0] != 0x04 {
		return fmt.Errorf("%w: ID is not an uncompressed public key", ErrInvalidConfig)
	}
	if c.Mode > ModeInteractive {
		return fmt.Errorf("%w: mode %s", ErrInvalidConfig, c.Mode)
	}
	if c.InitialBackoff == 0 || c.MaxBackoff < c.InitialBackoff {
		return fmt.Errorf("%w: back-off %d..%d ticks", ErrInvalidConfig, c.InitialBackoff, c.MaxBackoff)
	}
	if err := c.Limits.Validate(); err != nil {
		return err
	}
	if c.MaxPayloadBytes <= 0 || c.MaxPayloadBytes > c.Limits.MaxPayloadBytes {
		return fmt.Errorf("%w: MaxPayloadBytes %d outside 1..%d", ErrInvalidConfig, c.MaxPayloadBytes, c.Limits.MaxPayloadBytes)
	}
	if c.MaxMessageBytes <= 0 || c.MaxMessageBytes+maxMessageOverhead > c.MaxPayloadBytes {
		return fmt.Errorf("%w: MaxMessageBytes %d does not fit a payload of %d", ErrInvalidConfig, c.MaxMessageBytes, c.MaxPayloadBytes)
	}
	return nil
}

// backoff returns the gap in ticks after the count-th send of a record
// (count ≥ 1): initial·2^(count-1), capped at MaxBackoff.
func (c Config) backoff(initial, count uint64) uint64 {
	if count == 0 {
		count = 1
	}
	shift := count - 1
	if shift >= 64 || initial > c.MaxBackoff>>shift {
		return c.MaxBackoff
	}
	return initial << shift
}

// nextEpoch returns the epoch of the next send after the count-th send at
// epoch with first gap initial, saturating instead of wrapping.
func (c Config) nextEpoch(initial, count, epoch uint64) uint64 {
	next, carry := bits.Add64(epoch, c.backoff(initial, count), 0)
	if carry != 0 {
		return ^uint64(0)
	}
	return next
}
