package node

import (
	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/devp2p"
)

// topics are the roles the node advertises in its record and its search
// for others' ([p2p] topics): every Whisper node that forwards is a relay,
// a node with the server role a mailserver; the mailservers found become
// candidates of mailserver selection.
func (n *Node) topics() devp2p.Topics {
	pc := n.cfg.P2P
	if !pc.Topics {
		return devp2p.Topics{}
	}
	return devp2p.Topics{
		Protocol: wproto.ProtocolName, Version: uint(wproto.ProtocolVersion),
		Relay: !n.cfg.Whisper.LightClient, Mailserver: n.mailserver != nil,
		Search: true, MaxRelays: pc.TopicRelays, MaxMailservers: pc.TopicMail,
		FoundMailserver: n.mailclient.AddMailserver,
	}
}
