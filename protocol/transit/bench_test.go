package transit

import "testing"

func benchInput(b *testing.B, prefix string) []byte {
	for _, v := range loadVectors(b) {
		if len(v.Name) >= len(prefix) && v.Name[:len(prefix)] == prefix {
			return []byte(v.Input)
		}
	}
	b.Fatalf("no vector %q", prefix)
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
	v, err := Decode(in)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	buf := make([]byte, 0, 1024)
	for b.Loop() {
		if buf, err = AppendEncode(buf[:0], v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeC4(b *testing.B) { benchDecode(b, benchInput(b, "c4 more content")) }
func BenchmarkEncodeC4(b *testing.B) { benchEncode(b, benchInput(b, "c4 more content")) }
func BenchmarkDecodeG5(b *testing.B) { benchDecode(b, benchInput(b, "g5 ")) }
func BenchmarkEncodeG5(b *testing.B) { benchEncode(b, benchInput(b, "g5 ")) }
