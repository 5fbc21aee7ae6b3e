package shhext

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/statusnode/statusd/internal/ens"
	"github.com/statusnode/statusd/internal/ens/enstest"
	pens "github.com/statusnode/statusd/protocol/ens"
)

// TestVerifyENSNames runs shhext_verifyENSNames through internal/ens
// against a fake Ethereum endpoint on 127.0.0.1: a matching key, another
// key, a name without resolver and a malformed key, each answer checked
// against the schema written from status-go's ENSResponse.
func TestVerifyENSNames(t *testing.T) {
	eth := enstest.New(pens.MainnetRegistry)
	defer eth.Close()
	eth.Set("alice.stateofus.eth", hexutil.MustDecode(aliceKey))
	eth.Set("self.stateofus.eth", hexutil.MustDecode(aliceKey))
	cl, err := ens.New(ens.Config{URL: eth.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	srv, f := newFakeServer(t, false)
	f.svc.SetENS(cl, func() time.Time { return time.Unix(1700000000, 0) })
	c := rpc.DialInProc(srv)
	defer c.Close()

	alice, self := strings.TrimPrefix(aliceKey, "0x"), strings.TrimPrefix(selfKey, "0x")
	var raw map[string]json.RawMessage
	err = c.CallContext(context.Background(), &raw, "shhext_verifyENSNames", []ENSDetails{
		{Name: "alice.stateofus.eth", PublicKeyString: alice},
		{Name: "self.stateofus.eth", PublicKeyString: self},
		{Name: "nobody.stateofus.eth", PublicKeyString: "0x" + alice},
		{Name: "alice.stateofus.eth", PublicKeyString: "04zz"},
	})
	if err != nil {
		t.Fatal(err)
	}
	schema := loadSchema(t, "verifyENSNames.json")
	got := map[string]ENSResponse{}
	for k, v := range raw {
		if errs := schema.Validate(v); len(errs) > 0 {
			t.Errorf("%s: %s", k, strings.Join(errs, "; "))
		}
		var r ENSResponse
		if err := json.Unmarshal(v, &r); err != nil {
			t.Fatal(err)
		}
		got[k] = r
	}
	if r := got[alice]; !r.Verified || r.Error != nil || r.VerifiedAt != 1700000000 || r.Name != "alice.stateofus.eth" {
		t.Errorf("alice: %+v", r)
	}
	if r := got[self]; r.Verified || r.Error != nil {
		t.Errorf("self (someone else's name): %+v", r)
	}
	if r := got["0x"+alice]; r.Verified || r.Error == nil || !strings.Contains(*r.Error, "no resolver") {
		t.Errorf("nobody: %+v", r)
	}
	if r := got["04zz"]; r.Verified || r.Error == nil || !strings.Contains(*r.Error, "publicKey") {
		t.Errorf("bad key: %+v", r)
	}
	if len(got) != 4 {
		t.Errorf("%d answers, want 4", len(got))
	}
}

// Without --ens.rpc the method fails with -32000 naming the setting.
func TestVerifyENSNamesUnconfigured(t *testing.T) {
	srv, _ := newFakeServer(t, false)
	c := rpc.DialInProc(srv)
	defer c.Close()
	var out any
	err := c.CallContext(context.Background(), &out, "shhext_verifyENSNames", []ENSDetails{{Name: "a.eth", PublicKeyString: "04"}})
	var rerr rpc.Error
	if err == nil || !asRPCError(err, &rerr) || rerr.ErrorCode() != -32000 || !strings.Contains(err.Error(), "--ens.rpc") {
		t.Fatalf("unconfigured: %v", err)
	}
}

func asRPCError(err error, target *rpc.Error) bool {
	e, ok := err.(rpc.Error)
	if ok {
		*target = e
	}
	return ok
}
