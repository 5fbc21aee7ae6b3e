package message

import (
	"crypto/ecdsa"
	"encoding/hex"
	"strconv"

	"github.com/ethereum/go-ethereum/crypto"
)

// ID returns the message ID of §1.10: "0x" + hex(keccak256(author's 65-byte
// uncompressed key ‖ payload)). payload is the bytes as received after
// Whisper and encryption: when a StatusProtocolMessage wrapper was present,
// the whole wrapper bytes and the recovered author (status-protocol-go
// HandleApplicationMetadata); otherwise the bare payload and the Whisper
// signer. status-react computes the same value (sha3 over the hex forms).
func ID(author *ecdsa.PublicKey, payload []byte) string {
	h := crypto.NewKeccakState()
	h.Write(crypto.FromECDSAPub(author))
	h.Write(payload)
	var sum [32]byte
	h.Read(sum[:])
	return "0x" + hex.EncodeToString(sum[:])
}

// SystemMessageID is status-react's ID for local system messages:
// keccak256 of the strings from ‖ chatID ‖ decimal clock (§1.10).
func SystemMessageID(from, chatID string, clock int64) string {
	sum := crypto.Keccak256([]byte(from + chatID + strconv.FormatInt(clock, 10)))
	return "0x" + hex.EncodeToString(sum)
}
