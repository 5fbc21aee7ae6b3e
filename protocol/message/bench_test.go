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
