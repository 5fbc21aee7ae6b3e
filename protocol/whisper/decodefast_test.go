package whisper

import (
	"bytes"
	"testing"
)

// FuzzDecodeCommon: the in-place decoder accepts only what the rlp-based
// one accepts, with the same fields, for a node's limit and a small one.
func FuzzDecodeCommon(f *testing.F) {
	for _, s := range fuzzSeedEnvelopes(f) {
		f.Add(s)
	}
	for _, s := range decodeCommonCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, maxSize := range []uint32{DefaultMaxMessageSize, 64} {
			checkDecodeCommon(t, in, maxSize)
		}
	})
}

func checkDecodeCommon(t *testing.T, in []byte, maxSize uint32) {
	t.Helper()
	v, ok := decodeCommon(in, maxSize)
	var want Envelope
	err := want.decodeRLP(in, maxSize, true)
	if !ok {
		return // decodeRLP decides
	}
	if err != nil {
		t.Fatalf("%x (max %d): in-place decoder accepts, rlp decoder: %v", in, maxSize, err)
	}
	if v.Expiry != want.Expiry || v.TTL != want.TTL || v.Topic != want.Topic || !bytes.Equal(v.Data, want.Data) || v.Nonce != want.Nonce {
		t.Fatalf("%x (max %d): %+v, rlp decoder %+v", in, maxSize, v, want)
	}
	if len(v.Data) > 0 && &v.Data[0] != &want.Data[0] {
		t.Fatalf("%x: Data does not alias the input", in)
	}
}

// decodeCommonCases are envelopes at the edges of canonical RLP: each must
// decode as the rlp decoder says, in place or by falling back to it.
var decodeCommonCases = [][]byte{
	{0xc9, 0x00, 0x02, 0x84, 0, 0, 0, 0, 0x01, 0x80},                            // expiry as byte 0x00
	{0xca, 0x81, 0x05, 0x02, 0x84, 0, 0, 0, 0, 0x01, 0x80},                      // 0x81 before a small byte
	{0xca, 0x82, 0x00, 0x05, 0x02, 0x84, 0, 0, 0, 0, 0x01},                      // leading zero
	{0xc9, 0x80, 0x80, 0x84, 1, 2, 3, 4, 0x80, 0x80},                            // zeros and empty data
	{0xca, 0x01, 0x02, 0x84, 1, 2, 3, 4, 0x81, 0x05, 0x80},                      // data 0x81 0x05
	{0xca, 0x01, 0x02, 0x84, 1, 2, 3, 4, 0x81, 0x85, 0x80},                      // data 0x81 0x85
	{0xc9, 0x01, 0x02, 0x83, 1, 2, 3, 0x80, 0x80},                               // short topic
	{0xcb, 0x01, 0x02, 0x84, 1, 2, 3, 4, 0x80, 0x80, 0x80},                      // extra element
	{0xc8, 0x01, 0x02, 0x84, 1, 2, 3, 4, 0x80},                                  // no nonce
	{0xd2, 0x85, 1, 0, 0, 0, 0, 0x02, 0x84, 1, 2, 3, 4, 0x80, 0x80},             // 40-bit expiry
	{0xf8, 0x09, 0x01, 0x02, 0x84, 1, 2, 3, 4, 0x80, 0x80},                      // long list header, short size
	{0xc9, 0x01, 0x02, 0x84, 1, 2, 3, 4, 0x80, 0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9}, // 9-byte nonce
	{0xd1, 0x01, 0x02, 0x84, 1, 2, 3, 4, 0x80, 0x88, 0, 2, 3, 4, 5, 6, 7, 8},    // nonce leading zero
	{0xca, 0x01, 0x02, 0x84, 1, 2, 3, 4, 0xc0, 0x80},                            // data is a list
	{0xc9, 0xc0, 0x02, 0x84, 1, 2, 3, 4, 0x80, 0x80},                            // expiry is a list
}

// TestDecodeCommonEdges: the cases above, plus data at the long-header
// boundaries and at the size limit, which the common shape decodes in place.
func TestDecodeCommonEdges(t *testing.T) {
	for _, c := range decodeCommonCases {
		checkDecodeCommon(t, c, DefaultMaxMessageSize)
	}
	for _, n := range []int{0, 1, 55, 56, 57, 255, 256, 65535, 65536, 70000} {
		e := &Envelope{Expiry: 1 << 31, TTL: 300, Topic: Topic{1, 2, 3, 4}, Data: bytes.Repeat([]byte{0x90}, n), Nonce: 1<<64 - 1}
		raw := e.AppendRLP(nil)
		for _, maxSize := range []uint32{uint32(EnvelopeHeaderLength + n), uint32(EnvelopeHeaderLength + n - 1), DefaultMaxMessageSize} {
			checkDecodeCommon(t, raw, maxSize)
		}
		if _, ok := decodeCommon(raw, DefaultMaxMessageSize); !ok {
			t.Errorf("data of %d bytes: not decoded in place", n)
		}
	}
}
