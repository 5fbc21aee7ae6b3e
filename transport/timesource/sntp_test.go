package timesource

import (
	"testing"
	"time"
)

func TestNTPTimestamps(t *testing.T) {
	for _, tc := range []struct {
		t    time.Time
		want uint64
	}{
		{time.Unix(0, 0), 2208988800 << 32},
		{time.Date(2019, 11, 21, 0, 0, 0, 500_000_000, time.UTC), (3783283200 << 32) | 1<<31},
		{time.Date(2036, 2, 7, 6, 28, 16, 0, time.UTC), 0}, // era 1 begins
	} {
		if got := ToNTP(tc.t); got != tc.want {
			t.Errorf("ToNTP(%v) = %#x, want %#x", tc.t, got, tc.want)
		}
		if got := fromNTP(tc.want); !got.Equal(tc.t) {
			t.Errorf("fromNTP(%#x) = %v, want %v", tc.want, got, tc.t)
		}
	}
}

// FuzzParsePacket: the decoder never panics, and a packet it accepts
// yields a finite offset.
func FuzzParsePacket(f *testing.F) {
	good := make([]byte, packetSize)
	good[0], good[1] = 4<<3|4, 1
	good[39], good[47] = 1, 1
	f.Add(good)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parsePacket(b)
		if err != nil {
			return
		}
		now := time.Now()
		p.response(now, now)
	})
}
