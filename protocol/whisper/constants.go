package whisper

import (
	"errors"
	"time"
)

// Protocol identity (docs/PROTOCOL.md §5.1, §4.7).
const (
	// ProtocolName is the devp2p capability name (§4.7).
	ProtocolName = "shh"
	// ProtocolVersion is the only Whisper version we speak; a Status packet
	// with another version disconnects the peer (§5.2).
	ProtocolVersion uint64 = 6
	// ProtocolVersionString is what shh_version returns (§5.11).
	ProtocolVersionString = "6.0"
	// NumberOfMessageCodes is the size of the capability's code space (§5.1).
	NumberOfMessageCodes = 128
)

// PacketCode is a Whisper message code inside the shh capability (§5.1).
// The list is append-only; unknown codes must be ignored by readers.
type PacketCode uint64

// Packet codes (§5.1). Codes 11, 12, 20, 123 and 124 are Status fork
// extensions; 125–127 are the mailserver (P2P) codes of §4.5.
const (
	StatusCode             PacketCode = 0   // §5.2 handshake
	MessagesCode           PacketCode = 1   // list of envelopes
	PowRequirementCode     PacketCode = 2   // float64 bits as uint64
	BloomFilterExCode      PacketCode = 3   // 64-byte bloom
	BatchAcknowledgedCode  PacketCode = 11  // Status: keccak of the batch (§4.6)
	MessageResponseCode    PacketCode = 12  // Status: [version, response] (§4.6)
	RateLimitingCode       PacketCode = 20  // Status, late 2019 (§4.6)
	P2PSyncRequestCode     PacketCode = 123 // Status mailserver sync (§4.5)
	P2PSyncResponseCode    PacketCode = 124 // Status mailserver sync (§4.5)
	P2PRequestCompleteCode PacketCode = 125 // RLP byte string (§4.5)
	P2PRequestCode         PacketCode = 126 // one envelope or MessagesRequest (§4.5)
	P2PMessageCode         PacketCode = 127 // one envelope or a list (§4.5)
)

var packetCodeNames = map[PacketCode]string{
	StatusCode:             "Status",
	MessagesCode:           "Messages",
	PowRequirementCode:     "PoWRequirement",
	BloomFilterExCode:      "BloomFilter",
	BatchAcknowledgedCode:  "BatchAcknowledged",
	MessageResponseCode:    "MessageResponse",
	RateLimitingCode:       "RateLimits",
	P2PSyncRequestCode:     "P2PSyncRequest",
	P2PSyncResponseCode:    "P2PSyncResponse",
	P2PRequestCompleteCode: "P2PRequestComplete",
	P2PRequestCode:         "P2PRequest",
	P2PMessageCode:         "P2PMessage",
}

// String returns the §5.1 name of the code, or "Unknown(n)".
func (c PacketCode) String() string {
	if s, ok := packetCodeNames[c]; ok {
		return s
	}
	return "Unknown(" + itoa(uint64(c)) + ")"
}

func itoa(v uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			return string(b[i:])
		}
	}
}

// Message plaintext layout (§5.5).
const (
	// FlagsLength is the size of the leading flags byte.
	FlagsLength = 1
	// SizeMask selects the flag bits holding the payload-size field length.
	SizeMask byte = 0x03
	// SignatureFlag marks a signed message (bit 2).
	SignatureFlag byte = 0x04
	// MaxPayloadSizeFieldLength is the longest size field the two flag bits
	// can describe (§5.5 says 1–4; only 1–3 fit in SizeMask, see doc.go).
	MaxPayloadSizeFieldLength = 3
	// MaxPayloadSize is the largest payload a 3-byte size field can hold.
	MaxPayloadSize = 1<<24 - 1
	// SignatureLength is R‖S‖V with V ∈ {0,1} (§0, §5.5).
	SignatureLength = 65
	// PaddingSizeLimit is the block the plaintext is padded to (§5.5).
	PaddingSizeLimit = 256
)

// Envelope and topic sizes (§5.3, §5.7, §4.1).
const (
	// TopicLength is the size of a topic (§4.1).
	TopicLength = 4
	// BloomFilterSize is the bloom size in bytes: 512 bits (§5.7).
	BloomFilterSize = 64
	// EnvelopeHeaderLength is the fixed part of size() = 20 + len(Data) (§5.3).
	EnvelopeHeaderLength = 20
	// MaxMessageSize is the hard cap on the max message size: 10 MiB (§4.4, §5.11).
	MaxMessageSize uint32 = 10 * 1024 * 1024
	// DefaultMaxMessageSize is the default max message size: 1 MiB (§4.4).
	DefaultMaxMessageSize uint32 = 1024 * 1024
)

