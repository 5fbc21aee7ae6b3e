package messengerstore

import "testing"

// The message record is the hot one: written on every send and receive,
// read for every page of a chat.
func BenchmarkEncodeMessage(b *testing.B) {
	m := fixedRecords().message
	b.ReportAllocs()
	for b.Loop() {
		EncodeMessage(m)
	}
}

func BenchmarkDecodeMessage(b *testing.B) {
	raw := EncodeMessage(fixedRecords().message)
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := DecodeMessage(raw); err != nil {
			b.Fatal(err)
		}
	}
}
