package statusd

import (
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"
)

// TestHealth: statusd_health is healthy without a check and while the check
// passes, and names the failure while it fails.
func TestHealth(t *testing.T) {
	var failing error
	m, r := newFakeMessenger(), &fakeRouter{}
	for _, svc := range []*Service{New(m, r), New(m, r).WithHealth(func() error { return failing })} {
		srv := rpc.NewServer()
		if err := srv.RegisterName("statusd", svc.API()); err != nil {
			t.Fatal(err)
		}
		c := rpc.DialInProc(srv)
		var h Health
		if err := c.Call(&h, "statusd_health"); err != nil || !h.Healthy || h.Error != "" {
			t.Fatalf("healthy: %+v %v", h, err)
		}
		if svc.health != nil {
			failing = errors.New("storage: writes are failing: no space left on device")
			if err := c.Call(&h, "statusd_health"); err != nil || h.Healthy || h.Error != failing.Error() {
				t.Fatalf("failing: %+v %v", h, err)
			}
		}
		c.Close()
		srv.Stop()
	}
}
