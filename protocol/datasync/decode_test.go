package datasync

import (
	"bytes"
	"errors"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/statusnode/statusd/protocol/datasync/pb"
)

func TestDecodeErrors(t *testing.T) {
	id := bytes.Repeat([]byte{1}, 32)
	good, _ := Payload{Acks: []MessageID{MessageID(id)}}.Marshal()
	small := Limits{MaxPayloadBytes: 100, MaxIDs: 2, MaxMessages: 1}
	three, _ := Payload{Acks: make([]MessageID, 3)}.Marshal()
	cases := []struct {
		name string
		in   []byte
		l    Limits
		want error
	}{
		{"empty", nil, DefaultLimits(), ErrNotPayload},
		{"transit", []byte(`["~#c4",["hi"]]`), DefaultLimits(), ErrNotPayload},
		{"protocol message", []byte{0x0a, 0x01, 0x00}, DefaultLimits(), ErrNotPayload},
		{"short ack", append([]byte{0xca, 0xb8, 0x02, 0x01}, 0x00), DefaultLimits(), ErrMalformedPayload},
		{"varint ack", []byte{0xc8, 0xb8, 0x02, 0x01}, DefaultLimits(), ErrMalformedPayload},
		{"truncated", good[:len(good)-1], DefaultLimits(), ErrNotPayload},
		{"trailing garbage", append(append([]byte{}, good...), 0xff), DefaultLimits(), ErrMalformedPayload},
		{"no group", []byte{0xe2, 0xb8, 0x02, 0x04, 0x9a, 0xf7, 0x02, 0x00}, DefaultLimits(), ErrMalformedPayload},
		// An unknown field numbered past protobuf's 2²⁹−1 (a tag varint
		// protowire reads, proto.Unmarshal refuses) after a valid ack.
		{"field number out of range", append(append([]byte{}, good...), 0x82, 0x80, 0x80, 0x80, 0x10, 0x00), DefaultLimits(), ErrMalformedPayload},
		{"too big", make([]byte, 101), small, ErrTooLarge},
		{"too many", three, small, ErrTooLarge},
	}
	for _, c := range cases {
		if _, err := DecodePayload(c.in, c.l); !errors.Is(err, c.want) {
			t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
		}
	}
	if _, err := DecodePayload(good, small); err != nil {
		t.Fatal(err)
	}
	if _, err := (Payload{}).Marshal(); !errors.Is(err, ErrEmptyPayload) {
		t.Fatal("empty payload encoded")
	}
}

// checkDecodeAgainstProto is the fuzz oracle: whatever DecodePayload accepts,
// the generated protobuf code parses to the same content, and re-encoding is
// stable.
func checkDecodeAgainstProto(t *testing.T, data []byte) {
	p, err := DecodePayload(data, DefaultLimits())
	if err != nil {
		if !errors.Is(err, ErrNotPayload) && !errors.Is(err, ErrMalformedPayload) && !errors.Is(err, ErrTooLarge) {
			t.Fatalf("unclassified error %v", err)
		}
		return
	}
	var w pb.Payload
	if err := proto.Unmarshal(data, &w); err != nil {
		t.Fatalf("DecodePayload accepted what protobuf rejects: %v", err)
	}
	if len(w.Acks) != len(p.Acks) || len(w.Offers) != len(p.Offers) || len(w.Requests) != len(p.Requests) || len(w.Messages) != len(p.Messages) {
		t.Fatalf("entry counts differ from protobuf")
	}
	for i, m := range w.Messages {
		if !bytes.Equal(m.GroupId, p.Messages[i].GroupID[:]) || m.Timestamp != p.Messages[i].Timestamp || !bytes.Equal(m.Body, p.Messages[i].Body) {
			t.Fatalf("message %d differs from protobuf", i)
		}
	}
	enc, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if len(enc) != p.Size() {
		t.Fatalf("Size %d, encoded %d", p.Size(), len(enc))
	}
	q, err := DecodePayload(enc, DefaultLimits())
	if err != nil {
		t.Fatalf("re-decode: %v", err)
	}
	enc2, _ := q.Marshal()
	if !bytes.Equal(enc, enc2) {
		t.Fatal("re-encoding not stable")
	}
}
