package whisper

import (
	"fmt"
	"math"
	"sync"
	"time"

	wproto "github.com/statusnode/statusd/protocol/whisper"
)

// toleranceWindow is how long the previous minimum PoW and bloom still
// admit envelopes after a change: peers learn the new values only after
// what they had queued for us has left (§5.8 "recent previous").
const toleranceWindow = 10 * time.Second

// settings are the node's live limits. The mutex guards every field.
type settings struct {
	mu          sync.RWMutex
	minPoW      float64
	prevPoW     float64
	prevPoWTill time.Time
	bloom       wproto.Bloom
	prevBloom   *wproto.Bloom
	prevBlmTill time.Time
	maxSize     uint32
	light       bool
}

func (s *settings) init(cfg Config) {
	s.minPoW, s.prevPoW = cfg.MinPoW, cfg.MinPoW
	s.bloom = wproto.FullBloom()
	s.maxSize = cfg.MaxMessageSize
	s.light = cfg.LightClient
}

// acceptParams are the §5.8 limits in force at now.
func (w *Whisper) acceptParams(now time.Time) wproto.AcceptParams {
	s := &w.set
	s.mu.RLock()
	defer s.mu.RUnlock()
	p := wproto.AcceptParams{MaxMessageSize: s.maxSize, MinPoW: s.minPoW, MinPoWTolerance: s.minPoW, Bloom: s.bloom}
	if now.Before(s.prevPoWTill) {
		p.MinPoWTolerance = s.prevPoW
	}
	if s.prevBloom != nil && now.Before(s.prevBlmTill) {
		b := *s.prevBloom
		p.BloomTolerance = &b
	}
	return p
}

// MinPoW is the node's minimum PoW.
func (w *Whisper) MinPoW() float64 {
	w.set.mu.RLock()
	defer w.set.mu.RUnlock()
	return w.set.minPoW
}

// SetMinPoW changes the node minimum PoW (shh_setMinPoW) and tells every
// peer with a PoW Requirement packet (code 2). The previous value is
// tolerated for a while. It does not block on the network.
func (w *Whisper) SetMinPoW(pow float64) error {
	if math.IsNaN(pow) || math.IsInf(pow, 0) || pow < 0 {
		return fmt.Errorf("%w: PoW %v", ErrInvalidSetting, pow)
	}
	if pow > w.cfg.MaxSettablePoW {
		return fmt.Errorf("%w: PoW %v is above %v, the PoW the node's own messages are sealed to: it could no longer send",
			ErrInvalidSetting, pow, w.cfg.MaxSettablePoW)
	}
	s := &w.set
	s.mu.Lock()
	s.prevPoW, s.prevPoWTill = s.minPoW, w.cfg.Now().Add(toleranceWindow)
	s.minPoW = pow
	s.mu.Unlock()
	body := wproto.EncodePoWRequirement(pow)
	for _, p := range w.peerList() {
		p.sendControl(wproto.PowRequirementCode, body)
	}
	return nil
}

// BloomFilter is the node's bloom (FullBloom for a full node).
func (w *Whisper) BloomFilter() wproto.Bloom {
	w.set.mu.RLock()
	defer w.set.mu.RUnlock()
	return w.set.bloom
}

// SetBloomFilter replaces the node bloom (shh_setBloomFilter) and tells
// every peer with a Bloom Filter packet (code 3).
func (w *Whisper) SetBloomFilter(b wproto.Bloom) error {
	s := &w.set
	s.mu.Lock()
	w.setBloomLocked(b)
	s.mu.Unlock()
	w.announceBloom(b)
	return nil
}

func (w *Whisper) setBloomLocked(b wproto.Bloom) {
	s := &w.set
	prev := s.bloom
	s.prevBloom, s.prevBlmTill = &prev, w.cfg.Now().Add(toleranceWindow)
	s.bloom = b
}

func (w *Whisper) announceBloom(b wproto.Bloom) {
	body := wproto.EncodeBloomPacket(b)
	for _, p := range w.peerList() {
		p.sendControl(wproto.BloomFilterExCode, body)
	}
}

// widenBloom ORs topics' bloom into the node bloom when it does not cover
// them yet (a new filter, §5.7); a full node stays full.
func (w *Whisper) widenBloom(add wproto.Bloom) {
	s := &w.set
	s.mu.Lock()
	if wproto.BloomMatch(s.bloom, add) {
		s.mu.Unlock()
		return
	}
	b := s.bloom.Or(add)
	w.setBloomLocked(b)
	s.mu.Unlock()
	w.announceBloom(b)
}

// MaxMessageSize is the node's max message size.
func (w *Whisper) MaxMessageSize() uint32 {
	w.set.mu.RLock()
	defer w.set.mu.RUnlock()
	return w.set.maxSize
}

// SetMaxMessageSize changes the max message size (shh_setMaxMessageSize),
// at most 10 MiB.
func (w *Whisper) SetMaxMessageSize(size uint32) error {
	if size < w.cfg.MinSettableMessageSize || size > wproto.MaxMessageSize {
		return fmt.Errorf("%w: max message size %d is not within %d..%d (below %d the node's own messages would not fit)",
			ErrInvalidSetting, size, w.cfg.MinSettableMessageSize, wproto.MaxMessageSize, w.cfg.MinSettableMessageSize)
	}
	w.set.mu.Lock()
	defer w.set.mu.Unlock()
	w.set.maxSize = size
	return nil
}

// LightClient reports whether the node forwards others' envelopes (false)
// or not (true).
func (w *Whisper) LightClient() bool {
	w.set.mu.RLock()
	defer w.set.mu.RUnlock()
	return w.set.light
}

// SetLightClient switches light mode (shh_makeLightClient /
// shh_cancelLightClient). Peers learn it at their next handshake.
func (w *Whisper) SetLightClient(on bool) {
	w.set.mu.Lock()
	defer w.set.mu.Unlock()
	w.set.light = on
}

// status is our handshake packet (§5.2).
func (w *Whisper) status() *wproto.Status {
	s := &w.set
	s.mu.RLock()
	defer s.mu.RUnlock()
	return &wproto.Status{Version: wproto.ProtocolVersion, PoW: s.minPoW, Bloom: s.bloom, LightNode: s.light,
		Confirmations: w.cfg.Confirmations}
}
