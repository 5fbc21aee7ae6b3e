package api

import (
	"fmt"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"
)

// P2P is what the admin and net namespaces need from the node's P2P server.
// go-ethereum's *p2p.Server satisfies it; tests use a hand-written fake.
// Implementations must be safe for concurrent use: RPC calls arrive on many
// goroutines. AddPeer, RemovePeer and AddTrustedPeer must not block on the
// network; they only record the wish (the server dials in the background).
type P2P interface {
	NodeInfo() *p2p.NodeInfo
	PeersInfo() []*p2p.PeerInfo
	PeerCount() int
	AddPeer(*enode.Node)
	RemovePeer(*enode.Node)
	AddTrustedPeer(*enode.Node)
}

var _ P2P = (*p2p.Server)(nil)

// AdminAPI is the "admin" namespace: node information and peer management,
// with geth's method names and results. Expose it over HTTP/WS only on
// purpose (Config.Modules); it is always reachable over IPC.
type AdminAPI struct {
	p2p P2P
	log *zap.Logger
}

// NewAdminAPI returns the admin namespace for the node's P2P server (not nil).
func NewAdminAPI(p P2P) *AdminAPI {
	return &AdminAPI{p2p: p, log: zap.NewNop()}
}

// WithLogger makes the namespace log peer changes to log (named "admin") and
// returns it. Without it, nothing is logged.
func (api *AdminAPI) WithLogger(log *zap.Logger) *AdminAPI {
	api.log = log.Named("admin")
	return api
}

// NodeInfo is admin_nodeInfo: this node's identity, addresses and protocols.
func (api *AdminAPI) NodeInfo() (*p2p.NodeInfo, error) {
	info := api.p2p.NodeInfo()
	if info == nil {
		return nil, RPCError(fmt.Errorf("node info: %w", ErrUnavailable))
	}
	return info, nil
}

// Peers is admin_peers: the connected peers. An empty list is [] rather than
// null.
func (api *AdminAPI) Peers() ([]*p2p.PeerInfo, error) {
	peers := api.p2p.PeersInfo()
	if peers == nil {
		peers = []*p2p.PeerInfo{}
	}
	return peers, nil
}

// AddPeer is admin_addPeer: keep a connection to the enode URL, redialling
// when it drops. It returns true once the request is recorded, not when the
// peer is connected. A malformed URL is an invalid-params error (-32602).
func (api *AdminAPI) AddPeer(url string) (bool, error) {
	node, err := parseEnode(url)
	if err != nil {
		return false, err
	}
	api.p2p.AddPeer(node)
	api.log.Info("static peer added", zap.Stringer("id", node.ID()))
	return true, nil
}

// RemovePeer is admin_removePeer: forget a static peer and disconnect it.
// A malformed URL is an invalid-params error (-32602).
func (api *AdminAPI) RemovePeer(url string) (bool, error) {
	node, err := parseEnode(url)
	if err != nil {
		return false, err
	}
	api.p2p.RemovePeer(node)
	api.log.Info("static peer removed", zap.Stringer("id", node.ID()))
	return true, nil
}

// AddTrustedPeer is admin_addTrustedPeer: let the peer connect even when the
// peer limit is reached. A malformed URL is an invalid-params error (-32602).
func (api *AdminAPI) AddTrustedPeer(url string) (bool, error) {
	node, err := parseEnode(url)
	if err != nil {
		return false, err
	}
	api.p2p.AddTrustedPeer(node)
	api.log.Info("trusted peer added", zap.Stringer("id", node.ID()))
	return true, nil
}

// parseEnode parses an enode:// or enr: URL; errors are already RPC errors.
func parseEnode(url string) (*enode.Node, error) {
	node, err := enode.Parse(enode.ValidSchemes, url)
	if err != nil {
		return nil, invalidParams("invalid enode", err)
	}
	return node, nil
}
