package messengerstore

import (
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// Strings of the hex form take half their length; everything else is
// kept byte for byte, and each value has one encoding.
func TestBinaryStrings(t *testing.T) {
	for _, tc := range []struct {
		s      string
		packed bool
	}{{"", false}, {"0x", false}, {"0x1", false}, {"0x12", true}, {fixedPeer, true},
		{"0xAB", false}, {"0x1g", false}, {"1x12", false}, {"text ✓", false}, {fixedGroup, false}} {
		b := appendStr(nil, tc.s)
		if h, _ := binary.Uvarint(b); (h&1 == 1) != tc.packed {
			t.Errorf("%q: packed %v, want %v", tc.s, h&1 == 1, tc.packed)
		}
		r := reader{b: b}
		if got := r.str(); got != tc.s || r.end(KindMessage) != nil {
			t.Errorf("%q read back as %q, %v", tc.s, got, r.err)
		}
	}
}

// The binary decoders (chat, message, delivery, outbox) reject every malformed record with ErrCorrupt and
// never panic: each truncation of a valid record, a wrong leading byte,
// trailing bytes, unknown flags, a bad bool, recipients out of order, a
// hex string written unpacked, an empty packed string, and lists or
// strings longer than the bytes left.
func TestBinaryDecodersStrict(t *testing.T) {
	f := fixedRecords()
	with := func(b []byte, i int, v byte) []byte {
		c := append([]byte(nil), b...)
		c[i] = v
		return c
	}
	msg, del, out, chat := EncodeMessage(f.message), EncodeDelivery(f.delivery), EncodeOutbox(f.outbox), EncodeChat(f.chat)
	dec := map[string]func([]byte) error{
		"message":  func(b []byte) error { _, err := DecodeMessage(b); return err },
		"delivery": func(b []byte) error { _, err := DecodeDelivery(b); return err },
		"outbox":   func(b []byte) error { _, err := DecodeOutbox(b); return err },
		"chat":     func(b []byte) error { _, err := DecodeChat(b); return err },
	}
	bad := map[string][][]byte{"message": nil, "delivery": nil, "outbox": nil, "chat": nil}
	for i := range chat {
		bad["chat"] = append(bad["chat"], chat[:i])
	}
	bad["chat"] = append(bad["chat"], with(chat, 0, '{'), with(chat, 2, 2), append(append([]byte(nil), chat...), 0))
	for i := range out {
		bad["outbox"] = append(bad["outbox"], out[:i])
	}
	bad["outbox"] = append(bad["outbox"], with(out, 0, '{'), append(append([]byte(nil), out...), 0),
		[]byte{binaryTag, 0, 0, 9, 1}) // a body longer than the bytes left
	for i := range msg {
		bad["message"] = append(bad["message"], msg[:i])
	}
	for i := range del {
		bad["delivery"] = append(bad["delivery"], del[:i])
	}
	hexUnpacked := append(binary.AppendUvarint(nil, 4<<1), "0x12"...)
	bad["message"] = append(bad["message"],
		with(msg, 0, '{'),
		append(append([]byte(nil), msg...), 0),
		with(msg, 1, 0x04),
		append([]byte{binaryTag, 0, 0}, hexUnpacked...),
		[]byte{binaryTag, 0, 0, 1}, // empty packed string
		[]byte{binaryTag, 0, 0, 0x7e},
	)
	two := &Delivery{MessageID: "a", Recipients: map[string]bool{"b": true, "c": false}}
	enc := EncodeDelivery(two)
	// Swap the two recipients' names: "c" before "b".
	swapped := append([]byte(nil), enc...)
	for i := range swapped {
		switch swapped[i] {
		case 'b':
			swapped[i] = 'c'
		case 'c':
			swapped[i] = 'b'
		}
	}
	dup := append([]byte(nil), enc...)
	for i := range dup {
		if dup[i] == 'c' {
			dup[i] = 'b'
		}
	}
	badBool := EncodeDelivery(&Delivery{Recipients: map[string]bool{"b": true}})
	badBool[len(badBool)-2] = 2 // the acked byte, before the empty acked-by count
	bad["delivery"] = append(bad["delivery"], with(del, 0, '{'), append(append([]byte(nil), del...), 0),
		swapped, dup, badBool,
		[]byte{binaryTag, 0, 0, 0, 0, 0xff, 0xff, 0x03}, // a huge recipient count
	)
	for kind, inputs := range bad {
		for _, b := range inputs {
			if err := dec[kind](b); !errors.Is(err, ErrCorrupt) {
				t.Errorf("%s %q: %v, want ErrCorrupt", kind, b, err)
			}
		}
	}
	if d, err := DecodeDelivery(enc); err != nil || !reflect.DeepEqual(d, two) {
		t.Fatalf("two recipients: %+v, %v", d, err)
	}
}

// Empty maps and lists decode as nil, as the JSON records' omitempty did.
func TestBinaryEmptyIsNil(t *testing.T) {
	d, err := DecodeDelivery(EncodeDelivery(&Delivery{MessageID: "0x01", Recipients: map[string]bool{}, AckedBy: []string{}}))
	if err != nil || d.Recipients != nil || d.AckedBy != nil {
		t.Fatalf("%#v, %v", d, err)
	}
}

// The binary message record of a 1:1 text is less than half its JSON.
func TestBinaryMessageSize(t *testing.T) {
	m := &Message{ID: fixedMsgID, ChatID: fixedPeer + fixedPeer[4:], From: fixedPeer + fixedPeer[4:],
		Text: "hello", ContentType: "text/plain", MessageType: "~:user-message", Clock: 1_700_000_000_000,
		Timestamp: 1_700_000_000_000, ReceivedAt: 1_700_000_000_000, Outgoing: true, Delivery: DeliverySent,
		Content: `["^ ","~:text","hello"]`}
	bin, js := len(EncodeMessage(m)), len(encodeJSON(&messageV4{ID: m.ID, ChatID: m.ChatID, From: m.From,
		Text: m.Text, ContentType: m.ContentType, MessageType: m.MessageType, Clock: m.Clock,
		Timestamp: m.Timestamp, ReceivedAt: m.ReceivedAt, Outgoing: true, Delivery: m.Delivery, Content: m.Content}))
	if bin*2 > js {
		t.Fatalf("binary %d bytes, JSON %d", bin, js)
	}
	t.Logf("binary %d bytes, JSON %d", bin, js)
}
