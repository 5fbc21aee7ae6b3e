package messenger

import (
	"encoding/json"
	"testing"
)

// TestDeliveryStateJSON: API clients see state names; records stored
// before states were named (numbers) still read back.
func TestDeliveryStateJSON(t *testing.T) {
	for s := DeliveryNone; s <= DeliveryExpired; s++ {
		b, err := json.Marshal(s)
		if err != nil || string(b) != `"`+s.String()+`"` {
			t.Fatalf("Marshal(%d) = %s, %v", s, b, err)
		}
		var back DeliveryState
		if err := json.Unmarshal(b, &back); err != nil || back != s {
			t.Fatalf("Unmarshal(%s) = %v, %v", b, back, err)
		}
	}
	var d Delivery
	if err := json.Unmarshal([]byte(`{"message_id":"0x01","state":3}`), &d); err != nil || d.State != DeliveryAcked {
		t.Fatalf("numeric state: %v, %v", d.State, err)
	}
	for _, bad := range []string{`"delivered"`, `-1`, `{}`} {
		var s DeliveryState
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("Unmarshal(%s) accepted", bad)
		}
	}
}
