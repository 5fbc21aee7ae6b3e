package sessions

import (
	"errors"
	"testing"
	"time"

	"github.com/statusnode/statusd/protocol/encryption"
)

// TestDHFallbackAndTopics: without a known bundle the message is DH-only
// ("none") on the discovery topic; after bundles it is partitioned; after a
// message in each direction it is negotiated (spec §3.5, §3.8, §4.3).
func TestDHFallbackAndTopics(t *testing.T) {
	be := backends()[0]
	r := newRand(11)
	c := newClock()
	a := newDevice(t, be, "a", mustKey(t, r))
	b := newDevice(t, be, "b", mustKey(t, r))
	out, err := a.m.SendDirect(c.tick(), r, b.pub(), []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	// Cold: b's partitioned topic (status-protocol-go listens there) and
	// the generic discovery topic too (2019 clients before partitions).
	cold := out[0].Route
	if len(out) != 1 || out[0].Message.Direct[encryption.NoInstallation] == nil || cold.Kind != encryption.TopicPartitioned ||
		cold.Topic != encryption.TopicFromName(encryption.PartitionedTopicName(b.pub())) ||
		len(cold.Also) != 1 || cold.Also[0].Kind != encryption.TopicDiscovery || cold.Also[0].Topic != encryption.DiscoveryTopic() {
		t.Fatalf("first message: %+v", out[0])
	}
	res, err := b.m.HandleMessage(c.tick(), r, a.pub(), out[0].Payload)
	if err != nil || string(res.Plaintext) != "hello" {
		t.Fatalf("DH-only: %v %+v", err, res)
	}
	// b learnt a's bundle from that message: its answer is X3DH + DR.
	out, err = b.m.SendDirect(c.tick(), r, a.pub(), []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	dm := out[0].Message.Direct[a.inst]
	if dm == nil || dm.X3DH == nil || dm.DR == nil || out[0].Route.Kind != encryption.TopicPartitioned {
		t.Fatalf("answer: %+v route %v", dm, out[0].Route.Kind)
	}
	if _, err := a.m.HandleMessage(c.tick(), r, b.pub(), out[0].Payload); err != nil {
		t.Fatal(err)
	}
	out, _ = a.m.SendDirect(c.tick(), r, b.pub(), []byte("3"))
	if dm := out[0].Message.Direct[b.inst]; dm.X3DH != nil {
		t.Fatal("a still sends the X3DH header after b answered")
	}
	if out[0].Route.Kind != encryption.TopicNegotiated {
		t.Fatalf("route = %v, want negotiated", out[0].Route.Kind)
	}
	res, err = b.m.HandleMessage(c.tick(), r, a.pub(), out[0].Payload)
	if err != nil || res.SharedSecret == nil {
		t.Fatalf("b: %v, secret %x", err, res.SharedSecret)
	}
	want := encryption.TopicFromName(encryption.NegotiatedTopicName(res.SharedSecret))
	if out[0].Route.Topic != want {
		t.Fatalf("topic %v, want %v", out[0].Route.Topic, want)
	}
}

// TestRekeyAndExpiry: a's prekey rotates after 24 h; b moves to a new
// session on the higher version; a late message on the old session still
// decrypts within 14 days and not after.
func TestRekeyAndExpiry(t *testing.T) {
	be := backends()[0]
	w, a1, _, b1 := setup(t, be, 12)
	w.send(b1, a1) // b initiates: the session is built on a's prekey
	w.drain()
	w.send(a1, b1)
	w.drain()
	late, err := b1.m.SendDirect(w.c.tick(), w.r, a1.pub(), []byte("late"))
	if err != nil {
		t.Fatal(err)
	}
	oldID := late[0].Message.Direct[a1.inst].DR.ID
	w.c.now = w.c.now.Add(25 * time.Hour)
	w.send(a1, b1) // carries a1's rotated bundle (version 2)
	w.drain()
	out, err := b1.m.SendDirect(w.c.tick(), w.r, a1.pub(), []byte("new"))
	if err != nil {
		t.Fatal(err)
	}
	dm := out[0].Message.Direct[a1.inst]
	if string(dm.DR.ID) == string(oldID) {
		t.Fatal("b still sends on the session built on a's old prekey")
	}
	if _, err := a1.m.HandleMessage(w.c.tick(), w.r, b1.pub(), out[0].Payload); err != nil {
		t.Fatal(err)
	}
	if _, err := a1.m.HandleMessage(w.c.tick(), w.r, b1.pub(), late[0].Payload); err != nil {
		t.Fatalf("late message on the expired session: %v", err)
	}
	w.c.now = w.c.now.Add(15 * 24 * time.Hour)
	if n, err := a1.m.PruneExpired(w.c.now); err != nil || n == 0 {
		t.Fatalf("prune: %d %v", n, err)
	}
}

func TestMaxInstallations(t *testing.T) {
	be := backends()[0]
	r := newRand(13)
	c := newClock()
	id := mustKey(t, r)
	main := newDevice(t, be, "d0", id)
	var others []*device
	for _, n := range []string{"d1", "d2", "d3"} {
		d := newDevice(t, be, n, id)
		exchangeBundle(t, c, r, d, main)
		others = append(others, d)
	}
	if err := main.m.EnableInstallation(others[0].inst); err != nil {
		t.Fatal(err)
	}
	if err := main.m.EnableInstallation(others[1].inst); err != nil {
		t.Fatal(err)
	}
	if err := main.m.EnableInstallation(others[2].inst); !errors.Is(err, encryption.ErrTooManyInstallations) {
		t.Fatalf("fourth device: %v", err)
	}
	if err := main.m.EnableInstallation("nope"); !errors.Is(err, encryption.ErrInstallationNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	b, err := main.m.Bundle(c.tick(), r)
	if err != nil || len(b.SignedPreKeys) != 3 {
		t.Fatalf("bundle advertises %d installations, %v", len(b.SignedPreKeys), err)
	}
	md := encryption.InstallationMetadata{Name: "laptop", DeviceType: "desktop"}
	if err := main.m.SetInstallationMetadata(main.pub(), others[0].inst, md); err != nil {
		t.Fatal(err)
	}
	list, _ := main.m.Installations(main.pub())
	found := false
	for _, inst := range list {
		found = found || (inst.ID == others[0].inst && inst.Metadata == md && inst.Enabled)
	}
	if !found {
		t.Fatalf("metadata not stored: %+v", list)
	}
}
