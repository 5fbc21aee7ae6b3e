package datasync

// Wire and protocol constants. Each names the section of docs/PROTOCOL.md it
// comes from.

const (
	// IDLength is the size of a message ID and of a group ID (§6.1, §6.2).
	IDLength = 32

	// PeerIDLength is the size of a peer ID, an uncompressed secp256k1
	// public key 0x04‖X‖Y (§6.2, §0).
	PeerIDLength = 65

	// CompressedKeyLength is the size of a compressed secp256k1 public key,
	// as hashed into a 1:1 group ID (§6.2).
	CompressedKeyLength = 33

	// messageIDPrefix is hashed in front of every message ID (§6.2).
	messageIDPrefix = "MESSAGE_ID"
)

// Protobuf field numbers of the 2019 Status numbering (§6.1, §9 item 3).
const (
	fieldAcks     = 5001
	fieldOffers   = 5002
	fieldRequests = 5003
	fieldMessages = 5004

	fieldGroupID   = 6001
	fieldTimestamp = 6002
	fieldBody      = 6003
)

// StatusTickMillis is the tick period Status used for MVDS (§6.3). The node
// itself never reads a clock; the driver calls Tick at this period.
const StatusTickMillis = 300
