package messengerstore

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
)

// Binary records (Version 5). The records written for every message,
// Chat, Message, Delivery and Outbox, are binary; the other kinds stay
// JSON. JSON spent
// most of a message record on field names and on hex text: a 1:1 message
// record was ~940 bytes of JSON, rewritten on each change of its delivery
// state.
//
// Primitives:
//
//	uvarint  encoding/binary's unsigned varint
//	varint   encoding/binary's zig-zag signed varint (int64 fields)
//	str      uvarint(len(b) << 1 | hex) ‖ b: when hex is 1 the string is
//	         "0x" followed by the lowercase hex of b (b not empty: keys,
//	         message IDs and 1:1 chat IDs take half the room); otherwise
//	         b is the string's bytes. A string that can be written with
//	         hex = 1 must be (one encoding per value).
//	bool     one byte, 0 or 1
//	bytes    uvarint(len(b)) ‖ b
//
// Chat: 0x01 ‖ type (one byte) ‖ bool active ‖ str id ‖ str name ‖
// varint last clock ‖ varint deleted-at clock ‖ varint unread ‖ varint
// last message at ‖ list members ‖ list admins ‖ list joined ‖ str
// membership, where list is uvarint n ‖ n × str (no entries decode as
// nil).
//
// Message: 0x01 ‖ flags (bit 0 outgoing, bit 1 seen; other bits 0) ‖
// delivery state (one byte) ‖ str id ‖ str chat ID ‖ str from ‖ str text ‖
// str content type ‖ str message type ‖ varint clock ‖ varint timestamp ‖
// varint received at ‖ str response to ‖ str content.
//
// Delivery: 0x01 ‖ state (one byte) ‖ str message ID ‖ str chat ID ‖
// varint updated at ‖ uvarint n ‖ n × (str recipient ‖ bool acked), in
// strictly ascending recipient order ‖ uvarint m ‖ m × str acked by ‖
// uvarint c ‖ c × (str peer ‖ bool refused ‖ str reason ‖ varint at), the
// confirmations. An empty map or list decodes as nil (as JSON's omitempty
// did).
//
// Outbox: 0x01 ‖ str id ‖ uvarint n ‖ n × str recipient ‖ bytes body. No
// recipients and an empty body decode as nil.
//
// Decoders are strict: a wrong leading byte, unknown flag bits, a length
// past the end, an unsorted or repeated recipient, a string not in its
// one encoding or trailing bytes are ErrCorrupt. Lengths are checked
// against the bytes left before anything is allocated, and lists hold at
// most maxEntries items.

// binaryTag is the first byte of a binary record. No JSON record starts
// with it.
const binaryTag = 0x01

// maxEntries bounds the recipients and acked-by entries of a delivery
// record a decoder accepts.
const maxEntries = 1 << 16

// Message flag bits.
const (
	flagOutgoing = 1 << iota
	flagSeen
	flagsKnown = flagOutgoing | flagSeen
)

// EncodeChat encodes a KindChat value.
func EncodeChat(c *Chat) []byte {
	b := make([]byte, 0, 8+4*binary.MaxVarintLen64+len(c.ID)+len(c.Name)+len(c.Membership)+
		70*(len(c.Members)+len(c.Admins)+len(c.Joined)))
	b = append(b, binaryTag, c.Type)
	b = appendBool(b, c.Active)
	b = appendStr(b, c.ID)
	b = appendStr(b, c.Name)
	for _, v := range []int64{c.LastClock, c.DeletedAtClock, c.Unread, c.LastMessageAt} {
		b = binary.AppendVarint(b, v)
	}
	for _, l := range [][]string{c.Members, c.Admins, c.Joined} {
		b = appendList(b, l)
	}
	return appendStr(b, c.Membership)
}

// DecodeChat decodes a KindChat value.
func DecodeChat(raw []byte) (*Chat, error) {
	r := reader{b: raw}
	r.tag()
	c := &Chat{Type: r.byte(), Active: r.bool()}
	c.ID, c.Name = r.str(), r.str()
	c.LastClock, c.DeletedAtClock, c.Unread, c.LastMessageAt = r.varint(), r.varint(), r.varint(), r.varint()
	c.Members, c.Admins, c.Joined = r.list(), r.list(), r.list()
	c.Membership = r.str()
	if err := r.end(KindChat); err != nil {
		return nil, err
	}
	return c, nil
}

