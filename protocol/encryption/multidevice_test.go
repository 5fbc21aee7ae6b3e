package encryption_test

import (
	"errors"
	"testing"
	"time"

	"github.com/statusnode/statusd/protocol/encryption"
	et "github.com/statusnode/statusd/protocol/encryption/encryptiontest"
)

// TestDHFallbackAndTopics: without a known bundle the message is DH-only
// ("none") on the discovery topic; after bundles it is partitioned; after a
// message in each direction it is negotiated (spec §3.5, §3.8, §4.3).
func TestDHFallbackAndTopics(t *testing.T) {
	r := et.NewRand(11)
	c := et.NewClock()
	a := et.NewDevice(t, "a", et.MustKey(t, r), et.NewMemoryStore())
	b := et.NewDevice(t, "b", et.MustKey(t, r), et.NewMemoryStore())
	out, err := a.M.SendDirect(c.Tick(), r, b.Pub(), []byte("hello"))
	if err != nil {
		t.Fatal(err)
	}
	// Cold: b's partitioned topic (status-protocol-go listens there) and
	// the generic discovery topic too (2019 clients before partitions).
	cold := out[0].Route
	if len(out) != 1 || out[0].Message.Direct[encryption.NoInstallation] == nil || cold.Kind != encryption.TopicPartitioned ||
		cold.Topic != encryption.TopicFromName(encryption.PartitionedTopicName(b.Pub())) ||
		len(cold.Also) != 1 || cold.Also[0].Kind != encryption.TopicDiscovery || cold.Also[0].Topic != encryption.DiscoveryTopic() {
		t.Fatalf("first message: %+v", out[0])
	}
	res, err := b.M.HandleMessage(c.Tick(), r, a.Pub(), out[0].Payload)
	if err != nil || string(res.Plaintext) != "hello" {
		t.Fatalf("DH-only: %v %+v", err, res)
	}
	// b learnt a's bundle from that message: its answer is X3DH + DR.
	out, err = b.M.SendDirect(c.Tick(), r, a.Pub(), []byte("hi"))
	if err != nil {
		t.Fatal(err)
	}
	dm := out[0].Message.Direct[a.Installation]
	if dm == nil || dm.X3DH == nil || dm.DR == nil || out[0].Route.Kind != encryption.TopicPartitioned {
		t.Fatalf("answer: %+v route %v", dm, out[0].Route.Kind)
	}
	if _, err := a.M.HandleMessage(c.Tick(), r, b.Pub(), out[0].Payload); err != nil {
		t.Fatal(err)
	}
	out, _ = a.M.SendDirect(c.Tick(), r, b.Pub(), []byte("3"))
	if dm := out[0].Message.Direct[b.Installation]; dm.X3DH != nil {
		t.Fatal("a still sends the X3DH header after b answered")
	}
	if out[0].Route.Kind != encryption.TopicNegotiated {
		t.Fatalf("route = %v, want negotiated", out[0].Route.Kind)
	}
	res, err = b.M.HandleMessage(c.Tick(), r, a.Pub(), out[0].Payload)
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
	w, a1, _, b1 := et.Setup(t, 12, memStores)
	w.Send(b1, a1) // b initiates: the session is built on a's prekey
	w.Drain()
	w.Send(a1, b1)
	w.Drain()
	late, err := b1.M.SendDirect(w.C.Tick(), w.R, a1.Pub(), []byte("late"))
	if err != nil {
		t.Fatal(err)
	}
	oldID := late[0].Message.Direct[a1.Installation].DR.ID
	w.C.Now = w.C.Now.Add(25 * time.Hour)
	w.Send(a1, b1) // carries a1's rotated bundle (version 2)
	w.Drain()
	out, err := b1.M.SendDirect(w.C.Tick(), w.R, a1.Pub(), []byte("new"))
	if err != nil {
		t.Fatal(err)
	}
	dm := out[0].Message.Direct[a1.Installation]
	if string(dm.DR.ID) == string(oldID) {
		t.Fatal("b still sends on the session built on a's old prekey")
	}
	if _, err := a1.M.HandleMessage(w.C.Tick(), w.R, b1.Pub(), out[0].Payload); err != nil {
		t.Fatal(err)
	}
	if _, err := a1.M.HandleMessage(w.C.Tick(), w.R, b1.Pub(), late[0].Payload); err != nil {
		t.Fatalf("late message on the expired session: %v", err)
	}
	w.C.Now = w.C.Now.Add(15 * 24 * time.Hour)
	if n, err := a1.M.PruneExpired(w.C.Now); err != nil || n == 0 {
		t.Fatalf("prune: %d %v", n, err)
	}
}

