package mailserver

import (
	"fmt"
	"math/bits"

	"github.com/statusnode/statusd/protocol/whisper"
)

// listHeaderMax is the longest RLP list header of a packet up to 4 GiB.
const listHeaderMax = 5

// Batcher packs archived envelopes into P2P Message packets (code 127,
// docs/PROTOCOL.md §4.5). With Batch set (the client asked for it) each
// packet body is an RLP list of envelopes no larger than MaxSize bytes;
// without it each body is one envelope, as EIP-627 describes. A Batcher is
// not safe for concurrent use; the zero value is not usable, build it with
// NewBatcher.
type Batcher struct {
	maxSize uint32
	batch   bool
	content []byte // RLP of the envelopes of the open list
	count   int
}

// NewBatcher returns a Batcher for bodies of at most maxSize bytes (the
// receiving peer's max message size).
func NewBatcher(maxSize uint32, batch bool) *Batcher {
	return &Batcher{maxSize: maxSize, batch: batch}
}

// Add appends env and returns the bodies that are complete because of it
// (zero or one when batching, exactly one otherwise). An envelope that
// cannot fit in a body on its own is refused with ErrEnvelopeTooLarge and
// the Batcher is unchanged. The returned slices belong to the caller.
func (b *Batcher) Add(env *whisper.Envelope) ([][]byte, error) {
	one := env.AppendRLP(nil)
	if !b.batch {
		if uint64(len(one)) > uint64(b.maxSize) {
			return nil, fmt.Errorf("%w: %d bytes > %d", ErrEnvelopeTooLarge, len(one), b.maxSize)
		}
		return [][]byte{one}, nil
	}
	if uint64(len(one)+listHeaderMax) > uint64(b.maxSize) {
		return nil, fmt.Errorf("%w: %d bytes > %d in a list", ErrEnvelopeTooLarge, len(one), b.maxSize)
	}
	var out [][]byte
	if uint64(len(b.content)+len(one)+listHeaderMax) > uint64(b.maxSize) {
		out = append(out, b.take())
	}
	b.content = append(b.content, one...)
	b.count++
	return out, nil
}

// Flush returns the open list as a body, or nil when it is empty (and
// always nil without batching).
func (b *Batcher) Flush() []byte {
	if b.count == 0 {
		return nil
	}
	return b.take()
}

func (b *Batcher) take() []byte {
	body := make([]byte, 0, len(b.content)+listHeaderMax)
	body = appendListHeader(body, len(b.content))
	body = append(body, b.content...)
	b.content, b.count = b.content[:0], 0
	return body
}

// appendListHeader appends the RLP header of a list of size content bytes.
func appendListHeader(dst []byte, size int) []byte {
	if size < 56 {
		return append(dst, 0xC0+byte(size))
	}
	n := (bits.Len(uint(size)) + 7) / 8
	dst = append(dst, 0xF7+byte(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(size>>(8*i)))
	}
	return dst
}

// EncodeBatch packs envs into code-127 bodies with a fresh Batcher; it is
// the one-shot form of Add and Flush.
func EncodeBatch(envs []*whisper.Envelope, maxSize uint32, batch bool) ([][]byte, error) {
	b := NewBatcher(maxSize, batch)
	var out [][]byte
	for _, e := range envs {
		bodies, err := b.Add(e)
		if err != nil {
			return nil, err
		}
		out = append(out, bodies...)
	}
	if last := b.Flush(); last != nil {
		out = append(out, last)
	}
	return out, nil
}

// DecodeBatch decodes a code-127 body: one envelope or a list of them
// (§4.5), each bounded by maxSize. It is whisper.DecodeP2PEnvelopes,
// re-exported so the client role needs one package.
func DecodeBatch(body []byte, maxSize uint32) ([]*whisper.Envelope, error) {
	return whisper.DecodeP2PEnvelopes(body, maxSize)
}