// EncodeMessage encodes a KindMessage value.
func EncodeMessage(m *Message) []byte {
	size := 3 + 6*binary.MaxVarintLen64 + len(m.ID) + len(m.ChatID) + len(m.From) + len(m.Text) +
		len(m.ContentType) + len(m.MessageType) + len(m.ResponseTo) + len(m.Content)
	b := make([]byte, 0, size)
	var flags byte
	if m.Outgoing {
		flags |= flagOutgoing
	}
	if m.Seen {
		flags |= flagSeen
	}
	b = append(b, binaryTag, flags, byte(m.Delivery))
	for _, s := range []string{m.ID, m.ChatID, m.From, m.Text, m.ContentType, m.MessageType} {
		b = appendStr(b, s)
	}
	b = binary.AppendVarint(b, m.Clock)
	b = binary.AppendVarint(b, m.Timestamp)
	b = binary.AppendVarint(b, m.ReceivedAt)
	b = appendStr(b, m.ResponseTo)
	return appendStr(b, m.Content)
}

// DecodeMessage decodes a KindMessage value.
func DecodeMessage(raw []byte) (*Message, error) {
	r := reader{b: raw}
	r.tag()
	flags, state := r.byte(), r.byte()
	if flags&^flagsKnown != 0 {
		r.fail("message flags %#x", flags)
	}
	m := &Message{Outgoing: flags&flagOutgoing != 0, Seen: flags&flagSeen != 0, Delivery: DeliveryState(state)}
	m.ID, m.ChatID, m.From, m.Text = r.str(), r.str(), r.str(), r.str()
	m.ContentType, m.MessageType = r.str(), r.str()
	m.Clock, m.Timestamp, m.ReceivedAt = r.varint(), r.varint(), r.varint()
	m.ResponseTo, m.Content = r.str(), r.str()
	if err := r.end(KindMessage); err != nil {
		return nil, err
	}
	return m, nil
}

// EncodeDelivery encodes a KindDelivery value.
func EncodeDelivery(d *Delivery) []byte {
	b := make([]byte, 0, 64+len(d.MessageID)+len(d.ChatID)+80*len(d.Recipients)+100*len(d.AckedBy)+
		80*len(d.Confirmations))
	b = append(b, binaryTag, byte(d.State))
	b = appendStr(b, d.MessageID)
	b = appendStr(b, d.ChatID)
	b = binary.AppendVarint(b, d.UpdatedAt)
	keys := make([]string, 0, len(d.Recipients))
	for k := range d.Recipients {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = appendStr(b, k)
		b = appendBool(b, d.Recipients[k])
	}
	b = binary.AppendUvarint(b, uint64(len(d.AckedBy)))
	for _, a := range d.AckedBy {
		b = appendStr(b, a)
	}
	b = binary.AppendUvarint(b, uint64(len(d.Confirmations)))
	for _, c := range d.Confirmations {
		b = appendStr(b, c.Peer)
		b = appendBool(b, c.Refused)
		b = appendStr(b, c.Reason)
		b = binary.AppendVarint(b, c.At)
	}
	return b
}

// DecodeDelivery decodes a KindDelivery value.
func DecodeDelivery(raw []byte) (*Delivery, error) {
	r := reader{b: raw}
	r.tag()
	d := &Delivery{State: DeliveryState(r.byte())}
	d.MessageID, d.ChatID = r.str(), r.str()
	d.UpdatedAt = r.varint()
	if n := r.count(); n > 0 {
		d.Recipients = make(map[string]bool, n)
		prev := ""
		for i := range n {
			k := r.str()
			if i > 0 && k <= prev {
				r.fail("recipients out of order")
			}
			d.Recipients[k], prev = r.bool(), k
			if r.err != nil {
				break
			}
		}
	}
	if n := r.count(); n > 0 {
		d.AckedBy = make([]string, 0, n)
		for range n {
			if d.AckedBy = append(d.AckedBy, r.str()); r.err != nil {
				break
			}
		}
	}
	if n := r.count(); n > 0 {
		d.Confirmations = make([]Confirmation, 0, n)
		for range n {
			c := Confirmation{Peer: r.str(), Refused: r.bool(), Reason: r.str(), At: r.varint()}
			if d.Confirmations = append(d.Confirmations, c); r.err != nil {
				break
			}
		}
	}
	if err := r.end(KindDelivery); err != nil {
		return nil, err
	}
	return d, nil
}