func TestMaxInstallations(t *testing.T) {
	r := et.NewRand(13)
	c := et.NewClock()
	id := et.MustKey(t, r)
	main := et.NewDevice(t, "d0", id, et.NewMemoryStore())
	var others []*et.Device
	for _, n := range []string{"d1", "d2", "d3"} {
		d := et.NewDevice(t, n, id, et.NewMemoryStore())
		et.ExchangeBundle(t, c, r, d, main)
		others = append(others, d)
	}
	if err := main.M.EnableInstallation(others[0].Installation); err != nil {
		t.Fatal(err)
	}
	if err := main.M.EnableInstallation(others[1].Installation); err != nil {
		t.Fatal(err)
	}
	if err := main.M.EnableInstallation(others[2].Installation); !errors.Is(err, encryption.ErrTooManyInstallations) {
		t.Fatalf("fourth device: %v", err)
	}
	if err := main.M.EnableInstallation("nope"); !errors.Is(err, encryption.ErrInstallationNotFound) {
		t.Fatalf("unknown: %v", err)
	}
	b, err := main.M.Bundle(c.Tick(), r)
	if err != nil || len(b.SignedPreKeys) != 3 {
		t.Fatalf("bundle advertises %d installations, %v", len(b.SignedPreKeys), err)
	}
	md := encryption.InstallationMetadata{Name: "laptop", DeviceType: "desktop"}
	if err := main.M.SetInstallationMetadata(main.Pub(), others[0].Installation, md); err != nil {
		t.Fatal(err)
	}
	list, _ := main.M.Installations(main.Pub())
	found := false
	for _, inst := range list {
		found = found || (inst.ID == others[0].Installation && inst.Metadata == md && inst.Enabled)
	}
	if !found {
		t.Fatalf("metadata not stored: %+v", list)
	}
}

// TestNewPeerInstallations: the first bundle of another identity reports
// its installation once, as a peer installation (never as one of ours);
// the same bundle again reports nothing; a bundle of a second device of
// that identity reports that device only.
func TestNewPeerInstallations(t *testing.T) {
	r := et.NewRand(21)
	c := et.NewClock()
	key := et.MustKey(t, r)
	a1 := et.NewDevice(t, "a1", key, et.NewMemoryStore())
	a2 := et.NewDevice(t, "a2", key, et.NewMemoryStore())
	b := et.NewDevice(t, "b", et.MustKey(t, r), et.NewMemoryStore())
	handle := func(from *et.Device, payload string) *encryption.Received {
		t.Helper()
		out, err := from.M.SendDirect(c.Tick(), r, b.Pub(), []byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		res, err := b.M.HandleMessage(c.Tick(), r, from.Pub(), out[0].Payload)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	peerIDs := func(res *encryption.Received) []string {
		if len(res.NewInstallations) != 0 {
			t.Fatalf("peer installations reported as ours: %+v", res.NewInstallations)
		}
		var ids []string
		for _, inst := range res.NewPeerInstallations {
			ids = append(ids, inst.ID)
		}
		return ids
	}
	if got := peerIDs(handle(a2, "from a2")); len(got) != 1 || got[0] != a2.Installation {
		t.Fatalf("first bundle: %v, want [%s]", got, a2.Installation)
	}
	if got := peerIDs(handle(a2, "again")); len(got) != 0 {
		t.Fatalf("known bundle: %v, want none", got)
	}
	if got := peerIDs(handle(a1, "from a1")); len(got) != 1 || got[0] != a1.Installation {
		t.Fatalf("second device: %v, want [%s]", got, a1.Installation)
	}
}
