package whisper

import (
	"encoding/binary"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

// hasher is a reusable keccak256 state with room for the small RLP pieces
// around an envelope's Data, so Hash and PoW stream the envelope into the
// sponge without building its encoding.
type hasher struct {
	st  crypto.KeccakState
	buf [48]byte // ≥ maxEnvelopeRLPOverhead
}

var hasherPool = sync.Pool{New: func() any { return &hasher{st: crypto.NewKeccakState()} }}

func getHasher() *hasher {
	h := hasherPool.Get().(*hasher)
	h.st.Reset()
	return h
}

func (h *hasher) sum(out *[32]byte) {
	h.st.Read(out[:])
	hasherPool.Put(h)
}

// writeHead writes the RLP of e that comes before Data's bytes (list
// header, Expiry, TTL, Topic and Data's string header) and returns the
// length of the whole encoding (with or without the nonce).
func (e *Envelope) writeHead(h *hasher, withNonce bool) int {
	b, total := e.appendHead(h.buf[:0], withNonce)
	h.st.Write(b)
	return total
}

// appendHead appends the RLP of e that comes before Data's bytes to dst
// (at most maxEnvelopeRLPOverhead bytes) and returns it with the length of
// the whole encoding (with or without the nonce).
func (e *Envelope) appendHead(dst []byte, withNonce bool) ([]byte, int) {
	content := rlp.IntSize(uint64(e.Expiry)) + rlp.IntSize(uint64(e.TTL)) +
		1 + TopicLength + int(rlp.BytesSize(e.Data))
	if withNonce {
		content += rlp.IntSize(e.Nonce)
	}
	b := appendRLPHeader(dst, 0xC0, content)
	total := len(b) - len(dst) + content
	b = rlp.AppendUint64(b, uint64(e.Expiry))
	b = rlp.AppendUint64(b, uint64(e.TTL))
	b = append(b, 0x80+TopicLength)
	b = append(b, e.Topic[:]...)
	if len(e.Data) != 1 || e.Data[0] >= 0x80 {
		b = appendRLPHeader(b, 0x80, len(e.Data))
	}
	return b, total
}

// KeccakHash returns keccak256(b) using a pooled state. Of an envelope's
// canonical RLP (the Raw of DecodeEnvelopesWire) it is the envelope's Hash.
func KeccakHash(b []byte) common.Hash {
	h := getHasher()
	h.st.Write(b)
	var out common.Hash
	h.sum((*[32]byte)(&out))
	return out
}

// powSum computes the §5.4 PoW hash of e into out and returns the length of
// RLP([Expiry, TTL, Topic, Data]).
func (e *Envelope) powSum(out *[32]byte) int {
	h := getHasher()
	n := e.writeHead(h, false)
	h.st.Write(e.Data)
	binary.BigEndian.PutUint64(h.buf[:8], e.Nonce)
	h.st.Write(h.buf[:8])
	h.sum(out)
	return n
}

// hashSum computes keccak256 of the full RLP of e (§5.3) into out.
func (e *Envelope) hashSum(out *[32]byte) {
	h := getHasher()
	e.writeHead(h, true)
	h.st.Write(e.Data)
	h.st.Write(rlp.AppendUint64(h.buf[:0], e.Nonce))
	h.sum(out)
}
