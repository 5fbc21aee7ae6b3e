package encryption

import "time"

// Spec constants. Each names the section of docs/PROTOCOL.md it comes from.
const (
	// ProtocolVersion is the protocol_version we advertise in our signed
	// prekeys (§3.9: 1 in 2019).
	ProtocolVersion uint32 = 1

	// MaxInstallations is the number of active installations of one identity
	// messages are encrypted for, ours included (§3.6).
	MaxInstallations = 3

	// BundleRefreshInterval is the age after which our signed prekey is
	// rotated (§2, §3.7; the x5 text said 12 h, the code 24 h).
	BundleRefreshInterval = 24 * time.Hour

	// ExpiredSessionRetention is how long an expired session still decrypts
	// late (mailserver) messages (§3.7).
	ExpiredSessionRetention = 14 * 24 * time.Hour

	// StaleInstallationAge is how long an installation may go unseen in
	// its identity's bundles before it is stale and pruned (§3.7: "devices
	// not seen in a bundle for 7 days"; see PruneInstallations).
	StaleInstallationAge = 7 * 24 * time.Hour

	// MaxSkip is the number of message keys one chain step may skip (§3.4).
	MaxSkip = 1000

	// MaxKeep: received keys with sequence <= count-MaxKeep are deleted (§3.4).
	MaxKeep = 3000

	// MaxMessageKeysPerSession is the FIFO cap on stored keys (§3.4).
	MaxMessageKeysPerSession = 2000

	// NoInstallation is the direct_message key of a DH-only message (§3.5).
	NoInstallation = "none"

	// PartitionsNum is the number of partitioned discovery topics (§4.3).
	PartitionsNum = 5000

	// DiscoveryTopicName is the generic discovery topic name (§4.3).
	DiscoveryTopicName = "contact-discovery"

	// NegotiatedSymKeyIterations is the PBKDF2 count of Whisper's
	// generateSymKeyFromPassword, typo included (§4.2, §9 item 22).
	NegotiatedSymKeyIterations = 65356
)

// The two HKDF info strings of the Double Ratchet crypto (§3.4).
const (
	kdfRootInfo    = "rsZUpEuXUqqwXBvSy3EcievAh4cMj6QL"
	kdfMessageInfo = "pcwSByyx2CRdryCffXJwy7xgVZWtW5Sh"
)

// Sizes of wire values (§0, §3.1, §3.4).
const (
	compressedKeyLen = 33
	secretLen        = 32
	signatureLen     = 65
	drIVLen          = 16
	drMACLen         = 32
	gcmNonceLen      = 12
	gcmTagLen        = 16

	// MaxMessageSize bounds a ProtocolMessage we decode; Whisper's hard
	// cap is 10 MiB (§4.4).
	MaxMessageSize = 10 << 20
)