// EncodeOutbox encodes a KindOutbox value.
func EncodeOutbox(o *Outbox) []byte {
	b := make([]byte, 0, 16+len(o.ID)+70*len(o.Recipients)+len(o.Body))
	b = append(b, binaryTag)
	b = appendStr(b, o.ID)
	b = binary.AppendUvarint(b, uint64(len(o.Recipients)))
	for _, r := range o.Recipients {
		b = appendStr(b, r)
	}
	b = binary.AppendUvarint(b, uint64(len(o.Body)))
	return append(b, o.Body...)
}

// DecodeOutbox decodes a KindOutbox value.
func DecodeOutbox(raw []byte) (*Outbox, error) {
	r := reader{b: raw}
	r.tag()
	o := &Outbox{ID: r.str()}
	if n := r.count(); n > 0 {
		o.Recipients = make([]string, 0, n)
		for range n {
			if o.Recipients = append(o.Recipients, r.str()); r.err != nil {
				break
			}
		}
	}
	o.Body = r.bytes()
	if err := r.end(KindOutbox); err != nil {
		return nil, err
	}
	return o, nil
}

func appendList(b []byte, l []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(l)))
	for _, s := range l {
		b = appendStr(b, s)
	}
	return b
}

func appendBool(b []byte, v bool) []byte {
	if v {
		return append(b, 1)
	}
	return append(b, 0)
}

// appendStr appends s as a str (see above).
func appendStr(b []byte, s string) []byte {
	if isPackedHex(s) {
		n := (len(s) - 2) / 2
		b = binary.AppendUvarint(b, uint64(n)<<1|1)
		b, _ = hex.AppendDecode(b, []byte(s[2:])) // cannot fail: isPackedHex checked the digits
		return b
	}
	b = binary.AppendUvarint(b, uint64(len(s))<<1)
	return append(b, s...)
}

// isPackedHex reports whether s is written with hex = 1: "0x" and a
// non-empty, even number of lowercase hex digits.
func isPackedHex(s string) bool {
	if len(s) < 4 || len(s)%2 != 0 || !strings.HasPrefix(s, "0x") {
		return false
	}
	for i := 2; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// reader decodes the primitives of a binary record. The first error
// sticks: later reads return zero values, and end reports it.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf(format, args...)
	}
	r.b = nil
}

func (r *reader) tag() {
	if len(r.b) == 0 || r.b[0] != binaryTag {
		r.fail("not a binary record")
		return
	}
	r.b = r.b[1:]
}

func (r *reader) byte() byte {
	if len(r.b) == 0 {
		r.fail("truncated")
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) bool() bool {
	switch v := r.byte(); v {
	case 0:
		return false
	case 1:
		return true
	default:
		r.fail("bool %#x", v)
		return false
	}
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad uvarint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads a list length: at most maxEntries, and no more than the
// bytes left (every entry takes at least one).
func (r *reader) count() int {
	n := r.uvarint()
	if n > maxEntries || n > uint64(len(r.b)) {
		r.fail("list of %d entries", n)
		return 0
	}
	return int(n)
}

// list reads a list of strings (nil when empty).
func (r *reader) list() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	l := make([]string, 0, n)
	for range n {
		if l = append(l, r.str()); r.err != nil {
			return nil
		}
	}
	return l
}

// bytes reads a bytes field into a new slice (nil when empty).
func (r *reader) bytes() []byte {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.fail("%d bytes past the end", n)
		return nil
	}
	var v []byte
	if n > 0 {
		v = append([]byte(nil), r.b[:n]...)
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) str() string {
	h := r.uvarint()
	n, packed := h>>1, h&1 == 1
	if n > uint64(len(r.b)) {
		r.fail("string of %d bytes past the end", n)
		return ""
	}
	raw := r.b[:n]
	r.b = r.b[n:]
	if packed {
		if n == 0 {
			r.fail("empty hex string")
			return ""
		}
		return "0x" + hex.EncodeToString(raw)
	}
	s := string(raw)
	if isPackedHex(s) {
		r.fail("hex string not packed")
		return ""
	}
	return s
}

// end returns the first error, or ErrCorrupt for trailing bytes.
func (r *reader) end(kind Kind) error {
	if r.err == nil && len(r.b) > 0 {
		r.err = fmt.Errorf("%d trailing bytes", len(r.b))
	}
	if r.err != nil {
		return fmt.Errorf("%w: %s: %w", ErrCorrupt, kind, r.err)
	}
	return nil
}
