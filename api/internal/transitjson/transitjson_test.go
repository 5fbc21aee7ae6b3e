package transitjson

import (
	"testing"

	"github.com/statusnode/statusd/protocol/transit"
)

// Marshal writes what clj->json wrote for a decoded content map: keyword
// keys and values by name, sets and vectors as arrays, maps in order.
func TestMarshal(t *testing.T) {
	v, err := transit.Decode([]byte(`["^ ","~:chat-id","status","~:command-path",["send",["~#set",["~:personal-chats"]]],"~:params",["^ ","~:amount","1"],"~:pack",1,"~:x",null]`))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"chat-id":"status","command-path":["send",["personal-chats"]],"params":{"amount":"1"},"pack":1,"x":null}`
	if got := string(Marshal(v)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	if got := Name(transit.Keyword("rtl?")); got != "rtl?" {
		t.Fatalf("Name: %q", got)
	}
}
