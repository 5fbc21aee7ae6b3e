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
// name. Exactly one of symKeyID and privateKeyID is required, and with
// symKeyID at least one topic.
//
// JSON fields:
//
//	symKeyID     string    ID of the symmetric key messages are encrypted with
//	privateKeyID string    ID of the key pair messages are encrypted to
//	sig          hex       only messages signed by this public key (65 bytes)
//	minPow       number    only envelopes with at least this PoW
//	topics       []hex     topics to match, 1 to 4 bytes each (shorter ones are zero-padded)
//	allowP2P     boolean   also match P2P messages (from trusted peers, e.g. mailservers)
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

// NewMessage is shh_post's request (§5.11). Exactly one of symKeyID and
// pubKey is required, and with symKeyID a topic.
//
// JSON fields:
//
//	symKeyID   string   ID of the symmetric key to encrypt with
//	pubKey     hex      public key (65 bytes) to encrypt to
//	sig        string   ID of the key pair to sign with (none: unsigned)
//	ttl        integer  time to live in seconds
//	topic      hex      topic, 1 to 4 bytes (shorter ones are zero-padded)
//	payload    hex      the message
//	padding    hex      padding (none: random padding is added)
//	powTime    integer  seconds allowed for sealing (0: 5 s)
//	powTarget  number   PoW to reach; at least the node's minimum unless targetPeer is set
//	targetPeer string   enode URL of a connected trusted peer to send to directly as a P2P message
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
// not serialised: §9 item 16 reads a "bool" struct tag in the Status fork,
// but status-im/whisper v1.6.2's generated MarshalJSON never emits it and
// go-ethereum has no such field, so both reference nodes answer without it
// (interop/whisper-* compare the JSON field by field).
type Message struct {
	Sig       hexutil.Bytes `json:"sig,omitempty"`                // signer's public key; absent when unsigned
	TTL       uint32        `json:"ttl"`                          // time to live in seconds
	Timestamp uint32        `json:"timestamp"`                    // when the envelope was sealed (Unix seconds)
	Topic     wproto.Topic  `json:"topic"`                        // the envelope topic
	Payload   hexutil.Bytes `json:"payload"`                      // the decrypted message
	Padding   hexutil.Bytes `json:"padding"`                      // the message padding
	PoW       float64       `json:"pow"`                          // the envelope's proof of work
	Hash      hexutil.Bytes `json:"hash"`                         // the envelope hash
	Dst       hexutil.Bytes `json:"recipientPublicKey,omitempty"` // our public key, for asymmetric messages
	P2P       bool          `json:"-"`                            // received as a P2P message (code 127)
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

// Info is shh_info's result (§5.11): the envelope pool's size in bytes
// and in envelopes, the node's minimum PoW and its maximum message size in
// bytes.
type Info struct {
	Memory         int     `json:"memory"`
	Messages       int     `json:"messages"`
	MinPow         float64 `json:"minPow"`
	MaxMessageSize uint32  `json:"maxMessageSize"`
}

func toInfo(i whisper.Info) Info {
	return Info{Memory: i.Memory, Messages: i.Messages, MinPow: i.MinPow, MaxMessageSize: i.MaxMessageSize}
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
