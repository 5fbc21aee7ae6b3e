package messengerstore

import (
	"reflect"
	"testing"

	"github.com/statusnode/statusd/storage"
)

// The 3 → 4 migration gives group chats the standing a version-3 build
// acted on (active: joined, with every member joined; inactive: left)
// and leaves other chats' bytes alone.
func TestMigrateGroupStanding(t *testing.T) {
	backends(t, func(t *testing.T, db storage.KV, _ func() storage.KV) {
		tbl := table(db)
		raw := map[string]string{
			"g-active":   `{"id":"g-active","type":3,"name":"a","active":true,"last_clock":1,"unread":0,"last_message_at":0,"members":["0x04aa","0x04bb"],"admins":["0x04aa"]}`,
			"g-inactive": `{"id":"g-inactive","type":3,"name":"b","active":false,"last_clock":2,"unread":0,"last_message_at":0,"members":["0x04aa"],"admins":["0x04aa"]}`,
			"status":     `{"id":"status","type":1,"name":"status","active":true,"last_clock":3,"unread":0,"last_message_at":0}`,
		}
		for id, v := range raw {
			must(t, tbl.Put(Key(KindChat, id), []byte(v)))
		}
		s := New(tbl)
		if before, err := s.Migrate(); err != nil || before != 0 {
			t.Fatalf("migrate: from %d, %v", before, err)
		}
		want := map[string]*Chat{
			"g-active": {ID: "g-active", Type: 3, Name: "a", Active: true, LastClock: 1, Members: []string{"0x04aa", "0x04bb"},
				Admins: []string{"0x04aa"}, Joined: []string{"0x04aa", "0x04bb"}, Membership: "joined"},
			"g-inactive": {ID: "g-inactive", Type: 3, Name: "b", LastClock: 2, Members: []string{"0x04aa"},
				Admins: []string{"0x04aa"}, Joined: []string{"0x04aa"}, Membership: "left"},
			"status": {ID: "status", Type: 1, Name: "status", Active: true, LastClock: 3},
		}
		for id, w := range want {
			got, err := s.Chat(id)
			must(t, err)
			if !reflect.DeepEqual(got, w) {
				t.Errorf("%s:\n got %#v\nwant %#v", id, got, w)
			}
		}
		if b, err := tbl.Get(Key(KindChat, "status")); err != nil || string(b) != raw["status"] {
			t.Errorf("public chat rewritten: %s, %v", b, err)
		}
	})
}
