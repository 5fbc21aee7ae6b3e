package identity

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
)

// The account key file is a Web3 Secret Storage v3 file, the format
// go-ethereum's accounts/keystore reads and writes
// (https://ethereum.org/developers/docs/data-structures-and-encoding/web3-secret-storage/):
// the 32-byte secp256k1 key encrypted with AES-128-CTR under the first half
// of a key derived from the password (scrypt, or PBKDF2-HMAC-SHA256 in
// files other tools wrote), and authenticated by
// keccak256(derived[16:32] ‖ ciphertext). It is implemented here rather
// than imported, since go-ethereum's package links its whole transaction
// and KZG stack into the binary.

// scrypt costs of new key files: go-ethereum's standard and light settings,
// so that files written here cost the same to open as geth's.
const (
	standardScryptN = 1 << 18
	standardScryptP = 1
	lightScryptN    = 1 << 12
	lightScryptP    = 6
	scryptR         = 8
	scryptDKLen     = 32
	keystoreVersion = 3
)

// keyFileJSON is the v3 file; kdfparams stays raw until the kdf is known.
type keyFileJSON struct {
	Address string      `json:"address"`
	Crypto  cryptoJSON  `json:"crypto"`
	ID      string      `json:"id"`
	Version json.Number `json:"version"`
}

type cryptoJSON struct {
	Cipher       string          `json:"cipher"`
	CipherText   string          `json:"ciphertext"`
	CipherParams cipherParams    `json:"cipherparams"`
	KDF          string          `json:"kdf"`
	KDFParams    json.RawMessage `json:"kdfparams"`
	MAC          string          `json:"mac"`
}

type cipherParams struct {
	IV string `json:"iv"`
}

// kdfParams holds the fields of both KDFs; scrypt uses n, r, p, pbkdf2 c
// and prf.
type kdfParams struct {
	DKLen int    `json:"dklen"`
	Salt  string `json:"salt"`
	N     int    `json:"n,omitempty"`
	R     int    `json:"r,omitempty"`
	P     int    `json:"p,omitempty"`
	C     int    `json:"c,omitempty"`
	PRF   string `json:"prf,omitempty"`
}

// errMAC is the MAC mismatch: a wrong password (or a tampered file).
var errMAC = errors.New("identity: key file MAC mismatch")

// encryptKeyFile returns the v3 file of priv under password, with a fresh
// random salt, IV and id, and scrypt cost n, p.
func encryptKeyFile(priv *ecdsa.PrivateKey, password string, n, p int) ([]byte, error) {
	id, err := uuid.NewRandom()
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	salt := make([]byte, 32)
	iv := make([]byte, aes.BlockSize)
	if _, err := rand.Read(salt); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	if _, err := rand.Read(iv); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	derived, err := scryptKey([]byte(password), salt, n, scryptR, p, scryptDKLen)
	if err != nil {
		return nil, err
	}
	defer clear(derived)
	plain := crypto.FromECDSA(priv)
	defer clear(plain)
	ct, err := aesCTR(derived[:16], iv, plain)
	if err != nil {
		return nil, err
	}
	params, err := json.Marshal(kdfParams{DKLen: scryptDKLen, Salt: hex.EncodeToString(salt), N: n, R: scryptR, P: p})
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	return json.Marshal(keyFileJSON{
		Address: hex.EncodeToString(crypto.PubkeyToAddress(priv.PublicKey).Bytes()),
		Crypto: cryptoJSON{
			Cipher:       "aes-128-ctr",
			CipherText:   hex.EncodeToString(ct),
			CipherParams: cipherParams{IV: hex.EncodeToString(iv)},
			KDF:          "scrypt",
			KDFParams:    params,
			MAC:          hex.EncodeToString(crypto.Keccak256(derived[16:32], ct)),
		},
		ID:      id.String(),
		Version: json.Number(fmt.Sprint(keystoreVersion)),
	})
}

// decryptKeyFile opens a v3 key file with password. A wrong password
// yields errMAC; any other error means the file is malformed or uses a
// cipher or KDF this package does not read.
func decryptKeyFile(data []byte, password string) (*ecdsa.PrivateKey, error) {
	var f keyFileJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("identity: key file: %w", err)
	}
	if v, err := f.Version.Int64(); err != nil || v != keystoreVersion {
		return nil, fmt.Errorf("identity: key file version %q, want %d", f.Version, keystoreVersion)
	}
	if f.Crypto.Cipher != "aes-128-ctr" {
		return nil, fmt.Errorf("identity: key file cipher %q", f.Crypto.Cipher)
	}
	ct, err1 := hex.DecodeString(f.Crypto.CipherText)
	iv, err2 := hex.DecodeString(f.Crypto.CipherParams.IV)
	mac, err3 := hex.DecodeString(f.Crypto.MAC)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, fmt.Errorf("identity: key file hex: %w", err)
	}
	derived, err := deriveFileKey(f.Crypto.KDF, f.Crypto.KDFParams, password)
	if err != nil {
		return nil, err
	}
	defer clear(derived)
	if len(iv) != aes.BlockSize {
		return nil, fmt.Errorf("identity: key file IV of %d bytes", len(iv))
	}
	if subtle.ConstantTimeCompare(crypto.Keccak256(derived[16:32], ct), mac) != 1 {
		return nil, errMAC
	}
	plain, err := aesCTR(derived[:16], iv, ct)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	priv, err := crypto.ToECDSA(plain)
	if err != nil {
		return nil, fmt.Errorf("identity: key file key: %w", err)
	}
	return priv, nil
}

// deriveFileKey runs the file's KDF on password.
func deriveFileKey(kdf string, raw json.RawMessage, password string) ([]byte, error) {
	var p kdfParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("identity: key file kdfparams: %w", err)
	}
	salt, err := hex.DecodeString(p.Salt)
	if err != nil {
		return nil, fmt.Errorf("identity: key file salt: %w", err)
	}
	if p.DKLen < 32 || p.DKLen > 1024 {
		return nil, fmt.Errorf("identity: key file dklen %d", p.DKLen)
	}
	switch kdf {
	case "scrypt":
		return scryptKey([]byte(password), salt, p.N, p.R, p.P, p.DKLen)
	case "pbkdf2":
		if p.PRF != "hmac-sha256" || p.C < 1 {
			return nil, fmt.Errorf("identity: key file prf %q, c %d", p.PRF, p.C)
		}
		k, err := pbkdf2.Key(sha256.New, password, salt, p.C, p.DKLen)
		if err != nil {
			return nil, fmt.Errorf("identity: pbkdf2: %w", err)
		}
		return k, nil
	default:
		return nil, fmt.Errorf("identity: key file kdf %q", kdf)
	}
}

func aesCTR(key, iv, in []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	out := make([]byte, len(in))
	cipher.NewCTR(block, iv).XORKeyStream(out, in)
	return out, nil
}