// Encryption (§5.6) and key derivation (§4.2, §5.9).
const (
	// AESKeyLength is the AES-256-GCM key size (§5.6).
	AESKeyLength = 32
	// AESNonceLength is the GCM nonce ("salt") appended to Data (§5.6).
	AESNonceLength = 12
	// AESTagLength is the GCM authentication tag size (§5.6).
	AESTagLength = 16
	// ECIESOverhead is R(65) + IV(16) + HMAC tag(32) (§5.6).
	ECIESOverhead = 65 + 16 + 32
	// SymKeyPBKDF2Iterations is the PBKDF2 round count for keys from
	// passwords: 65356, not 65536 (§4.2, §9 item 22).
	SymKeyPBKDF2Iterations = 65356
	// KeyIDPBKDF2Iterations is the PBKDF2 round count of deterministic key IDs (§5.9).
	KeyIDPBKDF2Iterations = 4096
	// KeyIDSize is the byte length of a key ID (64 hex chars) (§5.9).
	KeyIDSize = 32
	// PublicKeyLength is an uncompressed secp256k1 key 0x04‖X‖Y (§0).
	PublicKeyLength = 65
)

// PoW, TTL and timing (§4.4, §5.4, §5.8, §5.11).
const (
	// DefaultMinimumPoW is the Whisper default node minimum (§4.4).
	DefaultMinimumPoW = 0.2
	// StatusMinimumPoW is the node minimum Status configures (§4.4).
	StatusMinimumPoW = 0.001
	// StatusPoWTarget is the sealing target Status uses (§4.4).
	StatusPoWTarget = 0.002
	// DefaultTTL replaces a zero TTL in shh_post (§5.11).
	DefaultTTL uint32 = 50
	// StatusTTL is the TTL status-protocol-go uses; status-go v0.30 used 10 (§4.4).
	StatusTTL uint32 = 15
	// DefaultSyncAllowance is how far in the future an envelope's sent time
	// may be before it is rejected (seconds, §5.4, §5.8).
	DefaultSyncAllowance uint32 = 10
	// VeryOldAllowance is how long after Expiry an envelope is silently
	// dropped rather than reported as "very old" (seconds, §5.8).
	VeryOldAllowance uint32 = 20
	// ExpirationCycle is the envelope-pool expiry sweep period (§5.8).
	ExpirationCycle = time.Second
	// TransmissionCycle is the per-peer broadcast period (§5.8).
	TransmissionCycle = 300 * time.Millisecond
)

// Message confirmation codes of the Status fork (§4.6).
const (
	// ConfirmationTimeSyncError: envelope too old or from the future.
	ConfirmationTimeSyncError uint = 1
	// ConfirmationOtherError: any other rejection.
	ConfirmationOtherError uint = 2
)

// Sentinel errors. Functions wrap them with %w and extra context; compare
// with errors.Is, never by string.
var (
	// Envelope decoding and limits.
	ErrEnvelopeTooLarge  = errors.New("whisper: envelope too large")
	ErrEnvelopeMalformed = errors.New("whisper: malformed envelope")

	// Time and PoW.
	ErrEnvelopeFromFuture = errors.New("whisper: envelope from future")
	ErrEnvelopeExpired    = errors.New("whisper: envelope expired")
	ErrEnvelopeVeryOld    = errors.New("whisper: very old envelope")
	ErrPoWTooLow          = errors.New("whisper: envelope PoW too low")
	ErrBloomMismatch      = errors.New("whisper: envelope does not match bloom filter")
	ErrPoWTargetMissed    = errors.New("whisper: PoW target not reached")
	ErrInvalidPoW         = errors.New("whisper: invalid PoW value")

	// Message building.
	ErrPayloadTooLarge   = errors.New("whisper: payload too large")
	ErrNoKey             = errors.New("whisper: neither symmetric key nor public key given")
	ErrBothKeys          = errors.New("whisper: both symmetric key and public key given")
	ErrInvalidSymKey     = errors.New("whisper: invalid symmetric key")
	ErrInvalidPublicKey  = errors.New("whisper: invalid public key")
	ErrInvalidPrivateKey = errors.New("whisper: invalid private key")
	ErrRandom            = errors.New("whisper: random source failed")
	ErrSign              = errors.New("whisper: signing failed")
	ErrEncrypt           = errors.New("whisper: encryption failed")

	// Message opening.
	ErrDecrypt          = errors.New("whisper: decryption failed")
	ErrMessageMalformed = errors.New("whisper: malformed message")
	ErrInvalidSignature = errors.New("whisper: invalid signature")

	// Topics, blooms and keys.
	ErrInvalidTopic  = errors.New("whisper: invalid topic")
	ErrInvalidBloom  = errors.New("whisper: invalid bloom filter")
	ErrKeyDerivation = errors.New("whisper: key derivation failed")
)
