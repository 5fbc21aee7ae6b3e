package devp2p

import (
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"go.uber.org/zap"
)

// The methods below satisfy api.P2P. Before Start and after Stop they
// report an empty node and do nothing.

// Self returns the local node, or nil when not running.
func (s *Server) Self() *enode.Node {
	if srv := s.running(); srv != nil {
		return srv.Self()
	}
	return nil
}

// ListenAddr returns the bound TCP address, or "" when not running.
func (s *Server) ListenAddr() string {
	if srv := s.running(); srv != nil {
		return srv.ListenAddr
	}
	return ""
}

// NodeInfo describes the local node (enode, listen address, protocols).
func (s *Server) NodeInfo() *p2p.NodeInfo {
	if srv := s.running(); srv != nil {
		return srv.NodeInfo()
	}
	return &p2p.NodeInfo{Protocols: map[string]any{}}
}

// PeersInfo describes every connected peer.
func (s *Server) PeersInfo() []*p2p.PeerInfo {
	if srv := s.running(); srv != nil {
		return srv.PeersInfo()
	}
	return []*p2p.PeerInfo{}
}

// PeerCount is the number of connected peers.
func (s *Server) PeerCount() int {
	if srv := s.running(); srv != nil {
		return srv.PeerCount()
	}
	return 0
}

// AddPeer keeps a connection to n, reconnecting when it drops, and with
// Config.PeersFile records n there before it returns, so that the next start
// dials it too. A failure to write the file is logged; the peer is still
// dialled.
func (s *Server) AddPeer(n *enode.Node) {
	srv, known, redial := s.runningParts()
	if srv == nil {
		return
	}
	srv.AddPeer(n)
	redial.add(n)
	if known != nil {
		if err := known.add(n); err != nil {
			s.log.Error("cannot record peer", zap.Stringer("id", n.ID()), zap.Error(err))
		}
	}
}

// RemovePeer disconnects n, stops reconnecting to it and, with
// Config.PeersFile, forgets it there.
func (s *Server) RemovePeer(n *enode.Node) {
	srv, known, redial := s.runningParts()
	if srv == nil {
		return
	}
	redial.remove(n)
	srv.RemovePeer(n)
	if known != nil {
		if err := known.remove(n); err != nil {
			s.log.Error("cannot forget peer", zap.Stringer("id", n.ID()), zap.Error(err))
		}
	}
}

// KeepPeer keeps a connection to n, redialling it as a static peer, without
// recording it in Config.PeersFile: for peers a component chooses for the
// current run (the selected mailserver). DropPeer undoes it.
func (s *Server) KeepPeer(n *enode.Node) {
	srv, _, redial := s.runningParts()
	if srv == nil {
		return
	}
	srv.AddPeer(n)
	redial.add(n)
}

// DropPeer disconnects n and stops redialling it, without touching
// Config.PeersFile.
func (s *Server) DropPeer(n *enode.Node) {
	srv, _, redial := s.runningParts()
	if srv == nil {
		return
	}
	redial.remove(n)
	srv.RemovePeer(n)
}

// AddTrustedPeer lets n connect even when the peer limit is reached.
func (s *Server) AddTrustedPeer(n *enode.Node) {
	if srv := s.running(); srv != nil {
		srv.AddTrustedPeer(n)
	}
}

// SubscribeEvents delivers peer add/drop events to ch until the
// subscription is cancelled. It returns nil when not running.
func (s *Server) SubscribeEvents(ch chan *p2p.PeerEvent) interface{ Unsubscribe() } {
	if srv := s.running(); srv != nil {
		return srv.SubscribeEvents(ch)
	}
	return nil
}
