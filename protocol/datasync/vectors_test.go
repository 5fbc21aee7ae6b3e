package datasync

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"
)

type vectorFile struct {
	AlicePub        string            `json:"alice_pub"`
	AliceCompressed string            `json:"alice_compressed"`
	BobPub          string            `json:"bob_pub"`
	BobCompressed   string            `json:"bob_compressed"`
	GroupID         string            `json:"group_id"`
	Timestamp       int64             `json:"timestamp"`
	Body            string            `json:"body"`
	MessageID       string            `json:"message_id"`
	Payload         string            `json:"payload"`
	Tags            map[string]string `json:"tags"`
}

func loadVectors(t testing.TB) vectorFile {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var v vectorFile
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVectorGroupID(t *testing.T) {
	v := loadVectors(t)
	alice, err := ParsePeerID(unhex(t, v.AlicePub))
	if err != nil {
		t.Fatal(err)
	}
	bob, err := ParsePeerID(unhex(t, v.BobPub))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		p    PeerID
		want string
	}{{alice, v.AliceCompressed}, {bob, v.BobCompressed}} {
		got, err := c.p.Compress()
		if err != nil || hex.EncodeToString(got[:]) != c.want {
			t.Fatalf("Compress = %x, %v; want %s", got, err, c.want)
		}
	}
	ab, err := OneToOneGroupID(alice, bob)
	if err != nil {
		t.Fatal(err)
	}
	ba, _ := OneToOneGroupID(bob, alice)
	if ab.String() != v.GroupID || ba != ab {
		t.Fatalf("group ID = %s / %s, want %s", ab, ba, v.GroupID)
	}
	if _, err := OneToOneGroupID(PeerID{0x02}, bob); err == nil {
		t.Fatal("compressed-prefix peer ID accepted")
	}
}

func TestVectorMessageID(t *testing.T) {
	v := loadVectors(t)
	m := Message{GroupID: GroupID(unhex(t, v.GroupID)), Timestamp: v.Timestamp, Body: unhex(t, v.Body)}
	if got := m.ID().String(); got != v.MessageID {
		t.Fatalf("message ID = %s, want %s", got, v.MessageID)
	}
}

func TestVectorPayloadBytes(t *testing.T) {
	v := loadVectors(t)
	m := Message{GroupID: GroupID(unhex(t, v.GroupID)), Timestamp: v.Timestamp, Body: unhex(t, v.Body)}
	p := Payload{Messages: []Message{m}}
	got, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	want := unhex(t, v.Payload)
	if !bytes.Equal(got, want) {
		t.Fatalf("payload = %x\nwant      %x", got, want)
	}
	if p.Size() != len(want) {
		t.Fatalf("Size = %d, want %d", p.Size(), len(want))
	}
	dec, err := DecodePayload(want, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(dec.Messages) != 1 || dec.Messages[0].ID() != m.ID() {
		t.Fatalf("decoded %+v", dec)
	}
}

func TestVectorTags(t *testing.T) {
	v := loadVectors(t)
	id := MessageID{1}
	m := Message{GroupID: GroupID{2}, Timestamp: 1, Body: []byte{3}}
	cases := map[string]Payload{
		"acks":     {Acks: []MessageID{id}},
		"offers":   {Offers: []MessageID{id}},
		"requests": {Requests: []MessageID{id}},
		"messages": {Messages: []Message{m}},
	}
	for name, p := range cases {
		b, err := p.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if tag := unhex(t, v.Tags[name]); !bytes.HasPrefix(b, tag) {
			t.Errorf("%s: encoding %x does not start with tag %x", name, b, tag)
		}
	}
	b, _ := cases["messages"].Marshal()
	inner := b[4:] // 3-byte tag + 1-byte length
	for _, name := range []string{"group_id", "timestamp", "body"} {
		if !bytes.Contains(inner, unhex(t, v.Tags[name])) {
			t.Errorf("message encoding %x lacks %s tag %s", inner, name, v.Tags[name])
		}
	}
}
