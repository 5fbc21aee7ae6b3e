package encryption

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	dr "github.com/status-im/doubleratchet"
)

type vectorFile struct {
	AlicePriv       string `json:"alice_priv"`
	AlicePub        string `json:"alice_pub"`
	AliceCompressed string `json:"alice_compressed"`
	BobPriv         string `json:"bob_priv"`
	BobPub          string `json:"bob_pub"`
	BobCompressed   string `json:"bob_compressed"`
	Bundle          struct {
		Installation string `json:"installation"`
		SPKPriv      string `json:"spk_priv"`
		SPK          string `json:"spk"`
		Version      uint32 `json:"version"`
		Timestamp    int64  `json:"timestamp"`
		Material     string `json:"material"`
		Keccak       string `json:"keccak"`
		Signature    string `json:"signature"`
	} `json:"bundle"`
	X3DH struct {
		EKPriv string `json:"ek_priv"`
		EK     string `json:"ek"`
		DH1    string `json:"dh1"`
		DH2    string `json:"dh2"`
		DH3    string `json:"dh3"`
		SK     string `json:"sk"`
	} `json:"x3dh"`
	DR struct {
		RatchetPriv string `json:"ratchet_priv"`
		RatchetPub  string `json:"ratchet_pub"`
		DH          string `json:"dh"`
		Root        string `json:"root"`
		CKs         string `json:"cks"`
		MK          string `json:"mk"`
		Enc         string `json:"enc"`
		Auth        string `json:"auth"`
		IV          string `json:"iv"`
		Plaintext   string `json:"plaintext"`
		Ciphertext  string `json:"ciphertext"`
	} `json:"dr"`
	Negotiated struct {
		Secret string `json:"secret"`
		Topic  string `json:"topic"`
		SymKey string `json:"sym_key"`
	} `json:"negotiated"`
	Topics []struct {
		Name  string `json:"name"`
		Topic string `json:"topic"`
	} `json:"topics"`
	Alice struct {
		ContactCode       string `json:"contact_code"`
		PartitionName     string `json:"partition_name"`
		Partitioned       string `json:"partitioned"`
		PersonalDiscovery string `json:"personal_discovery"`
	} `json:"alice_topics"`
	Wire struct {
		InstallationID string `json:"installation_id"`
		PublicMessage  string `json:"public_message"`
		Bytes          string `json:"bytes"`
	} `json:"wire_example"`
}

