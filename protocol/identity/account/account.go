package account

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/identity/bip32"
	"github.com/statusnode/statusd/protocol/identity/bip39"
)

// Derivation paths Status used (status-go extkeys: EthEIP1581ChatParentPath
// and EthBIP44ParentPath, child 0).
const (
	ChatKeyPath = "m/43'/60'/1581'/0'/0"
	WalletPath  = "m/44'/60'/0'/0/0"
)

// Keys are the keys of one account. The caller owns them.
type Keys struct {
	Chat          *ecdsa.PrivateKey // identity key on ChatKeyPath
	Wallet        *ecdsa.PrivateKey // default wallet key on WalletPath
	WalletAddress common.Address    // Ethereum address of Wallet
}

// ChatPublicKey returns the chat key in the form Status shows and peers
// address: "0x04…", the uncompressed point in lowercase hex.
func (k Keys) ChatPublicKey() string {
	return fmt.Sprintf("%#x", crypto.FromECDSAPub(&k.Chat.PublicKey))
}

// String prints the public parts only.
func (k Keys) String() string {
	return fmt.Sprintf("account.Keys{chat %s, wallet %s}", k.ChatPublicKey(), k.WalletAddress.Hex())
}

// GoString is String, for %#v.
func (k Keys) GoString() string { return k.String() }

// FromMnemonic derives the account of m with the BIP-39 passphrase ("" as
// Status clients used). It costs one PBKDF2 of 2048 rounds (a few
// milliseconds). Errors come from the seed or, with probability below
// 2^-127, from a derivation step.
func FromMnemonic(m bip39.Mnemonic, passphrase string) (Keys, error) {
	seed, err := m.Seed(passphrase)
	if err != nil {
		return Keys{}, fmt.Errorf("account: %w", err)
	}
	master, err := bip32.NewMaster(seed)
	if err != nil {
		return Keys{}, fmt.Errorf("account: %w", err)
	}
	chat, err := derive(master, ChatKeyPath)
	if err != nil {
		return Keys{}, err
	}
	wallet, err := derive(master, WalletPath)
	if err != nil {
		return Keys{}, err
	}
	return Keys{Chat: chat, Wallet: wallet, WalletAddress: crypto.PubkeyToAddress(wallet.PublicKey)}, nil
}

func derive(master *bip32.Key, path string) (*ecdsa.PrivateKey, error) {
	p, err := bip32.ParsePath(path)
	if err != nil {
		return nil, fmt.Errorf("account: %w", err)
	}
	k, err := master.Derive(p)
	if err != nil {
		return nil, fmt.Errorf("account: %w", err)
	}
	priv, err := k.PrivateKey()
	if err != nil {
		return nil, fmt.Errorf("account: %w", err)
	}
	return priv, nil
}
