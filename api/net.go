package api

import (
	"strconv"

	"github.com/ethereum/go-ethereum/common/hexutil"
)

// NetAPI is the "net" namespace, answered as geth answers it. It is safe for
// concurrent use if its P2P is.
type NetAPI struct {
	p2p       P2P
	networkID uint64
}

// NewNetAPI returns the net namespace for the node's P2P server (not nil) and
// network id.
func NewNetAPI(p P2P, networkID uint64) *NetAPI {
	return &NetAPI{p2p: p, networkID: networkID}
}

// Version is net_version: the network id (--networkid) in decimal.
//
// Example: Get the network id
//
//	params: []
//	result: "1"
func (api *NetAPI) Version() string {
	return strconv.FormatUint(api.networkID, 10)
}

// Listening is net_listening: always true while the node serves RPC.
func (api *NetAPI) Listening() bool {
	return true
}

// PeerCount is net_peerCount: the number of connected devp2p peers, as a
// hex quantity ("0x3").
//
// Example: Count the connected peers
//
//	params: []
//	result: "0x0"
//	task: 4
func (api *NetAPI) PeerCount() hexutil.Uint {
	return hexutil.Uint(api.p2p.PeerCount())
}
