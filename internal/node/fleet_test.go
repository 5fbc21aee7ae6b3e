package node

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/statusnode/statusd/internal/fleet"
)

// TestFleetPeers: a fleet adds its boot nodes, two of its Whisper nodes as
// static peers and its mailservers after the configured ones; none adds
// nothing. (Nothing is started: tests never dial a fleet.)
func TestFleetPeers(t *testing.T) {
	beta, _ := fleet.Get(fleet.Default)
	c := testConfig(t)
	mine := beta.Mail[0].Enode // a fleet mailserver also configured
	c.Mailserver.Servers = []string{mine}
	c.P2P.StaticNodes = []string{"enode://e8a7c03b58911e98bbd66accb2a55d57683f35b23bf9dfca89e5e244eb5cc3f25018b4112db507faca34fb69ffb44b362f79eda97a669a8df29c72e654416784@127.0.0.1:30303"}

	got := fleetPeers(c, beta, rand.New(rand.NewPCG(7, 7)))
	if !slices.Equal(got.boot, fleet.Enodes(beta.Boot)) {
		t.Errorf("boot = %v", got.boot)
	}
	if len(got.static) != 3 || got.static[0] != c.P2P.StaticNodes[0] || got.static[1] == got.static[2] {
		t.Errorf("static = %v", got.static)
	}
	for _, s := range got.static[1:] {
		if !slices.Contains(fleet.Enodes(beta.Whisper), s) {
			t.Errorf("static %s is not an eth.beta Whisper node", s)
		}
	}
	if len(got.mail) != len(beta.Mail) || got.mail[0] != mine {
		t.Errorf("mail = %v", got.mail)
	}

	none, _ := fleet.Get(fleet.None)
	if got := fleetPeers(c, none, rand.New(rand.NewPCG(7, 7))); !slices.Equal(got.static, c.P2P.StaticNodes) ||
		!slices.Equal(got.mail, c.Mailserver.Servers) || len(got.boot) != 0 {
		t.Errorf("fleet none: %+v", got)
	}

	c.Fleet = "eth.test"
	n, err := New(Options{Config: c, Password: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(n.peers.mail) != 1+3 || len(n.peers.boot) != 3 {
		t.Errorf("eth.test node lists: %+v", n.peers)
	}
	c.Fleet = "eth.nope"
	if _, err := New(Options{Config: c, Password: "x"}); err == nil {
		t.Error("unknown fleet accepted")
	}
}
