package api

import (
	"sync"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
)

// fakeP2P is a hand-written P2P that records what the admin namespace asks.
type fakeP2P struct {
	mu      sync.Mutex
	info    *p2p.NodeInfo
	peers   []*p2p.PeerInfo
	added   []*enode.Node
	removed []*enode.Node
	trusted []*enode.Node
}

var _ P2P = (*fakeP2P)(nil)

func newFakeP2P() *fakeP2P {
	return &fakeP2P{
		info: &p2p.NodeInfo{ID: "abcd", Name: "statusd-test", ListenAddr: "127.0.0.1:30303"},
		peers: []*p2p.PeerInfo{
			{ID: "p1", Name: "peer-one"},
			{ID: "p2", Name: "peer-two"},
		},
	}
}

func (f *fakeP2P) NodeInfo() *p2p.NodeInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.info
}

func (f *fakeP2P) PeersInfo() []*p2p.PeerInfo {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]*p2p.PeerInfo(nil), f.peers...)
}

func (f *fakeP2P) PeerCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.peers)
}

func (f *fakeP2P) AddPeer(n *enode.Node) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.added = append(f.added, n)
}

func (f *fakeP2P) RemovePeer(n *enode.Node) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removed = append(f.removed, n)
}

func (f *fakeP2P) AddTrustedPeer(n *enode.Node) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trusted = append(f.trusted, n)
}

// calls returns copies of the recorded calls.
func (f *fakeP2P) calls() (added, removed, trusted []*enode.Node) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append(added, f.added...), append(removed, f.removed...), append(trusted, f.trusted...)
}
