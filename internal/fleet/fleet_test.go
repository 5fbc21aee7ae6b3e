package fleet

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/p2p/enode"
)

// TestBuiltInFleets: the three 2019 fleets with the sizes published then,
// every node a valid enode URL on port 443, named after its fleet and
// role, and no node listed twice.
func TestBuiltInFleets(t *testing.T) {
	if got := Names(); !slices.Equal(got, []string{"eth.beta", "eth.staging", "eth.test"}) {
		t.Fatalf("Names() = %v", got)
	}
	sizes := map[string][3]int{"eth.beta": {6, 24, 9}, "eth.staging": {3, 3, 3}, "eth.test": {3, 3, 3}}
	seen := map[enode.ID]string{}
	for name, want := range sizes {
		f, err := Get(name)
		if err != nil {
			t.Fatal(err)
		}
		if got := [3]int{len(f.Boot), len(f.Whisper), len(f.Mail)}; got != want {
			t.Errorf("%s: boot/whisper/mail = %v, want %v", name, got, want)
		}
		for role, list := range map[string][]Node{"boot": f.Boot, "node": f.Whisper, "mail": f.Mail} {
			for _, n := range list {
				if !strings.HasPrefix(n.Name, role+"-") || !strings.HasSuffix(n.Name, "."+name) {
					t.Errorf("%s: node %s listed as %s", name, n.Name, role)
				}
				node, err := enode.ParseV4(n.Enode)
				if err != nil {
					t.Fatalf("%s %s: %v", name, n.Name, err)
				}
				if node.TCP() != 443 || !node.IPAddr().IsValid() {
					t.Errorf("%s %s: endpoint %v:%d", name, n.Name, node.IPAddr(), node.TCP())
				}
				if other, dup := seen[node.ID()]; dup {
					t.Errorf("%s listed as %s and %s", node.ID(), other, n.Name)
				}
				seen[node.ID()] = n.Name
			}
		}
	}
}

func TestNoneAndUnknown(t *testing.T) {
	for _, name := range []string{None, ""} {
		if f, err := Get(name); err != nil || len(f.Boot)+len(f.Whisper)+len(f.Mail) != 0 {
			t.Errorf("Get(%q) = %+v, %v", name, f, err)
		}
	}
	if _, err := Get("eth.prod"); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "eth.staging") {
		t.Errorf("unknown fleet: %v", err)
	}
}

func TestPick(t *testing.T) {
	f, _ := Get(Default)
	a := Pick(f.Whisper, StaticWhisperNodes, rand.New(rand.NewPCG(1, 2)))
	b := Pick(f.Whisper, StaticWhisperNodes, rand.New(rand.NewPCG(1, 2)))
	if len(a) != 2 || !slices.Equal(a, b) || a[0] == a[1] {
		t.Fatalf("picks %v %v", a, b)
	}
	if all := Pick(f.Mail[:1], 5, rand.New(rand.NewPCG(1, 2))); len(all) != 1 {
		t.Fatalf("pick more than there are: %v", all)
	}
	if got := Enodes(f.Mail[:1]); got[0] != f.Mail[0].Enode {
		t.Fatal("Enodes")
	}
}
