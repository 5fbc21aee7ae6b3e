package node

import (
	"math/rand/v2"
	"slices"

	"github.com/statusnode/statusd/internal/config"
	"github.com/statusnode/statusd/internal/fleet"
)

// peerLists are the enode URLs the node starts with: the configured ones
// first, then those of its fleet.
type peerLists struct {
	boot, static, mail []string
}

// fleetPeers merges the fleet into the configured lists: all its boot nodes
// (used only with discovery on), fleet.StaticWhisperNodes of its Whisper
// nodes picked by r as static peers, and all its mailservers after the
// configured ones in the mailserver client's list. A URL listed twice is
// kept once.
func fleetPeers(c config.Config, f fleet.Fleet, r *rand.Rand) peerLists {
	return peerLists{
		boot:   merge(c.P2P.BootNodes, fleet.Enodes(f.Boot)),
		static: merge(c.P2P.StaticNodes, fleet.Enodes(fleet.Pick(f.Whisper, fleet.StaticWhisperNodes, r))),
		mail:   merge(c.Mailserver.Servers, fleet.Enodes(f.Mail)),
	}
}

func merge(configured, fromFleet []string) []string {
	out := slices.Clone(configured)
	for _, u := range fromFleet {
		if !slices.Contains(out, u) {
			out = append(out, u)
		}
	}
	return out
}
