package api

import (
	"errors"
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

// NewAdminAPI returns the admin namespace for the node's P2P server (not
// nil). Peer changes made through it are logged to log (named "admin"); a
// nil log logs nothing. (A logger setter would itself be exported as an RPC
// method by go-ethereum's rules, so the logger is a constructor argument.)
func NewAdminAPI(p P2P, log *zap.Logger) *AdminAPI {
	if log == nil {
		log = zap.NewNop()
	}
	return &AdminAPI{p2p: p, log: log.Named("admin")}
}

// NodeInfo is admin_nodeInfo: this node's identity, addresses and protocols,
// as geth reports them (the "enode" URL is what other nodes pass to
// admin_addPeer). It fails with -32000 while the P2P server is not running.
//
// Example: Get this node's enode URL and protocols
//
//	params: []
//	result: {"id":"0b5d…","name":"statusd/v0.1.0-dev/linux-amd64/go1.26.0","enode":"enode://6f8a…@127.0.0.1:30303","enr":"enr:-KO4Q…","ip":"127.0.0.1","ports":{"discovery":0,"listener":30303},"listenAddr":"[::]:30303","protocols":{"shh":{"maxMessageSize":1048576,"minimumPoW":0.001,"version":"6.0"}}}
//	task: 2
func (api *AdminAPI) NodeInfo() (*p2p.NodeInfo, error) {
	info := api.p2p.NodeInfo()
	if info == nil {
		return nil, RPCError(fmt.Errorf("node info: %w", ErrUnavailable))
	}
	return info, nil
}

// Peers is admin_peers: the connected peers with their addresses and
// protocols, as geth reports them. An empty list is [] rather than null.
// A peer's "shh" entry is "handshake" until the Whisper handshake is
// done, then its version, PoW requirement, light mode, confirmations and
// whether it is trusted.
//
// Example: List the connected peers
//
//	params: []
//	result: []
func (api *AdminAPI) Peers() ([]*p2p.PeerInfo, error) {
	peers := api.p2p.PeersInfo()
	if peers == nil {
		peers = []*p2p.PeerInfo{}
	}
	return peers, nil
}

// AddPeer is admin_addPeer: keep a connection to the enode URL, redialling
// when it drops. It returns true once the request is recorded, not when the
// peer is connected. A malformed URL, or one without a host and port, is an
// invalid-params error (-32602).
//
// Example: Add another node as a peer
//
//	params: ["$PEER"]
//	result: true
//	task: 3
func (api *AdminAPI) AddPeer(url string) (bool, error) {
	node, err := parseEnode(url)
	if err != nil {
		return false, err
	}
	if _, ok := node.TCPEndpoint(); !ok {
		return false, invalidParams("invalid enode", errNoHost)
	}
	api.p2p.AddPeer(node)
	api.log.Info("static peer added", zap.Stringer("id", node.ID()))
	return true, nil
}

// RemovePeer is admin_removePeer: forget a static peer and disconnect it.
// It answers true for any well-formed URL, also one that was never added.
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
// peer limit is reached. It does not dial the peer (admin_addPeer does) and
// returns true once recorded. A malformed URL is an invalid-params error
// (-32602).
func (api *AdminAPI) AddTrustedPeer(url string) (bool, error) {
	node, err := parseEnode(url)
	if err != nil {
		return false, err
	}
	api.p2p.AddTrustedPeer(node)
	api.log.Info("trusted peer added", zap.Stringer("id", node.ID()))
	return true, nil
}

// errNoHost refuses an enode that could never be dialled.
var errNoHost = errors.New("it has no host and TCP port: expected enode://<128 hex digits>@<host>:<port>, as admin_nodeInfo (statusctl info) on the other node shows it")

// parseEnode parses an enode:// or enr: URL; errors are already RPC errors.
func parseEnode(url string) (*enode.Node, error) {
	node, err := enode.Parse(enode.ValidSchemes, url)
	if err != nil {
		return nil, invalidParams("invalid enode", err)
	}
	return node, nil
}
