// Package enstest is a fake Ethereum JSON-RPC endpoint for ENS lookups:
// an HTTP server on 127.0.0.1 answering eth_call for one registry and one
// resolver contract, with the names and keys a test sets. Tests only.
package enstest

import (
	"bytes"
	"errors"
	"net/http/httptest"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"

	pens "github.com/statusnode/statusd/protocol/ens"
)

// ResolverAddress is the resolver contract the fake registry names.
var ResolverAddress = common.HexToAddress("0x5ffc014343cd971b7eb70732021e26c35b744cc4")

// Server is the fake endpoint. Its methods are safe for concurrent use.
type Server struct {
	URL string // http://127.0.0.1:port/

	http *httptest.Server
	rpc  *rpc.Server

	mu       sync.Mutex
	registry common.Address
	keys     map[[32]byte][]byte // node → 65-byte key; nil: resolver but no key
	calls    int
}

// New starts a fake whose registry lives at registry. Close stops it.
func New(registry common.Address) *Server {
	s := &Server{registry: registry, keys: map[[32]byte][]byte{}, rpc: rpc.NewServer()}
	if err := s.rpc.RegisterName("eth", &ethAPI{s}); err != nil {
		panic(err) // a programming error in this package
	}
	s.http = httptest.NewServer(s.rpc)
	s.URL = s.http.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.http.Close(); s.rpc.Stop() }

// Set records key (65 bytes, 0x04 ‖ x ‖ y; nil: a resolver without a
// key) for name.
func (s *Server) Set(name string, key []byte) {
	node, err := pens.Namehash(name)
	if err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[node] = key
}

// Calls is the number of eth_call requests answered.
func (s *Server) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

type ethAPI struct{ s *Server }

// CallArgs is the part of eth_call's transaction the fake reads.
type CallArgs struct {
	To   common.Address `json:"to"`
	Data hexutil.Bytes  `json:"data"`
}

// Call is eth_call: the registry answers resolver(node) with
// ResolverAddress for known names and zero otherwise; the resolver
// answers pubkey(node) with the key's x and y, zeros when unset. Any
// other call is an error, as a node answers a revert.
func (a *ethAPI) Call(args CallArgs, block string) (hexutil.Bytes, error) {
	s := a.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls++
	if len(args.Data) != 36 {
		return nil, errors.New("execution reverted")
	}
	var node [32]byte
	copy(node[:], args.Data[4:])
	key, known := s.keys[node]
	out := make([]byte, 64)
	switch {
	case args.To == s.registry && bytes.Equal(args.Data[:4], pens.ResolverCall(node)[:4]):
		if known {
			copy(out[12:32], ResolverAddress[:])
		}
		return out[:32], nil
	case args.To == ResolverAddress && bytes.Equal(args.Data[:4], pens.PubkeyCall(node)[:4]):
		if len(key) == 65 {
			copy(out, key[1:])
		}
		return out, nil
	}
	return nil, errors.New("execution reverted")
}
