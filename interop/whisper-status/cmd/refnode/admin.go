package main

import (
	"fmt"

	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
)

// adminAPI is the part of geth's admin_ namespace a test needs to wire
// reference nodes together; the real one lives in the node package and
// pulls in much more.
type adminAPI struct {
	srv *p2p.Server
}

// AddPeer dials the node at url and keeps it as a static peer.
func (a *adminAPI) AddPeer(url string) (bool, error) {
	n, err := enode.Parse(enode.ValidSchemes, url)
	if err != nil {
		return false, fmt.Errorf("invalid enode: %v", err)
	}
	a.srv.AddPeer(n)
	return true, nil
}

// RemovePeer disconnects the node at url and forgets it as a static peer.
func (a *adminAPI) RemovePeer(url string) (bool, error) {
	n, err := enode.Parse(enode.ValidSchemes, url)
	if err != nil {
		return false, fmt.Errorf("invalid enode: %v", err)
	}
	a.srv.RemovePeer(n)
	return true, nil
}

// Peers lists the connected peers, as geth's admin_peers does.
func (a *adminAPI) Peers() []*p2p.PeerInfo {
	return a.srv.PeersInfo()
}

// NodeInfo describes this node, as geth's admin_nodeInfo does.
func (a *adminAPI) NodeInfo() *p2p.NodeInfo {
	return a.srv.NodeInfo()
}
