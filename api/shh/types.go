package shh

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"

	wproto "github.com/statusnode/statusd/protocol/whisper"
	"github.com/statusnode/statusd/transport/whisper"
)

// Criteria is the filter description of shh_newMessageFilter and
// shh_subscribe (§5.11). Decoding reports the first bad field by its JSON
// name.
type Criteria struct {
	SymKeyID     string
	PrivateKeyID string
	Sig          []byte // expected signer, 65-byte public key
	MinPow       float64
	Topics       []wproto.Topic
	AllowP2P     bool
}

// UnmarshalJSON decodes the §5.11 Criteria object.
func (c *Criteria) UnmarshalJSON(b []byte) error {
	f, err := decodeFields(b)
	if err != nil {
		return err
	}
	var topics []string
	for _, step := range []error{
		f.get("symKeyID", &c.SymKeyID),
		f.get("privateKeyID", &c.PrivateKeyID),
		f.hex("sig", &c.Sig),
		f.get("minPow", &c.MinPow),
		f.get("topics", &topics),
		f.get("allowP2P", &c.AllowP2P),
	} {
		if step != nil {
			return step
		}
	}
	for i, s := range topics {
		t, err := parseTopic(s)
		if err != nil {
			return invalid(fmt.Sprintf("topics[%d]", i), err)
		}
		c.Topics = append(c.Topics, t)
	}
	return nil
}

// NewMessage is shh_post's request (§5.11).
type NewMessage struct {
	SymKeyID   string
	PublicKey  []byte
	Sig        string // key-pair ID of the signing key
	TTL        uint32
	Topic      wproto.Topic
	HasTopic   bool
	Payload    []byte
	Padding    []byte
	PowTime    uint32
	PowTarget  float64
	TargetPeer string
}

// UnmarshalJSON decodes the §5.11 NewMessage object.
func (m *NewMessage) UnmarshalJSON(b []byte) error {
	f, err := decodeFields(b)
	if err != nil {
		return err
	}
	var topic string
	for _, step := range []error{
		f.get("symKeyID", &m.SymKeyID),
		f.hex("pubKey", &m.PublicKey),
		f.get("sig", &m.Sig),
		f.get("ttl", &m.TTL),
		f.get("topic", &topic),
		f.hex("payload", &m.Payload),
		f.hex("padding", &m.Padding),
		f.get("powTime", &m.PowTime),
		f.get("powTarget", &m.PowTarget),
		f.get("targetPeer", &m.TargetPeer),
	} {
		if step != nil {
			return step
		}
	}
	if topic != "" {
		if m.Topic, err = parseTopic(topic); err != nil {
			return invalid("topic", err)
		}
		m.HasTopic = true
	}
	return nil
}

// Message is a received message as clients see it (§5.11). The P2P flag is
// serialised under "bool", as the Status fork does (§9 item 16).
type Message struct {
	Sig       hexutil.Bytes `json:"sig,omitempty"`
	TTL       uint32        `json:"ttl"`
	Timestamp uint32        `json:"timestamp"`
	Topic     wproto.Topic  `json:"topic"`
	Payload   hexutil.Bytes `json:"payload"`
	Padding   hexutil.Bytes `json:"padding"`
	PoW       float64       `json:"pow"`
	Hash      hexutil.Bytes `json:"hash"`
	Dst       hexutil.Bytes `json:"recipientPublicKey,omitempty"`
	P2P       bool          `json:"bool,omitempty"`
}

func toMessage(m *whisper.Message) *Message {
	out := &Message{
		Sig:       m.SignerPublicKey(),
		TTL:       m.TTL,
		Timestamp: m.Sent,
		Topic:     m.Topic,
		Payload:   m.Payload,
		Padding:   m.Padding,
		PoW:       m.PoW,
		Hash:      m.EnvelopeHash.Bytes(),
		P2P:       m.P2P,
	}
	if m.Dst != nil {
		out.Dst = crypto.FromECDSAPub(m.Dst)
	}
	return out
}

// fields holds a JSON object's members for decoding one by one, so that
// an error names the member at fault.
type fields map[string]json.RawMessage

func decodeFields(b []byte) (fields, error) {
	var f fields
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("expected an object: %w", err)
	}
	return f, nil
}

func (f fields) get(name string, dst any) error {
	raw, ok := f[name]
	if !ok || string(raw) == "null" {
		return nil
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		return invalid(name, fmt.Errorf("bad value %s", truncate(raw)))
	}
	return nil
}

func (f fields) hex(name string, dst *[]byte) error {
	var s string
	if err := f.get(name, &s); err != nil || s == "" {
		return err
	}
	b, err := hexutil.Decode(s)
	if err != nil {
		return invalid(name, err)
	}
	*dst = b
	return nil
}

// parseTopic takes 1–4 bytes of 0x-hex; shorter topics are zero-padded on
// the right, as the reference does.
func parseTopic(s string) (wproto.Topic, error) {
	var t wproto.Topic
	b, err := hexutil.Decode(s)
	if err != nil {
		return t, fmt.Errorf("%w: %v", wproto.ErrInvalidTopic, err)
	}
	if len(b) == 0 || len(b) > wproto.TopicLength {
		return t, fmt.Errorf("%w: %d bytes, want 1 to 4", wproto.ErrInvalidTopic, len(b))
	}
	copy(t[:], b)
	return t, nil
}

func truncate(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
