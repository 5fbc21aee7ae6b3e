package ens_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/internal/ens"
	"github.com/statusnode/statusd/internal/ens/enstest"
	pens "github.com/statusnode/statusd/protocol/ens"
)

func TestPublicKey(t *testing.T) {
	srv := enstest.New(pens.MainnetRegistry)
	defer srv.Close()
	key, _ := crypto.GenerateKey()
	raw := crypto.FromECDSAPub(&key.PublicKey)
	srv.Set("alice.stateofus.eth", raw)
	srv.Set("nokey.stateofus.eth", nil)
	c, err := ens.New(ens.Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	got, err := c.PublicKey(ctx, "Alice.stateofus.eth")
	if err != nil || !bytes.Equal(got, raw) {
		t.Fatalf("PublicKey = %x, %v; want %x", got, err, raw)
	}
	if srv.Calls() != 2 {
		t.Fatalf("%d eth_calls, want 2 (registry, resolver)", srv.Calls())
	}
	if _, err := c.PublicKey(ctx, "bob.stateofus.eth"); !errors.Is(err, pens.ErrNoResolver) {
		t.Fatalf("unknown name: %v", err)
	}
	if _, err := c.PublicKey(ctx, "nokey.stateofus.eth"); !errors.Is(err, pens.ErrNoPubkey) {
		t.Fatalf("no key: %v", err)
	}
	if _, err := c.PublicKey(ctx, "a..eth"); !errors.Is(err, pens.ErrEmptyName) {
		t.Fatalf("bad name: %v", err)
	}
}

// A registry at another address answers nothing: the client asks the
// registry it was given.
func TestRegistryAddress(t *testing.T) {
	srv := enstest.New(pens.MainnetRegistry)
	defer srv.Close()
	srv.Set("alice.eth", nil)
	c, err := ens.New(ens.Config{URL: srv.URL, Registry: enstest.ResolverAddress})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.PublicKey(context.Background(), "alice.eth"); !errors.Is(err, ens.ErrEndpoint) {
		t.Fatalf("wrong registry: %v", err)
	}
}

func TestEndpointDown(t *testing.T) {
	srv := enstest.New(pens.MainnetRegistry)
	url := srv.URL
	srv.Close()
	c, err := ens.New(ens.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.PublicKey(context.Background(), "alice.eth"); !errors.Is(err, ens.ErrEndpoint) {
		t.Fatalf("endpoint down: %v", err)
	}
}
