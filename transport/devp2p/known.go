package devp2p

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/p2p/enode"
)

// Known-peers file format. The file is JSON:
//
//	{"version": 1, "peers": ["enode://…@host:port", …]}
//
// Peers are kept in the order they were added. A file with another version
// is refused rather than overwritten.
const (
	knownPeersVersion = 1
	maxKnownPeersFile = 1 << 20
)

// ErrKnownPeersFile is wrapped by errors about the known-peers file.
var ErrKnownPeersFile = errors.New("devp2p: bad known-peers file")

type knownPeersFile struct {
	Version int      `json:"version"`
	Peers   []string `json:"peers"`
}

// knownPeers is the set of peers added at run time (admin_addPeer),
// persisted in one file so that a restarted node dials them again. Its
// methods are safe for concurrent use; each change is written to disk
// before the method returns.
type knownPeers struct {
	path string

	mu    sync.Mutex
	nodes []*enode.Node
}

// loadKnownPeers reads path; a missing file is an empty set. The file is
// created on the first change.
func loadKnownPeers(path string) (*knownPeers, error) {
	k := &knownPeers{path: path}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return k, nil
	}
	if err != nil {
		return nil, fmt.Errorf("devp2p: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxKnownPeersFile+1))
	if err != nil {
		return nil, fmt.Errorf("devp2p: read %s: %w", path, err)
	}
	if len(data) > maxKnownPeersFile {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrKnownPeersFile, path, maxKnownPeersFile)
	}
	var file knownPeersFile
	if err := json.Unmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrKnownPeersFile, path, err)
	}
	if file.Version != knownPeersVersion {
		return nil, fmt.Errorf("%w: %s has version %d, want %d", ErrKnownPeersFile, path, file.Version, knownPeersVersion)
	}
	for _, url := range file.Peers {
		n, err := ParseNode(url)
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrKnownPeersFile, path, err)
		}
		k.nodes = append(k.nodes, n)
	}
	return k, nil
}

// list returns the known peers; the caller owns the slice.
func (k *knownPeers) list() []*enode.Node {
	k.mu.Lock()
	defer k.mu.Unlock()
	return slices.Clone(k.nodes)
}

// add records n, replacing an earlier record of the same node (its address
// may have changed), and writes the file.
func (k *knownPeers) add(n *enode.Node) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	nodes := slices.DeleteFunc(slices.Clone(k.nodes), func(m *enode.Node) bool { return m.ID() == n.ID() })
	nodes = append(nodes, n)
	if err := k.saveLocked(nodes); err != nil {
		return err
	}
	k.nodes = nodes
	return nil
}

// remove forgets n and writes the file. Removing an unknown node writes
// nothing.
func (k *knownPeers) remove(n *enode.Node) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	nodes := slices.DeleteFunc(slices.Clone(k.nodes), func(m *enode.Node) bool { return m.ID() == n.ID() })
	if len(nodes) == len(k.nodes) {
		return nil
	}
	if err := k.saveLocked(nodes); err != nil {
		return err
	}
	k.nodes = nodes
	return nil
}

// saveLocked writes nodes to the file atomically (temporary file, fsync,
// rename) with mode 0600. k.mu must be held.
func (k *knownPeers) saveLocked(nodes []*enode.Node) error {
	file := knownPeersFile{Version: knownPeersVersion, Peers: make([]string, 0, len(nodes))}
	for _, n := range nodes {
		file.Peers = append(file.Peers, n.URLv4())
	}
	data, err := json.MarshalIndent(file, "", "  ")
	if err != nil {
		return fmt.Errorf("devp2p: %w", err)
	}
	return writeFileAtomic(k.path, append(data, '\n'))
}

// writeFileAtomic replaces path with data, mode 0600, so that a reader or a
// crash never sees a partial file.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return fmt.Errorf("devp2p: %w", err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("devp2p: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("devp2p: write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("devp2p: sync %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("devp2p: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("devp2p: %w", err)
	}
	return nil
}
