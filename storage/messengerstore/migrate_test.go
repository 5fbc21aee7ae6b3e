package messengerstore

import (
	"reflect"
	"testing"

	"github.com/statusnode/statusd/storage"
)

// The 3 → 4 migration gives group chats the standing a version-3 build
// acted on (active: joined, with every member joined; inactive: left)
// and other chats nothing (4 → 5 then rewrites every chat as binary).
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
	})
}

// The 4 -> 5 migration rewrites version-4 JSON chat, message, delivery and
// outbox records as binary, field for field (a numeric state, an empty
// map), and moves a delivery's confirmations from the messenger's meta
// value into its record, deleting the meta value.
func TestMigrateBinaryRecords(t *testing.T) {
	backends(t, func(t *testing.T, db storage.KV, reopen func() storage.KV) {
		tbl := table(db)
		put := func(k []byte, v string) { t.Helper(); must(t, tbl.Put(k, []byte(v))) }
		put([]byte("\x00format"), "\x00\x00\x00\x04")
		put(Key(KindMessage, "0x01"), `{"id":"0x01","chat_id":"0x04aa","from":"0x04bb","text":"hi","content_type":"text/plain",`+
			`"message_type":"~:user-message","clock":5,"timestamp":6,"received_at":7,"outgoing":true,"seen":false,"delivery":2}`)
		put(Key(KindDelivery, "0x01"), `{"message_id":"0x01","chat_id":"0x04aa","state":"acked","recipients":{"0x04aa":true},`+
			`"acked_by":["0x04aa/i1"],"updated_at":9}`)
		put(Key(KindMeta, confirmationsMetaV4+"0x01"), `[{"peer":"ab","at":8},{"peer":"cd","refused":true,"reason":"r","at":9}]`)
		put(Key(KindDelivery, "0x02"), `{"message_id":"0x02","chat_id":"status","state":1,"recipients":{},"updated_at":3}`)
		put(Key(KindOutbox, "0x01"), `{"id":"0x01","recipients":["0x04aa"],"body":"AAEC"}`)
		put(Key(KindChat, "0x04aa"), `{"id":"0x04aa","type":2,"name":"","active":true,"last_clock":5,"unread":1,"last_message_at":7}`)
		s := New(table(reopen()))
		if before, err := s.Migrate(); err != nil || before != 4 {
			t.Fatalf("migrate: from %d, %v", before, err)
		}
		m, err := s.Message("0x01")
		must(t, err)
		if want := (&Message{ID: "0x01", ChatID: "0x04aa", From: "0x04bb", Text: "hi", ContentType: "text/plain",
			MessageType: "~:user-message", Clock: 5, Timestamp: 6, ReceivedAt: 7, Outgoing: true,
			Delivery: DeliverySent}); !reflect.DeepEqual(m, want) {
			t.Errorf("message:\n got %#v\nwant %#v", m, want)
		}
		d, err := s.Delivery("0x01")
		must(t, err)
		if want := (&Delivery{MessageID: "0x01", ChatID: "0x04aa", State: DeliveryAcked,
			Recipients: map[string]bool{"0x04aa": true}, AckedBy: []string{"0x04aa/i1"}, UpdatedAt: 9,
			Confirmations: []Confirmation{{Peer: "ab", At: 8}, {Peer: "cd", Refused: true, Reason: "r", At: 9}}}); !reflect.DeepEqual(d, want) {
			t.Errorf("delivery:\n got %#v\nwant %#v", d, want)
		}
		if _, ok, err := s.Meta(confirmationsMetaV4 + "0x01"); ok || err != nil {
			t.Errorf("confirmations meta left: %v, %v", ok, err)
		}
		d, err = s.Delivery("0x02")
		must(t, err)
		if want := (&Delivery{MessageID: "0x02", ChatID: "status", State: DeliveryQueued, UpdatedAt: 3}); !reflect.DeepEqual(d, want) {
			t.Errorf("public delivery:\n got %#v\nwant %#v", d, want)
		}
		if c, err := s.Chat("0x04aa"); err != nil || !reflect.DeepEqual(c,
			&Chat{ID: "0x04aa", Type: 2, Active: true, LastClock: 5, Unread: 1, LastMessageAt: 7}) {
			t.Errorf("chat %#v, %v", c, err)
		}
		if out := collect(t, s.Outbox); len(out) != 1 || !reflect.DeepEqual(out[0],
			&Outbox{ID: "0x01", Recipients: []string{"0x04aa"}, Body: []byte{0, 1, 2}}) {
			t.Errorf("outbox %#v", out)
		}
	})
}
