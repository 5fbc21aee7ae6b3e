package encryption

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/crypto"
	dr "github.com/status-im/doubleratchet"
	"golang.org/x/crypto/hkdf"
)

// drCrypto is the secp256k1 dr.Crypto Status configured the library with
// (status-protocol-go EthereumCrypto), docs/PROTOCOL.md §3.4: compressed
// 33-byte keys, ECDH X coordinate, HKDF-SHA256 with the two info strings,
// HMAC-SHA256 chain steps, AES-256-CTR + HMAC-SHA256 message encryption.
// Randomness (ratchet key pairs only) comes from rand.
type drCrypto struct {
	rand io.Reader
}

var _ dr.Crypto = drCrypto{}

// keyPair is a secp256k1 dr.DHPair: 32-byte scalar, 33-byte compressed key.
type keyPair struct {
	priv, pub dr.Key
}

func (p keyPair) PrivateKey() dr.Key { return p.priv }
func (p keyPair) PublicKey() dr.Key  { return p.pub }

// GenerateDH implements dr.Crypto.
func (c drCrypto) GenerateDH() (dr.DHPair, error) {
	k, err := generateKey(c.rand)
	if err != nil {
		return nil, err
	}
	return keyPair{priv: crypto.FromECDSA(k), pub: compress(&k.PublicKey)}, nil
}

// DH implements dr.Crypto.
func (c drCrypto) DH(pair dr.DHPair, pub dr.Key) (dr.Key, error) {
	priv, err := privFromBytes(pair.PrivateKey())
	if err != nil {
		return nil, err
	}
	p, err := decompress(pub)
	if err != nil {
		return nil, err
	}
	return ecdh(priv, p), nil
}

// KdfRK implements dr.Crypto: HKDF(IKM=dh, salt=rk, info) → root, chain,
// header key.
func (c drCrypto) KdfRK(rk, dhOut dr.Key) (dr.Key, dr.Key, dr.Key) {
	buf := make([]byte, 96)
	_, _ = io.ReadFull(hkdf.New(sha256.New, dhOut, rk, []byte(kdfRootInfo)), buf)
	return dr.Key(buf[0:32:32]), dr.Key(buf[32:64:64]), dr.Key(buf[64:96:96])
}

// KdfCK implements dr.Crypto: CK' = HMAC(ck, 0x0f), MK = HMAC(ck, 0x10).
func (c drCrypto) KdfCK(ck dr.Key) (dr.Key, dr.Key) {
	h := hmac.New(sha256.New, ck)
	h.Write([]byte{0x0f})
	next := h.Sum(nil)
	h.Reset()
	h.Write([]byte{0x10})
	return next, h.Sum(nil)
}

// messageKeys expands a message key into encryption key, auth key and IV.
func messageKeys(mk []byte) (enc, auth, iv []byte) {
	buf := make([]byte, 80)
	_, _ = io.ReadFull(hkdf.New(sha256.New, mk, make([]byte, 32), []byte(kdfMessageInfo)), buf)
	return buf[0:32], buf[32:64], buf[64:80]
}

func drMAC(auth, ad, ivAndCT []byte) []byte {
	h := hmac.New(sha256.New, auth)
	h.Write(ad)
	h.Write(ivAndCT)
	return h.Sum(nil)
}

// Encrypt implements dr.Crypto: IV ‖ AES-256-CTR(pt) ‖ HMAC(auth, ad‖IV‖ct).
func (c drCrypto) Encrypt(mk dr.Key, plaintext, ad []byte) ([]byte, error) {
	enc, auth, iv := messageKeys(mk)
	out := make([]byte, drIVLen+len(plaintext), drIVLen+len(plaintext)+drMACLen)
	copy(out, iv)
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	cipher.NewCTR(block, iv).XORKeyStream(out[drIVLen:], plaintext)
	return append(out, drMAC(auth, ad, out)...), nil
}

// Decrypt implements dr.Crypto. It checks the length and the HMAC (in
// constant time) before decrypting; the IV is taken from the message.
func (c drCrypto) Decrypt(mk dr.Key, data, ad []byte) ([]byte, error) {
	if len(data) < drIVLen+drMACLen {
		return nil, fmt.Errorf("%w: DR payload of %d bytes", ErrMalformed, len(data))
	}
	body, mac := data[:len(data)-drMACLen], data[len(data)-drMACLen:]
	enc, auth, _ := messageKeys(mk)
	if !hmac.Equal(mac, drMAC(auth, ad, body)) {
		return nil, fmt.Errorf("%w: bad MAC", ErrDecrypt)
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	pt := make([]byte, len(body)-drIVLen)
	cipher.NewCTR(block, body[:drIVLen]).XORKeyStream(pt, body[drIVLen:])
	return pt, nil
}
