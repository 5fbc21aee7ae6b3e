package message

import "testing"

func benchVector(b *testing.B, name string) []byte {
	for _, v := range loadMsgVectors(b) {
		if v.Name == name {
			return []byte(v.Input)
		}
	}
	b.Fatalf("no vector %q", name)
	return nil
}

func benchDecode(b *testing.B, in []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Decode(in); err != nil {
			b.Fatal(err)
		}
	}
}

func benchEncode(b *testing.B, in []byte) {
	p, err := Decode(in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Encode(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeC4(b *testing.B) { benchDecode(b, benchVector(b, "c4 with name and response-to")) }
func BenchmarkEncodeC4(b *testing.B) { benchEncode(b, benchVector(b, "c4 with name and response-to")) }
func BenchmarkDecodeG5(b *testing.B) { benchDecode(b, benchVector(b, "g5 membership update (real)")) }
func BenchmarkEncodeG5(b *testing.B) { benchEncode(b, benchVector(b, "g5 membership update (real)")) }

// BenchmarkReceiveG5 includes signature recovery and validation.
func BenchmarkReceiveG5(b *testing.B) {
	in := benchVector(b, "g5 membership update (real)")
	alice, _ := keys(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Receive(in, &alice.PublicKey, Context{Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkReceiveC4 is the hot path of a public chat: decode a typical
// text message and validate it (no wrapper signature to recover).
func BenchmarkReceiveC4(b *testing.B) {
	in := benchVector(b, "c4 with name and response-to")
	alice, _ := keys(b)
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if _, err := Receive(in, &alice.PublicKey, Context{Now: testNow}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWrap is what a sender spends on every status message it sends
// and nothing can batch: the wrapper's Keccak-256 and secp256k1 signature.
func BenchmarkWrap(b *testing.B) {
	payload := benchVector(b, "c4 with name and response-to")
	alice, _ := keys(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Wrap(payload, alice); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkUnwrap is the receiver's side of BenchmarkWrap: recovering the
// author of every signed message it receives.
func BenchmarkUnwrap(b *testing.B) {
	alice, _ := keys(b)
	in, err := Wrap(benchVector(b, "c4 with name and response-to"), alice)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if u, err := Unwrap(in); err != nil || u.Author == nil {
			b.Fatal(u, err)
		}
	}
}
