package encryption

import (
	"crypto/ecdsa"

	"github.com/ethereum/go-ethereum/crypto"
)

// X3DH as Status ran it (spec §3.3): no one-time prekeys, no DH4, no HKDF,
// SK = keccak256(DH1 ‖ DH2 ‖ DH3), each DH the 32-byte X coordinate.

// X3DHInitiator computes SK on the sending side from our identity key ik,
// our ephemeral key ek, the peer's identity key and signed prekey.
//
//	DH1 = ECDH(IK_A, SPK_B), DH2 = ECDH(EK_A, IK_B), DH3 = ECDH(EK_A, SPK_B)
func X3DHInitiator(ik, ek *ecdsa.PrivateKey, theirIK, theirSPK *ecdsa.PublicKey) []byte {
	return crypto.Keccak256(ecdh(ik, theirSPK), ecdh(ek, theirIK), ecdh(ek, theirSPK))
}

// X3DHResponder computes the same SK on the receiving side from our signed
// prekey spk, our identity key ik, the sender's identity and ephemeral keys.
//
//	DH1 = ECDH(SPK_B, IK_A), DH2 = ECDH(IK_B, EK_A), DH3 = ECDH(SPK_B, EK_A)
func X3DHResponder(spk, ik *ecdsa.PrivateKey, theirIK, theirEK *ecdsa.PublicKey) []byte {
	return crypto.Keccak256(ecdh(spk, theirIK), ecdh(ik, theirEK), ecdh(spk, theirEK))
}