func loadVectors(t testing.TB) *vectorFile {
	t.Helper()
	raw, err := os.ReadFile("testdata/vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	v := new(vectorFile)
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatal(err)
	}
	return v
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func privKey(t testing.TB, s string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.HexToECDSA(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func eqHex(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	if hex.EncodeToString(got) != want {
		t.Errorf("%s = %x, want %s", what, got, want)
	}
}

func TestVectorKeys(t *testing.T) {
	v := loadVectors(t)
	eqHex(t, "alice pub", crypto.FromECDSAPub(&privKey(t, v.AlicePriv).PublicKey), v.AlicePub)
	eqHex(t, "alice compressed", compress(&privKey(t, v.AlicePriv).PublicKey), v.AliceCompressed)
	eqHex(t, "bob pub", crypto.FromECDSAPub(&privKey(t, v.BobPriv).PublicKey), v.BobPub)
	eqHex(t, "bob compressed", compress(&privKey(t, v.BobPriv).PublicKey), v.BobCompressed)
}

func TestVectorBundleSignature(t *testing.T) {
	v := loadVectors(t)
	bob := privKey(t, v.BobPriv)
	spk := privKey(t, v.Bundle.SPKPriv)
	eqHex(t, "spk", compress(&spk.PublicKey), v.Bundle.SPK)
	b := &Bundle{Timestamp: v.Bundle.Timestamp, SignedPreKeys: map[string]SignedPreKey{
		v.Bundle.Installation: {Key: compress(&spk.PublicKey), Version: v.Bundle.Version},
	}}
	eqHex(t, "material", BundleMaterial(b), v.Bundle.Material)
	eqHex(t, "keccak", crypto.Keccak256(BundleMaterial(b)), v.Bundle.Keccak)
	if err := SignBundle(b, bob); err != nil {
		t.Fatal(err)
	}
	eqHex(t, "signature", b.Signature, v.Bundle.Signature)
	eqHex(t, "identity", b.Identity, v.BobCompressed)
	if _, err := VerifyBundle(b); err != nil {
		t.Fatalf("verify: %v", err)
	}
	// Timestamp 0 is left out of the material (backward compatibility).
	b.Timestamp = 0
	if bytes.Contains(BundleMaterial(b), []byte("1565")) {
		t.Error("zero timestamp in material")
	}
	if _, err := VerifyBundle(b); err == nil {
		t.Error("signature still verifies after changing the timestamp")
	}
}

func TestVectorX3DH(t *testing.T) {
	v := loadVectors(t)
	alice, bob := privKey(t, v.AlicePriv), privKey(t, v.BobPriv)
	spk, ek := privKey(t, v.Bundle.SPKPriv), privKey(t, v.X3DH.EKPriv)
	eqHex(t, "EK", compress(&ek.PublicKey), v.X3DH.EK)
	eqHex(t, "DH1", ecdh(alice, &spk.PublicKey), v.X3DH.DH1)
	eqHex(t, "DH2", ecdh(ek, &bob.PublicKey), v.X3DH.DH2)
	eqHex(t, "DH3", ecdh(ek, &spk.PublicKey), v.X3DH.DH3)
	eqHex(t, "SK initiator", X3DHInitiator(alice, ek, &bob.PublicKey, &spk.PublicKey), v.X3DH.SK)
	eqHex(t, "SK responder", X3DHResponder(spk, bob, &alice.PublicKey, &ek.PublicKey), v.X3DH.SK)
}

// fixedReader returns the same bytes forever (a deterministic key source).
type fixedReader []byte

func (f fixedReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = f[i%len(f)]
	}
	return len(p), nil
}

func TestVectorDoubleRatchetFirstMessage(t *testing.T) {
	v := loadVectors(t)
	sk := unhex(t, v.X3DH.SK)
	spk := privKey(t, v.Bundle.SPKPriv)
	c := drCrypto{rand: fixedReader(unhex(t, v.DR.RatchetPriv))}

	alice, err := newInitiatorSession([]byte("a"), sk, compress(&spk.PublicKey), nil, c, &dr.KeysStorageInMemory{})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := alice.RatchetEncrypt([]byte(v.DR.Plaintext), nil)
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "ratchet pub", msg.Header.DH, v.DR.RatchetPub)
	eqHex(t, "ciphertext", msg.Ciphertext, v.DR.Ciphertext)
	if msg.Header.N != 0 || msg.Header.PN != 0 {
		t.Errorf("header N=%d PN=%d", msg.Header.N, msg.Header.PN)
	}

	// The intermediate values, step by step.
	ratchet := privKey(t, v.DR.RatchetPriv)
	dh := ecdh(ratchet, &spk.PublicKey)
	eqHex(t, "DH", dh, v.DR.DH)
	root, cks, _ := c.KdfRK(sk, dh)
	eqHex(t, "root", root, v.DR.Root)
	eqHex(t, "CKs", cks, v.DR.CKs)
	_, mkey := c.KdfCK(cks)
	eqHex(t, "MK", mkey, v.DR.MK)
	enc, auth, iv := messageKeys(mkey)
	eqHex(t, "enc", enc, v.DR.Enc)
	eqHex(t, "auth", auth, v.DR.Auth)
	eqHex(t, "IV", iv, v.DR.IV)

	// Bob, the responder, starts from his SPK pair and decrypts.
	pair := keyPair{priv: crypto.FromECDSA(spk), pub: compress(&spk.PublicKey)}
	bob, err := newResponderSession([]byte("b"), sk, pair, nil, drCrypto{rand: fixedReader{0x44}}, &dr.KeysStorageInMemory{})
	if err != nil {
		t.Fatal(err)
	}
	pt, err := bob.RatchetDecrypt(msg, nil)
	if err != nil || string(pt) != v.DR.Plaintext {
		t.Fatalf("Bob decrypts %q, %v", pt, err)
	}
}

func TestVectorNegotiated(t *testing.T) {
	v := loadVectors(t)
	alice, bob := privKey(t, v.AlicePriv), privKey(t, v.BobPriv)
	s := NegotiatedSecret(alice, &bob.PublicKey)
	eqHex(t, "secret", s, v.Negotiated.Secret)
	eqHex(t, "secret (Bob)", NegotiatedSecret(bob, &alice.PublicKey), v.Negotiated.Secret)
	if got := TopicFromName(NegotiatedTopicName(s)).String(); got != v.Negotiated.Topic {
		t.Errorf("topic = %s, want %s", got, v.Negotiated.Topic)
	}
	key, err := SymKeyFromName(NegotiatedTopicName(s))
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "sym key", key, v.Negotiated.SymKey)
}

func TestVectorTopics(t *testing.T) {
	v := loadVectors(t)
	for _, tc := range v.Topics {
		if got := TopicFromName(tc.Name).String(); got != tc.Topic {
			t.Errorf("topic(%q) = %s, want %s", tc.Name, got, tc.Topic)
		}
	}
	alice := &privKey(t, v.AlicePriv).PublicKey
	if got := TopicFromName(ContactCodeTopicName(alice)).String(); got != v.Alice.ContactCode {
		t.Errorf("contact code topic = %s, want %s", got, v.Alice.ContactCode)
	}
	if got := PartitionedTopicName(alice); got != v.Alice.PartitionName {
		t.Errorf("partition name = %s, want %s", got, v.Alice.PartitionName)
	}
	if got := TopicFromName(PartitionedTopicName(alice)).String(); got != v.Alice.Partitioned {
		t.Errorf("partitioned topic = %s, want %s", got, v.Alice.Partitioned)
	}
	if got := TopicFromName(PersonalDiscoveryTopicName(alice)).String(); got != v.Alice.PersonalDiscovery {
		t.Errorf("personal discovery topic = %s, want %s", got, v.Alice.PersonalDiscovery)
	}
}

func TestVectorWireExample(t *testing.T) {
	v := loadVectors(t)
	b, err := EncodeProtocolMessage(&ProtocolMessage{InstallationID: v.Wire.InstallationID, Public: []byte(v.Wire.PublicMessage)})
	if err != nil {
		t.Fatal(err)
	}
	eqHex(t, "wire", b, v.Wire.Bytes)
	m, err := DecodeProtocolMessage(b)
	if err != nil || m.InstallationID != v.Wire.InstallationID || string(m.Public) != v.Wire.PublicMessage {
		t.Fatalf("decode: %+v %v", m, err)
	}
}
