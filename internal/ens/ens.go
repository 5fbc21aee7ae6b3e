// Package ens resolves the public key an ENS name records, for
// shhext_verifyENSNames: the registry's resolver for the name, then that
// resolver's pubkey(bytes32), each an eth_call over JSON-RPC to an
// Ethereum endpoint (the ens.rpc setting). The call data and answers are
// protocol/ens's.
//
// A Client holds one HTTP JSON-RPC client; its methods are safe for
// concurrent use and start no goroutines. Close releases it.
package ens

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	pens "github.com/statusnode/statusd/protocol/ens"
)

// CallTimeout bounds each eth_call; status-go gave a whole batch 5 s.
const CallTimeout = 5 * time.Second

// ErrEndpoint wraps a failure to ask the Ethereum endpoint (unreachable,
// an HTTP or JSON-RPC error).
var ErrEndpoint = errors.New("ens: ethereum endpoint")

// Config configures a Client.
type Config struct {
	// URL is the Ethereum JSON-RPC endpoint, http:// or https://.
	URL string
	// Registry is the ENS registry; zero means pens.MainnetRegistry.
	Registry common.Address
	// HTTPClient sends the requests; nil means a client with CallTimeout.
	HTTPClient *http.Client
}

// Client asks an Ethereum endpoint for ENS records.
type Client struct {
	rpc      *rpc.Client
	registry common.Address
}

// New returns a client of cfg.URL; nothing is sent until a lookup.
func New(cfg Config) (*Client, error) {
	if !strings.HasPrefix(cfg.URL, "http://") && !strings.HasPrefix(cfg.URL, "https://") {
		return nil, fmt.Errorf("%w: %q is not an http:// or https:// URL", ErrEndpoint, cfg.URL)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: CallTimeout}
	}
	c, err := rpc.DialOptions(context.Background(), cfg.URL, rpc.WithHTTPClient(hc))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrEndpoint, err)
	}
	reg := cfg.Registry
	if reg == (common.Address{}) {
		reg = pens.MainnetRegistry
	}
	return &Client{rpc: c, registry: reg}, nil
}

// Close releases the client; lookups after it fail.
func (c *Client) Close() error {
	c.rpc.Close()
	return nil
}

// PublicKey returns the 65-byte key (0x04 ‖ x ‖ y) the resolver of name
// records. Errors: pens.ErrEmptyName, pens.ErrNoResolver,
// pens.ErrNoPubkey, pens.ErrShort, or ErrEndpoint.
func (c *Client) PublicKey(ctx context.Context, name string) ([]byte, error) {
	node, err := pens.Namehash(name)
	if err != nil {
		return nil, err
	}
	ret, err := c.call(ctx, c.registry, pens.ResolverCall(node))
	if err != nil {
		return nil, err
	}
	resolver, err := pens.DecodeResolver(ret)
	if err != nil {
		return nil, err
	}
	if ret, err = c.call(ctx, resolver, pens.PubkeyCall(node)); err != nil {
		return nil, err
	}
	return pens.DecodePubkey(ret)
}

// callArgs is eth_call's transaction object.
type callArgs struct {
	To   common.Address `json:"to"`
	Data hexutil.Bytes  `json:"data"`
}

func (c *Client) call(ctx context.Context, to common.Address, data []byte) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, CallTimeout)
	defer cancel()
	var out hexutil.Bytes
	if err := c.rpc.CallContext(ctx, &out, "eth_call", callArgs{To: to, Data: data}, "latest"); err != nil {
		return nil, fmt.Errorf("%w: eth_call to %s: %w", ErrEndpoint, to.Hex(), err)
	}
	return out, nil
}
