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

// TestFleetSetting: eth.beta by default, as status-go's statusd had it;
// none, the other built-in fleets, and nothing else.
func TestFleetSetting(t *testing.T) {
	res, err := Load(nil, noEnv, io.Discard)
	if err != nil || res.Config.Fleet != "eth.beta" {
		t.Fatalf("default fleet %q, %v", res.Config.Fleet, err)
	}
	for _, name := range []string{"none", "eth.staging", "eth.test"} {
		if res, err := Load([]string{"--fleet", name}, noEnv, io.Discard); err != nil || res.Config.Fleet != name {
			t.Errorf("--fleet %s: %q %v", name, res.Config.Fleet, err)
		}
	}
	if _, err := Load([]string{"--fleet", "eth.prod"}, noEnv, io.Discard); err == nil {
		t.Error("--fleet eth.prod accepted")
	}
}
