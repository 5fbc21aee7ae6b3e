package encryption

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecodeProtocolMessage: decoding never panics, errors are typed, and
// what decodes re-encodes to something that decodes to the same message.
func FuzzDecodeProtocolMessage(f *testing.F) {
	f.Add([]byte{0x12, 0x06, 'i', 'n', 's', 't', '-', '1', 0xb2, 0x06, 0x02, 'h', 'i'})
	f.Add([]byte("[\"~#c4\",[]]"))
	f.Add([]byte{})
	k := append([]byte{0x02}, bytes.Repeat([]byte{1}, 32)...)
	seed, _ := EncodeProtocolMessage(&ProtocolMessage{InstallationID: "a", Direct: map[string]*DirectMessage{
		"b": {X3DH: &X3DHHeader{Key: k, ID: k}, DR: &DRHeader{Key: k, N: 3, PN: 1, ID: k}, Payload: []byte("p")},
	}, Bundles: []*Bundle{{Identity: k, SignedPreKeys: map[string]SignedPreKey{"a": {Key: k, Version: 1}}}}})
	f.Add(seed)
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeProtocolMessage(b)
		if err != nil {
			if !errors.Is(err, ErrNotProtocolMessage) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		out, err := EncodeProtocolMessage(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := DecodeProtocolMessage(out)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		out2, _ := EncodeProtocolMessage(m2)
		if !bytes.Equal(out, out2) {
			t.Fatal("encode is not stable")
		}
		for _, bu := range m.Bundles {
			_, _ = VerifyBundle(bu)
		}
	})
}
