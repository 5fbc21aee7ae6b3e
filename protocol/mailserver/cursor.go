package mailserver

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
)

// Cursor is a position in a mailserver's archive order: the archive time of
// an envelope and its hash. On the wire it is Time (4 bytes, big-endian) ‖
// Hash (32 bytes) (docs/PROTOCOL.md §4.5). Cursors are server-specific: a
// client only hands back what the same server gave it. The order is (Time,
// Hash) ascending, hashes compared bytewise; a query resumed from a cursor
// returns only envelopes strictly after it.
type Cursor struct {
	Time uint32      // archive time, Unix seconds
	Hash common.Hash // envelope hash
}

// Bytes returns the 36-byte wire form.
func (c Cursor) Bytes() []byte {
	return c.AppendBytes(make([]byte, 0, CursorLength))
}

// AppendBytes appends the 36-byte wire form to dst.
func (c Cursor) AppendBytes(dst []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, c.Time)
	return append(dst, c.Hash[:]...)
}

// Compare orders cursors by (Time, Hash): −1, 0 or +1.
func (c Cursor) Compare(o Cursor) int {
	switch {
	case c.Time < o.Time:
		return -1
	case c.Time > o.Time:
		return 1
	}
	return bytes.Compare(c.Hash[:], o.Hash[:])
}

// String is time/short-hash, for logs.
func (c Cursor) String() string {
	return fmt.Sprintf("%d/%s", c.Time, hex.EncodeToString(c.Hash[:4]))
}

// ParseCursor reads a cursor from its wire form. An empty b means "no
// cursor" and returns nil, nil. 36 bytes is the cursor of §4.5; 40 bytes is
// the legacy status-go DB key (time ‖ hash ‖ topic), whose topic is dropped.
// Any other length wraps ErrInvalidCursor.
func ParseCursor(b []byte) (*Cursor, error) {
	switch len(b) {
	case 0:
		return nil, nil
	case CursorLength, LegacyCursorLength:
		c := &Cursor{Time: binary.BigEndian.Uint32(b)}
		copy(c.Hash[:], b[4:CursorLength])
		return c, nil
	default:
		return nil, fmt.Errorf("%w: %d bytes, want 0, %d or %d", ErrInvalidCursor, len(b), CursorLength, LegacyCursorLength)
	}
}

// cursorBytes is the wire form of an optional cursor: empty for nil.
func cursorBytes(c *Cursor) []byte {
	if c == nil {
		return nil
	}
	return c.Bytes()
}
