package whisper

import (
	"bytes"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/p2p/enode"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

// Send adds a locally sealed envelope to the pool, forwards it to every
// eligible peer at once (also in light mode) and delivers it to local
// filters. It applies the §5.8 rules like any envelope, so an envelope
// below the node's minimum PoW is refused with an error wrapping
// wproto.ErrPoWTooLow. A duplicate is not an error. It does not block on
// the network. It returns the envelope hash.
func (w *Whisper) Send(env *wproto.Envelope) (common.Hash, error) {
	if err := w.running(); err != nil {
		return common.Hash{}, err
	}
	e := w.newEntry(env)
	h := e.hash()
	defer w.inflight.end(w.inflight.begin()) // for Settle
	now := w.cfg.Now()
	if err := w.ingest(e, w.pool.find(e), nil, now, w.newBatch(now)); err != nil {
		return h, err
	}
	return h, nil
}

// SendP2P sends env directly to the connected peer id as a P2P Message
// (code 127, one envelope as EIP-627 has it), without PoW checks and
// without adding it to the pool (shh_post with targetPeer). It queues the
// packet without blocking.
func (w *Whisper) SendP2P(id enode.ID, env *wproto.Envelope) (common.Hash, error) {
	if err := w.running(); err != nil {
		return common.Hash{}, err
	}
	p, err := w.peer(id)
	if err != nil {
		return common.Hash{}, err
	}
	raw := env.AppendRLP(nil)
	if !p.sendControl(wproto.P2PMessageCode, raw) {
		return common.Hash{}, fmt.Errorf("whisper: peer %s: send queue full", id.TerminalString())
	}
	return env.Hash(), nil
}

func (w *Whisper) running() error {
	w.mu.RLock()
	defer w.mu.RUnlock()
	switch {
	case w.stopped:
		return ErrStopped
	case !w.started:
		return ErrNotStarted
	}
	return nil
}
