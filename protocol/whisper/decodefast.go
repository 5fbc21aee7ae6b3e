package whisper

// decodeCommon decodes an envelope in the shape peers send, [Expiry, TTL,
// Topic, Data, Nonce] with short integers and a Data under 16 MiB, reading
// the RLP headers in place instead of through package rlp (a packet's
// envelopes are decoded one after another on the ingest path). It accepts
// only what decodeRLP accepts, with the same result, Data aliasing b
// (checked by FuzzDecodeCommon); for anything else — another shape, an
// error of any kind, an envelope over maxSize — it returns false and leaves
// the verdict to decodeRLP.
func decodeCommon(b []byte, maxSize uint32) (Envelope, bool) {
	var v Envelope
	content, ok := listContent(b)
	if !ok {
		return v, false
	}
	var n uint64
	if n, content, ok = fastUint(content, 4); !ok {
		return v, false
	}
	v.Expiry = uint32(n)
	if n, content, ok = fastUint(content, 4); !ok {
		return v, false
	}
	v.TTL = uint32(n)
	if len(content) < 1+TopicLength || content[0] != 0x80+TopicLength {
		return v, false
	}
	copy(v.Topic[:], content[1:1+TopicLength])
	content = content[1+TopicLength:]
	data, content, ok := fastString(content)
	if !ok || uint64(EnvelopeHeaderLength+len(data)) > uint64(maxSize) {
		return v, false
	}
	if v.Nonce, content, ok = fastUint(content, 8); !ok || len(content) != 0 {
		return v, false
	}
	v.Data = data[:len(data):len(data)]
	return v, true
}

// listContent returns the content of b, which must be exactly one
// canonical RLP list with a header of at most 4 bytes.
func listContent(b []byte) ([]byte, bool) {
	if len(b) == 0 || b[0] < 0xC0 {
		return nil, false
	}
	var size, hdr int
	switch h := b[0]; {
	case h <= 0xF7:
		size, hdr = int(h-0xC0), 1
	case h <= 0xFA:
		hdr = 1 + int(h-0xF7)
		if len(b) < hdr || b[1] == 0 {
			return nil, false
		}
		for _, c := range b[1:hdr] {
			size = size<<8 | int(c)
		}
		if size < 56 {
			return nil, false
		}
	default:
		return nil, false
	}
	if len(b)-hdr != size {
		return nil, false
	}
	return b[hdr:], true
}

// fastString splits a canonical RLP string with a header of at most 4
// bytes off b.
func fastString(b []byte) (content, rest []byte, ok bool) {
	if len(b) == 0 || b[0] >= 0xC0 {
		return nil, nil, false
	}
	var size, hdr int
	switch h := b[0]; {
	case h < 0x80:
		return b[:1], b[1:], true
	case h <= 0xB7:
		size, hdr = int(h-0x80), 1
		if size == 1 && len(b) > 1 && b[1] < 0x80 {
			return nil, nil, false
		}
	case h <= 0xBA:
		hdr = 1 + int(h-0xB7)
		if len(b) < hdr || b[1] == 0 {
			return nil, nil, false
		}
		for _, c := range b[1:hdr] {
			size = size<<8 | int(c)
		}
		if size < 56 {
			return nil, nil, false
		}
	default:
		return nil, nil, false
	}
	if len(b)-hdr < size {
		return nil, nil, false
	}
	return b[hdr : hdr+size], b[hdr+size:], true
}

// fastUint splits a canonical RLP unsigned integer of at most maxBytes
// bytes off b.
func fastUint(b []byte, maxBytes int) (uint64, []byte, bool) {
	if len(b) == 0 || b[0] == 0 {
		return 0, nil, false
	}
	h := b[0]
	if h < 0x80 {
		return uint64(h), b[1:], true
	}
	n := int(h - 0x80)
	if n > maxBytes || len(b) < 1+n || (n > 0 && b[1] == 0) || (n == 1 && b[1] < 0x80) {
		return 0, nil, false
	}
	var v uint64
	for _, c := range b[1 : 1+n] {
		v = v<<8 | uint64(c)
	}
	return v, b[1+n:], true
}
