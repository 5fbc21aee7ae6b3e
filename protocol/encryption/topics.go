package encryption

//lint:file-ignore SA1019 ecdsa keys here are secp256k1, which crypto/ecdh and the ecdsa Bytes/Parse APIs do not support: the big.Int coordinates X, Y and D are the only access to them.

import (
	"crypto/ecdsa"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"

	"github.com/ethereum/go-ethereum/crypto"
)

// Topic is a 4-byte Whisper topic.
type Topic [4]byte

// String is the 0x-prefixed hex form.
func (t Topic) String() string { return "0x" + hex.EncodeToString(t[:]) }

// TopicFromName is keccak256(UTF-8 name)[0:4] (spec §4.1).
func TopicFromName(name string) Topic {
	var t Topic
	copy(t[:], crypto.Keccak256([]byte(name)))
	return t
}

// SymKeyFromName is Whisper's generateSymKeyFromPassword: PBKDF2-HMAC-SHA256
// of the name, empty salt, 65356 iterations, 32 bytes (spec §4.2).
func SymKeyFromName(name string) ([]byte, error) {
	k, err := pbkdf2.Key(sha256.New, name, nil, NegotiatedSymKeyIterations, 32)
	if err != nil {
		return nil, fmt.Errorf("encryption: pbkdf2: %w", err)
	}
	return k, nil
}

func pub65Hex(k *ecdsa.PublicKey) string { return hex.EncodeToString(crypto.FromECDSAPub(k)) }

// ContactCodeTopicName is "0x" + hex(pub65) + "-contact-code" (spec §2, §4.3).
func ContactCodeTopicName(k *ecdsa.PublicKey) string { return "0x" + pub65Hex(k) + "-contact-code" }

// PersonalDiscoveryTopicName is "contact-discovery-" + hex(pub65) (spec §4.3).
func PersonalDiscoveryTopicName(k *ecdsa.PublicKey) string {
	return DiscoveryTopicName + "-" + pub65Hex(k)
}

// PartitionedTopicName is "contact-discovery-" + decimal(X mod 5000) of the
// recipient's key (spec §4.3).
func PartitionedTopicName(k *ecdsa.PublicKey) string {
	p := new(big.Int).Mod(k.X, big.NewInt(PartitionsNum))
	return DiscoveryTopicName + "-" + strconv.FormatInt(p.Int64(), 10)
}

// DiscoveryTopic is the generic discovery topic 0xf8946aac (spec §4.3).
func DiscoveryTopic() Topic { return TopicFromName(DiscoveryTopicName) }

// NegotiatedSecret is ECDH(IK_me, IK_peer), static (spec §3.8).
func NegotiatedSecret(me *ecdsa.PrivateKey, peer *ecdsa.PublicKey) []byte { return ecdh(me, peer) }

// NegotiatedTopicName is the lowercase hex of the secret, no 0x (spec §3.8);
// its topic and symmetric key derive like a public chat of that name.
func NegotiatedTopicName(secret []byte) string { return hex.EncodeToString(secret) }

// NegotiatedChatID is the local chat ID "0x" + hex(peer pub65) + "-negotiated".
func NegotiatedChatID(peer *ecdsa.PublicKey) string { return "0x" + pub65Hex(peer) + "-negotiated" }

// TopicKind says how an outgoing 1:1 message is routed (spec §4.3).
type TopicKind uint8

// Topic kinds, append-only.
const (
	TopicDiscovery   TopicKind = iota // generic discovery, asymmetric
	TopicPartitioned                  // recipient's partition, asymmetric
	TopicNegotiated                   // negotiated secret, symmetric
)

func (k TopicKind) String() string {
	switch k {
	case TopicDiscovery:
		return "discovery"
	case TopicPartitioned:
		return "partitioned"
	case TopicNegotiated:
		return "negotiated"
	}
	return "TopicKind(" + strconv.Itoa(int(k)) + ")"
}

// Route is the topic choice for one outgoing direct message. For
// TopicNegotiated, Name is the topic name (hex secret) whose PBKDF2 key
// encrypts the envelope; otherwise the envelope is asymmetric to the
// recipient's identity key.
//
// Also lists further routes on which the same payload is posted: a cold
// first message (no bundle of the peer known) goes to the recipient's
// partitioned topic, where status-protocol-go listens, and also to the
// generic discovery topic, where 2019 clients that did not yet listen on
// their partition did (docs/PROTOCOL.md §4.3).
type Route struct {
	Kind  TopicKind
	Name  string
	Topic Topic
	Also  []Route
}
