package account

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"

	"github.com/statusnode/statusd/protocol/identity/bip39"
)

// vector is one entry of testdata/status-go-v0.35.1.json, computed by
// status-go v0.35.1's extkeys (Mnemonic.MnemonicSeed, NewMaster,
// EthEIP1581ChatChild(0), EthBIP44Child(0)). The TREZOR entry for
// "abandon … about" also matches status-go's account/generator test
// (master key and BIP-44 key 0).
type vector struct {
	Phrase        string `json:"phrase"`
	Passphrase    string `json:"passphrase"`
	Seed          string `json:"seed"`
	ChatPrivate   string `json:"chatPrivateKey"`
	ChatPublic    string `json:"chatPublicKey"`
	WalletPrivate string `json:"walletPrivateKey"`
	WalletAddress string `json:"walletAddress"`
}

func loadVectors(t *testing.T) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/status-go-v0.35.1.json")
	if err != nil {
		t.Fatal(err)
	}
	var vs []vector
	if err := json.Unmarshal(data, &vs); err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestStatusGoVectors(t *testing.T) {
	vs := loadVectors(t)
	var withPass, without int
	for _, v := range vs {
		m, err := bip39.Parse(v.Phrase)
		if err != nil {
			t.Fatal(err)
		}
		seed, err := m.Seed(v.Passphrase)
		if err != nil || hex.EncodeToString(seed) != v.Seed {
			t.Errorf("seed of %.20q…/%q: %x %v", v.Phrase, v.Passphrase, seed, err)
		}
		k, err := FromMnemonic(m, v.Passphrase)
		if err != nil {
			t.Fatal(err)
		}
		if got := hex.EncodeToString(crypto.FromECDSA(k.Chat)); got != v.ChatPrivate {
			t.Errorf("chat key of %.20q…/%q = %s, want %s", v.Phrase, v.Passphrase, got, v.ChatPrivate)
		}
		if k.ChatPublicKey() != v.ChatPublic {
			t.Errorf("chat public key of %.20q… = %s", v.Phrase, k.ChatPublicKey())
		}
		if got := hex.EncodeToString(crypto.FromECDSA(k.Wallet)); got != v.WalletPrivate {
			t.Errorf("wallet key of %.20q… = %s", v.Phrase, got)
		}
		if k.WalletAddress.Hex() != v.WalletAddress {
			t.Errorf("wallet address of %.20q…/%q = %s, want %s", v.Phrase, v.Passphrase, k.WalletAddress.Hex(), v.WalletAddress)
		}
		if v.Passphrase == "" {
			without++
		} else {
			withPass++
		}
	}
	if without < 3 || withPass < 2 {
		t.Fatalf("vectors: %d without passphrase, %d with", without, withPass)
	}
}

// TestPassphraseMatters: the same phrase with and without a passphrase is a
// different account (a user who set one must give it again).
func TestPassphraseMatters(t *testing.T) {
	m, _ := bip39.Parse("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	a, _ := FromMnemonic(m, "")
	b, _ := FromMnemonic(m, "TREZOR")
	if a.ChatPublicKey() == b.ChatPublicKey() || a.WalletAddress == b.WalletAddress {
		t.Fatal("passphrase ignored")
	}
}

func TestKeysPrintPublicPartsOnly(t *testing.T) {
	v := loadVectors(t)[0]
	m, _ := bip39.Parse(v.Phrase)
	k, err := FromMnemonic(m, "")
	if err != nil {
		t.Fatal(err)
	}
	s := fmt.Sprintf("%v %+v %#v %s", k, k, k, k)
	if strings.Contains(s, v.ChatPrivate) || strings.Contains(s, v.WalletPrivate) || !strings.Contains(s, v.ChatPublic) {
		t.Fatalf("printed: %s", s)
	}
}
