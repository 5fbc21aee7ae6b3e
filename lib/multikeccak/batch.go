package multikeccak

import "encoding/binary"

// rate is the Keccak-256 block size in bytes: (1600 − 2·256) / 8.
const rate = 136

// Batch collects messages and computes the legacy Keccak-256 of each
// (Ethereum's keccak256: the original Keccak padding 0x01…0x80, not
// SHA3-256's 0x06) several at a time.
//
// Build a message with Write calls and close it with End; Sum then hashes
// every closed message. A Batch is not safe for concurrent use; reuse one
// (Reset) to avoid allocating. The zero value is not ready: use New.
type Batch struct {
	impl  impl          // the permutation
	buf   []byte        // the messages, back to back
	ends  []int         // end offset in buf of each closed message
	st    state8        // the lanes' sponges
	tmp   [25][4]uint64 // scratch of the AVX2 permutation
	block [rate]byte
}

// New returns an empty Batch that uses the fastest permutation this CPU
// offers.
func New() *Batch { return &Batch{impl: best} }

// Accelerated reports whether this CPU permutes several states at once
// (AVX-512: eight, AVX2: four at a time). Without either, Sum is correct
// but slower than hashing the messages one by one with an assembly
// single-state Keccak, so callers may prefer that.
func Accelerated() bool { return best != implGeneric }

// Reset forgets every message and keeps the buffers.
func (b *Batch) Reset() {
	b.buf = b.buf[:0]
	b.ends = b.ends[:0]
}

// Write appends p to the message being built. It never fails.
func (b *Batch) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	return len(p), nil
}

// End closes the message being built (possibly empty) and returns its
// index.
func (b *Batch) End() int {
	b.ends = append(b.ends, len(b.buf))
	return len(b.ends) - 1
}

// Len is the number of closed messages.
func (b *Batch) Len() int { return len(b.ends) }

// lane is the message a lane of the state is absorbing.
type lane struct {
	msg  int // index of the message, −1 when the lane is free
	data []byte
	last bool // the block absorbed last was the padded final one
}

// Sum writes the Keccak-256 of closed message i to out[i]; out must hold
// Len() hashes. The messages stay in the Batch until Reset.
//
// Each lane takes the next message as soon as its own is done, so the
// permutations number about the total of the messages' blocks divided by
// eight, plus the tail, whatever their lengths.
func (b *Batch) Sum(out [][32]byte) {
	if len(out) < len(b.ends) {
		panic("multikeccak: Sum: out shorter than Len")
	}
	var ls [lanes]lane
	next, start := 0, 0
	for j := range ls {
		ls[j].msg = -1
	}
	for {
		var busy uint8 // bit j: lane j absorbed a block
		for j := range ls {
			l := &ls[j]
			if l.msg < 0 && next < len(b.ends) {
				l.msg, l.data, l.last = next, b.buf[start:b.ends[next]], false
				start = b.ends[next]
				next++
				for i := range b.st {
					b.st[i][j] = 0
				}
			}
			if l.msg >= 0 {
				busy |= 1 << j
				b.absorb(j, l)
			}
		}
		if busy == 0 {
			return
		}
		permute8(&b.st, &b.tmp, b.impl, busy)
		for j := range ls {
			if l := &ls[j]; l.msg >= 0 && l.last {
				for i := range 4 {
					binary.LittleEndian.PutUint64(out[l.msg][8*i:], b.st[i][j])
				}
				l.msg = -1
			}
		}
	}
}

// absorb XORs l's next block into lane j: a full block of the message, or
// the final block with the rest of it and the padding.
func (b *Batch) absorb(j int, l *lane) {
	blk := l.data
	if len(blk) >= rate {
		l.data = l.data[rate:]
	} else {
		n := copy(b.block[:], blk)
		clear(b.block[n:])
		b.block[n] = 0x01
		b.block[rate-1] |= 0x80
		blk, l.last = b.block[:], true
	}
	for i := range rate / 8 {
		b.st[i][j] ^= binary.LittleEndian.Uint64(blk[8*i:])
	}
}
