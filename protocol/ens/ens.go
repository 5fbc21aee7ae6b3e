// Package ens holds the pure parts of checking an ENS name's public key
// as status-go v0.35.1's shhext_verifyENSNames did: the EIP-137 namehash
// of a name, the call data of the registry's resolver(bytes32) and of the
// resolver's pubkey(bytes32) (EIP-619), and the decoding of their answers.
// It does no I/O; internal/ens sends the calls.
package ens

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// MainnetRegistry is the ENS registry status-go v0.35.1 named for mainnet
// (services/shhext: ensContractAddress), the original registry contract.
var MainnetRegistry = common.HexToAddress("0x314159265dd8dbb310642f98f50c066173c1259b")

// Function selectors: the first four bytes of keccak256 of each
// signature.
var (
	selectorResolver = [4]byte{0x01, 0x78, 0xb8, 0xbf} // resolver(bytes32)
	selectorPubkey   = [4]byte{0xc8, 0x69, 0x02, 0x33} // pubkey(bytes32)
)

// Errors of decoding and of a name without a record.
var (
	ErrNoResolver = errors.New("ens: name has no resolver")
	ErrNoPubkey   = errors.New("ens: resolver holds no public key for the name")
	ErrShort      = errors.New("ens: answer too short")
	ErrEmptyName  = errors.New("ens: empty name or label")
)

// Namehash is EIP-137's namehash of name: the zero node for "", otherwise
// keccak256(namehash(parent) ‖ keccak256(label)) from the last label to
// the first. Labels are lowercased (the ASCII part of UTS-46
// normalisation, which is all status-go's names use); an empty label
// ("a..b", a leading or trailing dot) is ErrEmptyName.
func Namehash(name string) ([32]byte, error) {
	var node [32]byte
	if name == "" {
		return node, nil
	}
	labels := strings.Split(strings.ToLower(name), ".")
	for i := len(labels) - 1; i >= 0; i-- {
		if labels[i] == "" {
			return [32]byte{}, fmt.Errorf("%w: %q", ErrEmptyName, name)
		}
		copy(node[:], crypto.Keccak256(node[:], crypto.Keccak256([]byte(labels[i]))))
	}
	return node, nil
}

// ResolverCall is the call data of the registry's resolver(node).
func ResolverCall(node [32]byte) []byte { return append(selectorResolver[:], node[:]...) }

// PubkeyCall is the call data of a resolver's pubkey(node).
func PubkeyCall(node [32]byte) []byte { return append(selectorPubkey[:], node[:]...) }

// DecodeResolver reads resolver(node)'s answer, one ABI word holding an
// address. The zero address is ErrNoResolver.
func DecodeResolver(ret []byte) (common.Address, error) {
	if len(ret) < 32 {
		return common.Address{}, fmt.Errorf("%w: %d bytes for an address", ErrShort, len(ret))
	}
	a := common.BytesToAddress(ret[12:32])
	if a == (common.Address{}) {
		return a, ErrNoResolver
	}
	return a, nil
}

// DecodePubkey reads pubkey(node)'s answer, the words x and y, as the
// 65-byte uncompressed key 0x04 ‖ x ‖ y. Both zero is ErrNoPubkey. The
// key is not checked to be on the curve; compare it with the expected one.
func DecodePubkey(ret []byte) ([]byte, error) {
	if len(ret) < 64 {
		return nil, fmt.Errorf("%w: %d bytes for a public key", ErrShort, len(ret))
	}
	if allZero(ret[:64]) {
		return nil, ErrNoPubkey
	}
	return append([]byte{0x04}, ret[:64]...), nil
}

func allZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
