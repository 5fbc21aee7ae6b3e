package config

import (
	"io"
	"reflect"
	"testing"
)

// TestNTPSwitches: the correction is on by default with the 2019 pool
// servers, and off with --ntp.enabled=false or an empty --ntp.servers.
func TestNTPSwitches(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"0.pool.ntp.org", "1.pool.ntp.org", "2.pool.ntp.org", "3.pool.ntp.org"}},
		{[]string{"--ntp.enabled=false"}, nil},
		{[]string{"--ntp.servers", ""}, []string{}},
		{[]string{"--ntp.servers", "127.0.0.1:1123, time.example"}, []string{"127.0.0.1:1123", "time.example"}},
	} {
		res, err := Load(tc.args, noEnv, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Config.NTPServers(); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: servers %q, want %q", tc.args, got, tc.want)
		}
	}
	if _, err := Load([]string{"--ntp.servers", "udp://x"}, noEnv, io.Discard); err == nil {
		t.Error("a URL accepted as an SNTP server")
	}
}
