// Package fleet gives the built-in fleets of the 2019 Status network
// (configs/fleets.json): for each, its boot nodes (discovery), Whisper relay
// nodes and mailservers. internal/node turns the chosen fleet into boot
// nodes, static peers and the mailserver client's list.
//
// The default fleet is eth.beta, the one status-go's statusd and the Status
// app of 2019 joined; None selects no fleet, so that a node reaches only the
// peers it is given (tests use it, and must).
package fleet

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/statusnode/statusd/configs"
)

// Fleet names.
const (
	Default = "eth.beta"
	None    = "none"
)

// StaticWhisperNodes is how many of a fleet's Whisper nodes a node keeps as
// static peers: status-react in 2019 picked two at random.
const StaticWhisperNodes = 2

// ErrUnknown is returned for a fleet name that is not built in.
var ErrUnknown = errors.New("fleet: unknown fleet")

// Node is one fleet node: its host name in the fleet and its enode URL.
type Node struct {
	Name  string
	Enode string
}

// Fleet is one built-in fleet; the lists are sorted by node name.
type Fleet struct {
	Name    string
	Boot    []Node // discovery boot nodes
	Whisper []Node // Whisper relays
	Mail    []Node // mailservers
}

type fileFleet struct {
	Boot    map[string]string `json:"boot"`
	Whisper map[string]string `json:"whisper"`
	Mail    map[string]string `json:"mail"`
}

type file struct {
	Source string               `json:"source"`
	Fleets map[string]fileFleet `json:"fleets"`
}

func load() (file, error) {
	var f file
	if err := json.Unmarshal(configs.FleetsJSON(), &f); err != nil {
		return f, fmt.Errorf("fleet: configs/fleets.json: %w", err)
	}
	return f, nil
}

// Names lists the built-in fleets, sorted.
func Names() []string {
	f, err := load()
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(f.Fleets))
	for name := range f.Fleets {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Get returns the fleet called name. None (and "") is the empty fleet;
// an unknown name is ErrUnknown.
func Get(name string) (Fleet, error) {
	if name == None || name == "" {
		return Fleet{Name: None}, nil
	}
	f, err := load()
	if err != nil {
		return Fleet{}, err
	}
	ff, ok := f.Fleets[name]
	if !ok {
		return Fleet{}, fmt.Errorf("%w %q (built in: %v, or %s)", ErrUnknown, name, Names(), None)
	}
	return Fleet{Name: name, Boot: nodes(ff.Boot), Whisper: nodes(ff.Whisper), Mail: nodes(ff.Mail)}, nil
}

func nodes(m map[string]string) []Node {
	out := make([]Node, 0, len(m))
	for name, enode := range m {
		out = append(out, Node{Name: name, Enode: enode})
	}
	slices.SortFunc(out, func(a, b Node) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Enodes returns the enode URLs of nodes.
func Enodes(nodes []Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Enode
	}
	return out
}

// Pick returns n of nodes chosen at random by r (all of them, shuffled,
// when there are no more than n).
func Pick(nodes []Node, n int, r *rand.Rand) []Node {
	out := slices.Clone(nodes)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out[:min(n, len(out))]
}
