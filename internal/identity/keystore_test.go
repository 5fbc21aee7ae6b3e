package identity

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
)

// TestKeyFileFromGeth: files go-ethereum's accounts/keystore writes open
// here, with the key and address it stored; a wrong password is errMAC.
func TestKeyFileFromGeth(t *testing.T) {
	priv, _ := crypto.GenerateKey()
	key := &keystore.Key{Id: uuid.New(), Address: crypto.PubkeyToAddress(priv.PublicKey), PrivateKey: priv}
	data, err := keystore.EncryptKey(key, "pass", keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	got, err := decryptKeyFile(data, "pass")
	if err != nil || !got.Equal(priv) {
		t.Fatalf("geth file: %v", err)
	}
	if _, err := decryptKeyFile(data, "wrong"); !errors.Is(err, errMAC) {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestKeyFileToGeth: files written here open in go-ethereum's
// accounts/keystore, with the same key and address, and carry the v3
// fields and the scrypt cost asked for.
func TestKeyFileToGeth(t *testing.T) {
	priv, _ := crypto.GenerateKey()
	data, err := encryptKeyFile(priv, "pass", lightScryptN, lightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	key, err := keystore.DecryptKey(data, "pass")
	if err != nil || !key.PrivateKey.Equal(priv) || key.Address != crypto.PubkeyToAddress(priv.PublicKey) {
		t.Fatalf("geth cannot open it: %v", err)
	}
	if _, err := keystore.DecryptKey(data, "wrong"); !errors.Is(err, keystore.ErrDecrypt) {
		t.Fatalf("geth with a wrong password: %v", err)
	}
	var f struct {
		Address string `json:"address"`
		ID      string `json:"id"`
		Version int    `json:"version"`
		Crypto  struct {
			KDFParams map[string]any `json:"kdfparams"`
		} `json:"crypto"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f.Version != 3 || f.Address != strings.ToLower(key.Address.Hex()[2:]) || f.ID == "" {
		t.Fatalf("v3 fields: %+v", f)
	}
	p := f.Crypto.KDFParams
	if p["n"] != float64(lightScryptN) || p["p"] != float64(lightScryptP) || p["r"] != float64(scryptR) || p["dklen"] != float64(32) {
		t.Fatalf("kdfparams %v", p)
	}
}

// TestKeyFilePBKDF2: the PBKDF2 variant of v3 (the Web3 Secret Storage
// test vector) opens to its known key.
func TestKeyFilePBKDF2(t *testing.T) {
	const vector = `{"crypto":{"cipher":"aes-128-ctr","cipherparams":{"iv":"6087dab2f9fdbbfaddc31a909735c1e6"},` +
		`"ciphertext":"5318b4d5bcd28de64ee5559e671353e16f075ecae9f99c7a79a38af5f869aa46","kdf":"pbkdf2",` +
		`"kdfparams":{"c":262144,"dklen":32,"prf":"hmac-sha256","salt":"ae3cd4e7013836a3df6bd7241b12db061dbe2c6785853cce422d148a624ce0bd"},` +
		`"mac":"517ead924a9d0dc3124507e3393d175ce3ff7c1e96529c6c555ce9e51205e9b2"},"id":"3198bc9c-6672-5ab3-d995-4942343ae5b6","version":3}`
	priv, err := decryptKeyFile([]byte(vector), "testpassword")
	if err != nil {
		t.Fatal(err)
	}
	if got := hex.EncodeToString(crypto.FromECDSA(priv)); got != "7a28b5ba57c53603b0b07b56bba752f7784bf506fa95edc395f5cf6c7514fe9d" {
		t.Fatalf("key %s", got)
	}
	if _, err := decryptKeyFile([]byte(vector), "nope"); !errors.Is(err, errMAC) {
		t.Fatalf("wrong password: %v", err)
	}
}

// TestKeyFileMalformed: files this package cannot read are errors other
// than errMAC, never a panic.
func TestKeyFileMalformed(t *testing.T) {
	for name, data := range map[string]string{
		"not json":   `{`,
		"version 1":  `{"version":1,"crypto":{"cipher":"aes-128-ctr"}}`,
		"cipher":     `{"version":3,"crypto":{"cipher":"aes-256-gcm"}}`,
		"kdf":        `{"version":3,"crypto":{"cipher":"aes-128-ctr","kdf":"argon2","kdfparams":{},"cipherparams":{"iv":"00000000000000000000000000000000"}}}`,
		"bad hex":    `{"version":3,"crypto":{"cipher":"aes-128-ctr","ciphertext":"zz","kdf":"scrypt"}}`,
		"short iv":   `{"version":3,"crypto":{"cipher":"aes-128-ctr","kdf":"pbkdf2","kdfparams":{"c":1,"dklen":32,"prf":"hmac-sha256","salt":"00"},"cipherparams":{"iv":"00"}}}`,
		"dklen":      `{"version":3,"crypto":{"cipher":"aes-128-ctr","kdf":"scrypt","kdfparams":{"n":2,"r":1,"p":1,"dklen":-1,"salt":"00"},"cipherparams":{"iv":"00000000000000000000000000000000"}}}`,
		"pbkdf2 c":   `{"version":3,"crypto":{"cipher":"aes-128-ctr","kdf":"pbkdf2","kdfparams":{"c":0,"dklen":32,"prf":"hmac-sha256","salt":"00"},"cipherparams":{"iv":"00000000000000000000000000000000"}}}`,
		"scrypt arg": `{"version":3,"crypto":{"cipher":"aes-128-ctr","kdf":"scrypt","kdfparams":{"n":3,"r":8,"p":1,"dklen":32,"salt":"00"},"cipherparams":{"iv":"00000000000000000000000000000000"}}}`,
	} {
		if _, err := decryptKeyFile([]byte(data), "x"); err == nil || errors.Is(err, errMAC) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
